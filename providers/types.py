"""The shared generation vocabulary: scene kinds, what a provider is asked for, what it returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class SceneKind(StrEnum):
    TALKING_HEAD = "talking_head"  # a person speaking to camera
    PRODUCT = "product"  # an object or product shot
    LANDSCAPE = "landscape"  # places, nature, wide establishing shots
    ACTION = "action"  # fast motion, sport, vehicles
    PEOPLE = "people"  # people doing things, not addressing camera
    DATA = "data"  # numbers, charts, statistics
    STYLIZED = "stylized"  # animation, illustration, abstract art
    TEXT = "text"  # titles, quotes, lists: the words are the picture


class Aspect(StrEnum):
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"
    SQUARE = "1:1"
    FOUR_FIVE = "4:5"

    @property
    def ratio(self) -> float:
        w, h = self.value.split(":")
        return int(w) / int(h)

    def frame_size(self, short_side: int) -> tuple[int, int]:
        """Even (width, height) whose shorter side is `short_side` (16:9 at 1080 -> 1920x1080)."""
        w, h = (int(x) for x in self.value.split(":"))
        if w >= h:
            return _even(round(short_side * w / h)), _even(short_side)
        return _even(short_side), _even(round(short_side * h / w))


def _even(n: int) -> int:
    return n - (n % 2)


@dataclass(frozen=True)
class ClipRequest:
    """What the pipeline asks a provider for. Hashable, so it keys the clip cache."""

    prompt: str
    duration: float  # seconds wanted; adapters snap to what the model accepts
    aspect: Aspect
    width: int
    height: int
    kind: SceneKind = SceneKind.STYLIZED
    negative_prompt: str = ""
    on_screen_text: str = ""  # used by the offline renderer for typography and charts
    reference_image: Path | None = None
    seed: int = 0
    fps: int = 30
    idempotency_key: str = ""


@dataclass(frozen=True)
class ContentCredential:
    """A provenance signal the clip carried from upstream (C2PA manifest, invisible watermark)."""

    kind: str  # "c2pa" | "watermark"
    name: str  # e.g. "SynthID", or the C2PA claim generator
    detail: str = ""


@dataclass(frozen=True)
class Clip:
    """A generated clip on local disk, with everything the manifest must say about it."""

    path: Path
    duration: float
    fps: float
    width: int
    height: int
    sha256: str
    provider_id: str
    model_id: str
    provider_job_id: str
    cost_usd: float | None = None  # None = unknown
    credentials: tuple[ContentCredential, ...] = field(default_factory=tuple)
    # sha256 (hex) of the scene's reference image when the clip was made from it (an
    # image-to-video model animated it, or the built-in renderer moved over it); "" when not.
    image_sha256: str = ""


ProgressCallback = Callable[[float, str], Awaitable[None] | None]
"""Called with (fraction 0..1, short status text) while a provider works."""
