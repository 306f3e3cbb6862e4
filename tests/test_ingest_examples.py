"""The example sources shipped in examples/scripts/: the demo video is rendered from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ingest import SourceKind, ingest_file
from app.ingest.text import count_words
from providers.types import SceneKind

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scripts"
EXPLAINER = EXAMPLES / "three-minute-explainer.txt"
OUTLINE = EXAMPLES / "product-launch-outline.md"
PROMPT = EXAMPLES / "short-prompt.txt"


def test_explainer_is_a_three_minute_script_of_many_kinds() -> None:
    script = ingest_file(EXPLAINER)
    narrated_words = sum(count_words(s.narration) for s in script.scenes)
    kinds = {s.kind for s in script.scenes}
    assert script.source_kind is SourceKind.SCRIPT
    assert script.title == "The Journey of a Cup of Coffee"
    assert 480 <= narrated_words <= 600
    assert len(script.scenes) >= 25
    assert len(kinds) >= 5
    assert script.target_duration >= 180


def test_explainer_has_the_scene_kinds_the_demo_needs() -> None:
    kinds = [s.kind for s in ingest_file(EXPLAINER).scenes]
    assert kinds.count(SceneKind.DATA) >= 3
    assert SceneKind.TEXT in kinds  # the quotation
    assert kinds[0] is SceneKind.TALKING_HEAD  # intro
    assert kinds[-1] is SceneKind.TALKING_HEAD  # outro
    for kind in (SceneKind.LANDSCAPE, SceneKind.PRODUCT, SceneKind.PEOPLE, SceneKind.ACTION):
        assert kind in kinds


def test_explainer_figures_are_framed_as_illustrative() -> None:
    text = EXPLAINER.read_text(encoding="utf-8")
    assert text.count("illustrative") >= 2
    data_scenes = [s for s in ingest_file(EXPLAINER).scenes if s.kind is SceneKind.DATA]
    assert all(any(c.isdigit() for c in s.on_screen_text) for s in data_scenes)


def test_outline_is_about_a_minute_with_sections() -> None:
    script = ingest_file(OUTLINE)
    sections = {s.section for s in script.scenes if s.section}
    assert script.source_kind is SourceKind.OUTLINE
    assert 3 <= len(sections) <= 4
    assert 45 <= script.target_duration <= 80
    assert any(s.kind is SceneKind.PRODUCT for s in script.scenes)


def test_short_prompt_is_one_line() -> None:
    text = PROMPT.read_text(encoding="utf-8").strip()
    assert "\n" not in text
    script = ingest_file(PROMPT)
    assert script.source_kind is SourceKind.PROMPT
    assert len(script.scenes) >= 1
    assert script.scenes[0].kind is SceneKind.TEXT


@pytest.mark.parametrize("path", [EXPLAINER, OUTLINE, PROMPT])
def test_examples_ingest_deterministically(path: Path) -> None:
    assert ingest_file(path) == ingest_file(path)
