"""What every parser produces (drafts) and the one place drafts become `Scene`s.

Parsers only decide *what* is said, under which heading, and any direction the writer gave.
Everything derived — kind, on-screen text, visual prompt, duration, index — is computed here, so
the three source kinds cannot drift apart in how they fill a scene.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.ingest.classify import classify
from app.ingest.headline import headline
from app.ingest.model import Scene
from app.ingest.timing import target_duration
from app.ingest.visual import visual_prompt
from providers.types import SceneKind


@dataclass(frozen=True)
class SceneDraft:
    """A scene as a parser sees it: narration plus whatever the writer said explicitly."""

    narration: str
    visual: str = ""  # the writer's visual direction; derived when empty
    on_screen: str = ""  # the writer's on-screen text; derived when empty
    section: str = ""
    image_hint: Path | None = None
    kind: SceneKind | None = None  # set only when the parser knows (a title card is text)
    sources: tuple[int, ...] = ()  # source paragraph numbers, for citations


@dataclass(frozen=True)
class ParsedSource:
    """A parser's whole result: the title it found (may be empty) and the drafts in order."""

    title: str
    drafts: list[SceneDraft] = field(default_factory=list)
    mood: str = ""  # a tone the source asked for ("calm"), added to every visual prompt


def title_card(title: str, *, section: str = "") -> SceneDraft:
    """The opening scene that shows and says the title."""
    return SceneDraft(narration=title, on_screen=title, section=section, kind=SceneKind.TEXT)


def build_scenes(
    drafts: Sequence[SceneDraft], *, words_per_minute: float, mood: str = ""
) -> tuple[Scene, ...]:
    """Number the drafts and derive every field the writer did not give."""
    scenes: list[Scene] = []
    previous_section = ""
    for index, draft in enumerate(drafts):
        opens_section = bool(draft.section) and draft.section != previous_section
        previous_section = draft.section
        scenes.append(
            _build_scene(index, draft, opens_section, words_per_minute=words_per_minute, mood=mood)
        )
    return tuple(scenes)


def _build_scene(
    index: int, draft: SceneDraft, opens_section: bool, *, words_per_minute: float, mood: str
) -> Scene:
    kind = draft.kind or classify(draft.narration, draft.visual)
    on_screen = draft.on_screen or headline(
        draft.narration, kind, section=draft.section, opens_section=opens_section
    )
    return Scene(
        index=index,
        narration=draft.narration,
        on_screen_text=on_screen,
        visual_prompt=visual_prompt(
            draft.narration, kind, headline=on_screen, direction=draft.visual, mood=mood
        ),
        kind=kind,
        target_duration=target_duration(draft.narration, words_per_minute),
        section=draft.section,
        image_hint=draft.image_hint,
        sources=draft.sources,
    )
