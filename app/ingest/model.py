"""What ingestion produces: a Script of Scenes, the input of routing and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from app.ingest.source_record import SourceRecord
from providers.types import SceneKind


class SourceKind(StrEnum):
    PROMPT = "prompt"  # a short free-text idea
    SCRIPT = "script"  # pasted narration, one scene per paragraph
    OUTLINE = "outline"  # Markdown: headings are sections, bullets/paragraphs are scenes
    URL = "url"  # a web article, fetched and summarised (or written by an LLM) with citations


@dataclass(frozen=True)
class Scene:
    index: int  # 0-based position in the script
    narration: str  # what the voice says
    on_screen_text: str  # short text shown in the picture (title, key figure, quote)
    visual_prompt: str  # what a video model is asked to show
    kind: SceneKind
    target_duration: float  # seconds, from the speaking rate; the narration's real length wins
    section: str = ""  # heading the scene sits under, if any
    image_hint: Path | None = None  # a local reference image for image-to-video / Ken Burns
    sources: tuple[int, ...] = ()  # numbers of the source paragraphs it came from (URL sources)


@dataclass(frozen=True)
class Script:
    title: str
    source_kind: SourceKind
    source_sha256: str  # sha256 of the raw input text, for the manifest
    scenes: tuple[Scene, ...] = field(default_factory=tuple)
    # Where a fetched or written script came from (URL, fetch, citations, writer), for the
    # manifest's `input.source`; None for a file or text the user gave as it is.
    source: SourceRecord | None = None

    @property
    def target_duration(self) -> float:
        return sum(s.target_duration for s in self.scenes)
