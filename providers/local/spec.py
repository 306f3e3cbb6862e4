"""What the offline renderer is asked to draw, resolved from a `ClipRequest` into plain data.

`SceneSpec` is everything the pure graph builders need: nothing in it is read from disk later
except the font and image files it names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from providers.local.fonts import FontFace, Weight, load_face
from providers.local.palettes import Palette, choose_palette
from providers.local.typography import shorten
from providers.types import ClipRequest, SceneKind

MAX_SIDE = 7680
MAX_FPS = 120
PROMPT_TITLE_WORDS = 9  # a prompt stands in for missing on-screen text, shortened to this


class InvalidRequest(ValueError):
    """The request cannot be rendered as asked (bad size, duration, fps or image)."""


@dataclass(frozen=True)
class Frame:
    """Output geometry and timing."""

    width: int
    height: int
    fps: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    @property
    def unit(self) -> int:
        """The short side: sizes scale with it so every aspect looks alike."""
        return min(self.width, self.height)

    @property
    def landscape(self) -> bool:
        return self.width > self.height


@dataclass(frozen=True)
class Fonts:
    heavy: FontFace  # headlines
    bold: FontFace  # numbers and emphasis
    medium: FontFace  # labels and secondary lines


@dataclass(frozen=True)
class SceneSpec:
    frame: Frame
    kind: SceneKind
    palette: Palette
    text: str  # the words to set: on-screen text, else a shortened prompt
    seed: int
    fonts: Fonts
    image: Path | None = None


@dataclass(frozen=True)
class Encoding:
    """libx264 settings. The clip is an intermediate the compositor re-encodes, so the
    defaults favour speed at a visually lossless quality."""

    preset: str = "ultrafast"
    crf: int = 18
    x264_params: str = "deblock=1,0,0"  # ultrafast turns the loop filter off; gradients need it
    threads: int | None = None  # encoder threads; None lets x264 decide


def frame_of(request: ClipRequest) -> Frame:
    """Validated geometry. Raises InvalidRequest with the reason."""
    if not (isinstance(request.duration, int | float) and math.isfinite(request.duration)):
        raise InvalidRequest(f"duration must be a finite number, got {request.duration!r}")
    if request.duration <= 0:
        raise InvalidRequest(f"duration must be positive, got {request.duration}")
    if not 1 <= request.fps <= MAX_FPS:
        raise InvalidRequest(f"fps must be between 1 and {MAX_FPS}, got {request.fps}")
    for name, side in (("width", request.width), ("height", request.height)):
        if side <= 0 or side % 2 or side > MAX_SIDE:
            raise InvalidRequest(f"{name} must be even and in 2..{MAX_SIDE}, got {side}")
    frames = round(request.duration * request.fps)
    if frames < 1:
        raise InvalidRequest(f"duration {request.duration}s is shorter than one frame")
    return Frame(request.width, request.height, request.fps, frames)


def load_fonts() -> Fonts:
    return Fonts(load_face(Weight.EXTRA_BOLD), load_face(Weight.BOLD), load_face(Weight.MEDIUM))


def spec_of(request: ClipRequest, fonts: Fonts) -> SceneSpec:
    """Resolve a request into a scene spec. Raises InvalidRequest for unusable input."""
    frame = frame_of(request)
    image = request.reference_image
    if image is not None and not Path(image).is_file():
        raise InvalidRequest(f"reference image not found: {image}")
    text = request.on_screen_text.strip() or shorten(request.prompt, PROMPT_TITLE_WORDS)
    return SceneSpec(
        frame=frame,
        kind=request.kind,
        palette=choose_palette(request.seed, request.kind),
        text=text,
        seed=request.seed,
        fonts=fonts,
        image=Path(image).resolve() if image is not None else None,
    )
