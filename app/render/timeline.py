"""The timeline spec the compositor renders: pure data, built once the narration is known."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from providers.types import Aspect


class Reframe(StrEnum):
    """How a clip is fitted to an output of another shape (a clip made for it is used as is)."""

    CROP = "crop"  # fill the frame with its centre, cutting the sides
    TRACK = "track"  # fill the frame with a window that follows the subject (SceneSlot.track)
    PAD = "pad"  # fit the whole picture over a blurred copy of itself: keeps text and charts whole


class Framing(StrEnum):
    """How one scene reached one output, as the manifest records it."""

    NATIVE = "native"  # a clip made in the output's own shape
    TRACKED_CROP = "tracked_crop"  # cut by a window following the subject
    CENTRE_CROP = "centre_crop"  # cut from the middle
    PADDED = "padded"  # shrunk whole over a blurred copy of itself


@dataclass(frozen=True)
class AspectClip:
    """A clip of the scene made for one aspect: that output uses it instead of reframing."""

    aspect: Aspect
    path: Path
    size: tuple[int, int]


@dataclass(frozen=True)
class DrawnScene:
    """A built-in scene drawn for one aspect straight into the segment's graph: no clip file.

    `graph` has no inputs and ends in the label `out`; it yields `size` frames at `fps`."""

    aspect: Aspect
    graph: str
    size: tuple[int, int]
    fps: int
    recipe_sha256: str


@dataclass(frozen=True)
class SubjectTrack:
    """Where the subject is over clip time, as shares of the clip's width and height.

    One sample per analysed frame: the subject's centre and half-extent on each axis."""

    times: tuple[float, ...]
    cx: tuple[float, ...]
    cy: tuple[float, ...]
    half_w: tuple[float, ...]
    half_h: tuple[float, ...]


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
    # Made for other aspects than `clip`'s: clips, or scenes drawn in the segment's graph
    natives: tuple[AspectClip | DrawnScene, ...] = ()
    track: SubjectTrack | None = None  # for Reframe.TRACK; without one, TRACK crops the centre

    def native_for(self, aspect: Aspect) -> AspectClip | DrawnScene | None:
        return next((n for n in self.natives if n.aspect is aspect), None)


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
    natives: list[tuple[AspectClip | DrawnScene, ...]] | None = None,
    tracks: list[SubjectTrack | None] | None = None,
) -> Timeline:
    """Lay scenes end to end, each snapped to whole frames so every aspect's length agrees."""
    natives = natives if natives is not None else [()] * len(durations)
    tracks = tracks if tracks is not None else [None] * len(durations)
    counts = {len(x) for x in (durations, clips, clip_sizes, reframes, captions, natives, tracks)}
    if len(counts) != 1:
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
                natives=natives[i],
                track=tracks[i],
            )
        )
        cursor += n
    return Timeline(fps, tuple(slots), transition, label)
