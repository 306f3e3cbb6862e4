"""Visual prompts: what a video model is asked to show for a scene, derived without a model.

A writer's direction always wins. Otherwise the prompt is a kind-specific shot description (the
camera language that suits talking heads differs from the one for landscapes) around the key
nouns of the narration, so the same scene always yields the same prompt.
"""

from __future__ import annotations

from app.ingest.words import key_phrases
from providers.types import SceneKind

MAX_PHRASES = 4

_SHOTS: dict[SceneKind, str] = {
    SceneKind.TALKING_HEAD: (
        "Medium close-up of a friendly presenter speaking to camera about {subject}, "
        "soft key light, shallow depth of field"
    ),
    SceneKind.PRODUCT: (
        "Studio product shot of {subject}, clean seamless backdrop, slow turntable move, "
        "soft reflections"
    ),
    SceneKind.LANDSCAPE: "Cinematic wide shot of {subject}, natural light, slow aerial drift",
    SceneKind.ACTION: (
        "Dynamic tracking shot of {subject}, fast motion, motion blur, energetic camera"
    ),
    SceneKind.PEOPLE: (
        "Documentary-style shot of {subject}, candid moments, natural light, shallow depth of field"
    ),
    SceneKind.DATA: (
        "Clean animated infographic of {subject}, bold numerals, minimal palette, "
        "smooth transitions"
    ),
    SceneKind.STYLIZED: (
        "Stylized 2D animation of {subject}, bold shapes, smooth motion, harmonious colours"
    ),
    SceneKind.TEXT: ("Elegant kinetic typography of {subject}, minimal background, gentle motion"),
}


def visual_prompt(
    narration: str, kind: SceneKind, *, headline: str, direction: str = "", mood: str = ""
) -> str:
    """The prompt for a scene: the direction if given, else the kind's shot around key nouns."""
    if direction:
        prompt = direction[:1].upper() + direction[1:]
    else:
        prompt = _SHOTS[kind].format(subject=_subject(narration, kind, headline))
    return f"{prompt}; mood: {mood}" if mood else prompt


def _subject(narration: str, kind: SceneKind, headline: str) -> str:
    if kind is SceneKind.TEXT:
        return _quoted(headline)
    terms = key_phrases(narration, MAX_PHRASES)
    if kind is SceneKind.DATA:
        figure = f"the figure {_quoted(headline)}"
        return f"{figure} with {_natural_list(terms)}" if terms else figure
    return _natural_list(terms) if terms else _quoted(headline)


def _quoted(text: str) -> str:
    return text if text.startswith("“") else f"“{text}”"


def _natural_list(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
