"""The timeline spec the compositor renders: pure data, built once the narration is known."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from providers.types import Aspect


class Reframe(StrEnum):
    CROP = "crop"  # fill the frame, cutting the sides: for photographic footage
    PAD = "pad"  # fit the whole picture over a blurred copy of itself: keeps text and charts whole


@dataclass(frozen=True)
class Caption:
    start: float  # seconds from the start of its scene
    end: float
    text: str


@dataclass(frozen=True)
class VisibleLabel:
    text: str
    position: str  # top_left | top_right | bottom_left | bottom_right


@dataclass(frozen=True)
class SceneSlot:
    index: int
    start: float  # seconds on the timeline; a whole number of frames
    duration: float  # a whole number of frames
    clip: Path
    clip_size: tuple[int, int]  # the clip's own (width, height): every aspect is cut from it
    reframe: Reframe
    captions: tuple[Caption, ...] = ()
    clip_offset: float = 0.0  # where in the clip this slot starts (after the incoming crossfade)


@dataclass(frozen=True)
class OutputSpec:
    aspect: Aspect
    width: int
    height: int
    path: Path

    @property
    def tag(self) -> str:
        """File-name-safe aspect tag: 16:9 -> 16x9."""
        return self.aspect.value.replace(":", "x")


@dataclass(frozen=True)
class Timeline:
    fps: int
    slots: tuple[SceneSlot, ...]
    transition: float  # crossfade length between scenes, seconds (0 = hard cuts)
    label: VisibleLabel | None = None  # "AI-generated" mark the policy asks for
    label_scenes: frozenset[int] | None = None  # scenes that show it (None: every scene)

    def shows_label(self, index: int) -> bool:
        return self.label is not None and (self.label_scenes is None or index in self.label_scenes)

    @property
    def duration(self) -> float:
        last = self.slots[-1]
        return last.start + last.duration if self.slots else 0.0


def frames(seconds: float, fps: int) -> int:
    return max(1, round(seconds * fps))


def build_timeline(
    durations: list[float],
    clips: list[Path],
    clip_sizes: list[tuple[int, int]],
    reframes: list[Reframe],
    captions: list[tuple[Caption, ...]],
    *,
    fps: int,
    transition: float,
    label: VisibleLabel | None = None,
) -> Timeline:
    """Lay scenes end to end, each snapped to whole frames so every aspect's length agrees."""
    if not (len(durations) == len(clips) == len(clip_sizes) == len(reframes) == len(captions)):
        raise ValueError("timeline inputs must have one entry per scene")
    slots: list[SceneSlot] = []
    cursor = 0
    for i, seconds in enumerate(durations):
        n = frames(seconds, fps)
        slots.append(
            SceneSlot(
                index=i,
                start=cursor / fps,
                duration=n / fps,
                clip=clips[i],
                clip_size=clip_sizes[i],
                reframe=reframes[i],
                captions=captions[i],
                clip_offset=transition if i > 0 else 0.0,
            )
        )
        cursor += n
    return Timeline(fps, tuple(slots), transition, label)
