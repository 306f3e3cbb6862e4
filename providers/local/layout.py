"""Layout rules every look shares: where text may go, seeded choices, the headline itself."""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from providers.local.backgrounds import LOW_RES, Drift, canvas_size
from providers.local.filtergraph import Graph, even
from providers.local.fonts import FontFace
from providers.local.spec import Frame, SceneSpec
from providers.local.sprites import glow
from providers.local.typography import (
    Animation,
    Fit,
    Ink,
    Region,
    TextBlock,
    animate_block,
    fit_block,
)
from providers.local.typography import clean_text as _clean

TEXT_TOP = 0.08  # share of the height above which nothing is set
TEXT_BOTTOM = 0.68  # the compositor burns captions into the band below this
SQUARE_WIDTH = 1.0  # in 16:9, plain titles stay inside the central square (x the height)
WIDE_WIDTH = 1.45  # text cards and charts may use more, they are reframed by padding
# A tall frame has the height to set a headline large enough to span its narrow width: type
# that is sized off the short side, as in the wide frames, would leave a phone screen a small
# block of words in a big empty field.
TALL_TYPE = 1.7  # headline size ceiling in a tall frame, against the same short side
TALL_FLOOR = 1.25  # and its floor
CLEARANCE = 0.03  # decorative shapes keep this far from text, as a share of the short side


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in frame pixels."""

    left: float
    top: float
    right: float
    bottom: float

    def grown(self, by: float) -> Box:
        return Box(self.left - by, self.top - by, self.right + by, self.bottom + by)

    def overlaps(self, other: Box) -> bool:
        """True when the two share area (touching edges don't)."""
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def text_box(block: TextBlock, below: float = 0.0) -> Box:
    """What a set headline covers, plus `below` px under it (an accent rule)."""
    return Box(block.left, block.top, block.right, block.bottom + below)


def caption_band(frame: Frame) -> Box:
    """The band the compositor burns captions into, in every aspect."""
    return Box(0.0, TEXT_BOTTOM * frame.height, float(frame.width), float(frame.height))


def drift_box(drift: Drift) -> Box:
    """Everything a drifting sprite ever covers: its size around every point of its path."""
    half_w, half_h = drift.size[0] / 2 + drift.reach_x, drift.size[1] / 2 + drift.reach_y
    return Box(drift.cx - half_w, drift.cy - half_h, drift.cx + half_w, drift.cy + half_h)


def clear_spot(
    want: tuple[float, float], reach: tuple[float, float], keep_out: Sequence[Box], frame: Frame
) -> tuple[float, float] | None:
    """The centre nearest to `want` for a shape reaching `reach` px each way from its centre
    that covers none of `keep_out` (each grown by CLEARANCE), with the centre inside the frame
    so the shape still shows; None when there is no such place.

    Where a place exists, one lies on an edge of a box (or at `want`), so only those
    coordinates are tried."""
    gap = CLEARANCE * frame.unit
    boxes = [b.grown(gap) for b in keep_out]
    xs = [want[0], *(b.left - reach[0] for b in boxes), *(b.right + reach[0] for b in boxes)]
    ys = [want[1], *(b.top - reach[1] for b in boxes), *(b.bottom + reach[1] for b in boxes)]
    spots = [
        (x, y)
        for x in xs
        for y in ys
        if 0 <= x <= frame.width
        and 0 <= y <= frame.height
        and not any(
            Box(x - reach[0], y - reach[1], x + reach[0], y + reach[1]).overlaps(b) for b in boxes
        )
    ]
    return min(spots, key=lambda s: math.dist(s, want), default=None)


def text_region(
    frame: Frame, *, wide: bool = False, top: float = TEXT_TOP, bottom: float = TEXT_BOTTOM
) -> Region:
    """The centred area type may use: upper part of the frame, a square-ish column if wide."""
    if frame.landscape:
        width = min(0.84 * frame.width, (WIDE_WIDTH if wide else SQUARE_WIDTH) * frame.height)
    else:
        width = 0.84 * frame.width
    x = (frame.width - width) / 2
    return Region(x, top * frame.height, width, (bottom - top) * frame.height)


def seeded(spec: SceneSpec, salt: str) -> random.Random:
    """A private random stream per (seed, kind, purpose): same request, same picture."""
    digest = hashlib.sha256(f"{salt}:{spec.kind.value}:{spec.seed}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def to_low_res(frame: Frame, margin: float, x: float, y: float) -> tuple[float, float]:
    """Frame pixel (x, y), at rest, as a pixel of the low-resolution painting."""
    width, height = canvas_size(frame, margin)
    return (x + (width - frame.width) / 2) / LOW_RES, (y + (height - frame.height) / 2) / LOW_RES


def glow_drifts(
    frame: Frame,
    colors: tuple[str, ...],
    rng: random.Random,
    count: int,
    size: tuple[float, float] = (0.45, 0.75),
    opacity: tuple[float, float] = (0.22, 0.4),
) -> tuple[Drift, ...]:
    """Soft lights wandering slowly across the frame."""
    drifts = []
    for i in range(count):
        diameter = even(rng.uniform(*size) * frame.unit)
        sprite = tuple(glow(diameter, colors[i % len(colors)], rng.uniform(*opacity)))
        drifts.append(
            Drift(
                sprite,
                (diameter, diameter),
                cx=rng.uniform(0.1, 0.9) * frame.width,
                cy=rng.uniform(0.1, 0.75) * frame.height,
                reach_x=rng.uniform(0.05, 0.12) * frame.unit,
                reach_y=rng.uniform(0.03, 0.08) * frame.unit,
                period=rng.uniform(9.0, 16.0),
                phase=rng.uniform(0, 2 * math.pi),
            )
        )
    return tuple(drifts)


def clean(spec: SceneSpec, face: FontFace, *, upper: bool = False) -> str:
    text = _clean(spec.text, face)
    return _clean(text.upper(), face) if upper else text


def for_frame(fit: Fit, frame: Frame) -> Fit:
    """`fit` for this frame's shape: in a tall frame, larger type over one more line."""
    if frame.height <= frame.width * 1.2:
        return fit
    return replace(
        fit,
        max_size=fit.max_size * TALL_TYPE,
        min_size=fit.min_size * TALL_FLOOR,
        max_lines=fit.max_lines + 1,
    )


def fit_headline(text: str, face: FontFace, region: Region, fit: Fit, frame: Frame) -> TextBlock:
    """Where `headline` sets `text`, without drawing it: lets a look lay out around it first."""
    return fit_block(text, face, region, for_frame(fit, frame))


def headline(
    graph: Graph,
    text: str,
    face: FontFace,
    region: Region,
    fit: Fit,
    anim: Animation,
    ink: Ink,
    frame: Frame,
) -> TextBlock | None:
    """Fit `text` into `region` and animate it in; None (and nothing drawn) for empty text."""
    if not text:
        return None
    block = fit_headline(text, face, region, fit, frame)
    animate_block(graph, block, anim, ink, frame)
    return block
