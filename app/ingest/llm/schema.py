"""The script an LLM must return, validated by pydantic, and the checks beyond its shape.

Shape: `{"title": str, "scenes": [{"section", "narration", "on_screen_text", "visual_prompt",
"kind", "sources"}]}` with `kind` one of the scene kinds and `sources` the numbers of the
paragraphs a scene draws on. Beyond the shape, `check_script` wants every source number to
exist (and every scene of an article to cite one), each narration short enough to be one shot,
and the whole narration within `LENGTH_TOLERANCE` of the asked length.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.ingest.timing import spoken_words
from providers.types import SceneKind

LENGTH_TOLERANCE = 0.25
MAX_NARRATION_WORDS = 80


class WrittenScene(BaseModel):
    model_config = ConfigDict(extra="forbid")

    section: str = ""
    narration: str = Field(min_length=1)
    on_screen_text: str = Field(default="", max_length=120)
    visual_prompt: str = Field(default="", max_length=600)
    kind: SceneKind
    sources: list[int] = Field(default_factory=list)


class WrittenScript(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    scenes: list[WrittenScene] = Field(min_length=1, max_length=200)


def check_script(script: WrittenScript, *, paragraphs: int, target_words: float) -> list[str]:
    """What is wrong with a well-formed script, one line per problem; [] when it is fine."""
    problems: list[str] = []
    for i, scene in enumerate(script.scenes):
        bad = [n for n in scene.sources if not 1 <= n <= paragraphs]
        if bad:
            problems.append(f"scenes[{i}].sources: {bad} are not paragraph numbers 1..{paragraphs}")
        if paragraphs and not scene.sources:
            problems.append(f"scenes[{i}].sources: cite at least one paragraph")
        if len(scene.narration.split()) > MAX_NARRATION_WORDS:
            problems.append(f"scenes[{i}].narration: more than {MAX_NARRATION_WORDS} words")
    words = sum(spoken_words(s.narration) for s in script.scenes)
    low, high = target_words * (1 - LENGTH_TOLERANCE), target_words * (1 + LENGTH_TOLERANCE)
    if not low <= words <= high:
        problems.append(
            f"the narration has {words:.0f} words; write between {low:.0f} and {high:.0f}"
        )
    return problems
