"""Looks where the words are the picture: bold typography, the quote card, data graphics."""

from __future__ import annotations

import math
from collections.abc import Callable

from providers.local.backgrounds import Backdrop, Drift, Gradient, Placed, add_drifts, backdrop
from providers.local.chart import add_bar_chart, add_bar_rows, add_big_stat
from providers.local.filtergraph import Graph, even, num
from providers.local.layout import (
    Box,
    caption_band,
    clean,
    clear_spot,
    drift_box,
    fit_headline,
    glow_drifts,
    headline,
    seeded,
    text_box,
    text_region,
    to_low_res,
)
from providers.local.motion import ease_out
from providers.local.numbers import chart_points, extract_points, split_heading
from providers.local.spec import Frame, SceneSpec
from providers.local.sprites import disc, glow, growing_bar, ring
from providers.local.typography import (
    Align,
    Animation,
    Entrance,
    Fit,
    Ink,
    Piece,
    Region,
    TextBlock,
    animate_block,
    clean_text,
    enter,
)

_DIRECTIONS = (
    ((0.0, 0.0), (1.0, 1.0)),
    ((1.0, 0.0), (0.0, 1.0)),
    ((0.0, 1.0), (1.0, 0.3)),
    ((0.5, 0.0), (0.5, 1.0)),
)


# Shape sizes as shares of the short side, largest first: each shape takes the largest that
# fits clear of the words and the caption band, or is left out.
RING_SIZES = (0.5, 0.4, 0.32)
DISC_SIZES = (0.17, 0.13, 0.1)
RULE_GAP = 0.04  # the accent rule under a headline, below it, as a share of the short side
RULE_HEIGHT = 0.008


def stylized(spec: SceneSpec) -> Graph:
    """Bold gradient, big floating shapes, the words rising in one by one."""
    frame, palette, rng = spec.frame, spec.palette, seeded(spec, "stylized")
    start, end = rng.choice(_DIRECTIONS)
    lx, ly = to_low_res(frame, 0.08, rng.uniform(0.2, 0.8) * frame.width, 0.3 * frame.height)
    size = round(frame.unit * 0.9 / 4)
    baked = (Placed(tuple(glow(size, palette.glow[0], 0.55)), lx - size / 2, ly - size / 2),)
    graph = backdrop(
        frame,
        Backdrop(Gradient(palette.background, start, end), baked),
        rng.uniform(0, 2 * math.pi),
    )
    block, _, shapes = stylized_layout(spec)
    add_drifts(graph, (*shapes, *glow_drifts(frame, palette.glow[1:], rng, 1)))
    _draw_headline(graph, spec, block)
    return graph


def stylized_layout(spec: SceneSpec) -> tuple[TextBlock | None, tuple[Box, ...], tuple[Drift, ...]]:
    """The stylised look's geometry: the headline, where shapes may not go, and the shapes."""
    block = _set_headline(spec)
    return block, text_keep_out(spec, block), bold_shapes(spec, block)


def text_keep_out(spec: SceneSpec, block: TextBlock | None) -> tuple[Box, ...]:
    """Where no decorative shape may go: the headline with its rule, and the caption band."""
    unit = spec.frame.unit
    words = (text_box(block, (RULE_GAP + RULE_HEIGHT) * unit),) if block is not None else ()
    return (*words, caption_band(spec.frame))


def bold_shapes(spec: SceneSpec, block: TextBlock | None) -> tuple[Drift, ...]:
    """A ring and a solid disc floating near opposite corners, never over the words: each is
    moved (and if need be shrunk) to the nearest place whose whole drift stays clear of them."""
    frame, palette, rng = spec.frame, spec.palette, seeded(spec, "shapes")
    left_first = rng.random() < 0.5
    ring_x = (0.12 if left_first else 0.88) * frame.width
    disc_x = (0.86 if left_first else 0.14) * frame.width
    keep_out = list(text_keep_out(spec, block))
    shapes = []
    ring_drift = _clear_drift(
        frame, RING_SIZES, (ring_x, 0.22 * frame.height), (0.04, 0.03), keep_out,
        lambda d: ring(d, 0.03, palette.accent, 0.6), 11.0, rng.uniform(0, 6),
    )  # fmt: skip
    if ring_drift is not None:
        shapes.append(ring_drift)
        keep_out.append(drift_box(ring_drift))
    disc_drift = _clear_drift(
        frame, DISC_SIZES, (disc_x, 0.62 * frame.height), (0.03, 0.05), keep_out,
        lambda d: disc(d, palette.glow[-1], 0.9), 9.0, rng.uniform(0, 6),
    )  # fmt: skip
    if disc_drift is not None:
        shapes.append(disc_drift)
    return tuple(shapes)


def _clear_drift(
    frame: Frame,
    sizes: tuple[float, ...],
    want: tuple[float, float],
    reach: tuple[float, float],
    keep_out: list[Box],
    sprite: Callable[[int], list[str]],
    period: float,
    phase: float,
) -> Drift | None:
    """The largest of `sizes` that has a clear spot (see `clear_spot`), drifting there."""
    rx, ry = reach[0] * frame.unit, reach[1] * frame.unit
    for share in sizes:
        diameter = even(frame.unit * share)
        spot = clear_spot(want, (diameter / 2 + rx, diameter / 2 + ry), keep_out, frame)
        if spot is not None:
            return Drift(
                tuple(sprite(diameter)), (diameter, diameter), *spot, rx, ry, period, phase
            )
    return None


def _set_headline(spec: SceneSpec) -> TextBlock | None:
    """Where the centred headline goes (nothing drawn yet); None without words."""
    frame = spec.frame
    text = clean(spec, spec.fonts.heavy)
    if not text:
        return None
    fit = Fit(0.12 * frame.unit, 0.045 * frame.unit, max_lines=4)
    return fit_headline(text, spec.fonts.heavy, text_region(frame), fit, frame)


def _draw_headline(graph: Graph, spec: SceneSpec, block: TextBlock | None) -> None:
    """The headline word by word, with an accent rule drawn in underneath."""
    if block is None:
        return
    frame, palette = spec.frame, spec.palette
    anim = Animation(Entrance.RISE, end=frame.duration)
    animate_block(graph, block, anim, Ink(palette.text, palette.shadow, 0.35), frame)
    width = even(min(block.right - block.left, frame.unit * 0.22))
    x = (frame.width - width) / 2
    _add_rule(graph, spec, x, block.bottom + RULE_GAP * frame.unit, width, 0.5)


def _typeset(graph: Graph, spec: SceneSpec) -> TextBlock | None:
    """Centred headline, word by word, with an accent rule drawn in underneath."""
    block = _set_headline(spec)
    _draw_headline(graph, spec, block)
    return block


def _add_rule(graph: Graph, spec: SceneSpec, x: float, y: float, width: int, start: float) -> None:
    frame = spec.frame
    height = even(max(2, frame.unit * RULE_HEIGHT))
    bar = growing_bar(
        width,
        height,
        spec.palette.accent,
        frame.frames,
        frame.fps,
        ease_out(start, 0.8),
        upward=False,
    )
    graph.overlay(graph.source(bar), num(round(x)), num(round(y)), streamed=True)


def quote_card(spec: SceneSpec) -> Graph:
    """A big quotation mark, the words line by line, left-aligned, a rule drawn beneath."""
    frame, palette, rng = spec.frame, spec.palette, seeded(spec, "quote")
    lx, ly = to_low_res(frame, 0.06, 0.15 * frame.width, 0.1 * frame.height)
    size = round(frame.unit * 1.1 / 4)
    baked = (Placed(tuple(glow(size, palette.glow[0], 0.35)), lx - size / 2, ly - size / 2),)
    look = Backdrop(Gradient(palette.background, (0.0, 0.0), (1.0, 1.0)), baked, math.pi / 4, 0.06)
    graph = backdrop(frame, look, rng.uniform(0, 2 * math.pi))
    add_drifts(graph, glow_drifts(frame, palette.glow[1:], rng, 1, opacity=(0.15, 0.25)))
    mark = 0.34 * frame.unit
    area = text_region(frame, wide=True)
    area = Region(area.x, area.y + 0.14 * frame.unit, area.w, area.h - 0.14 * frame.unit)
    fit = Fit(0.1 * frame.unit, 0.04 * frame.unit, max_lines=5, align=Align.LEFT, line_gap=1.18)
    anim = Animation(Entrance.RISE, start=0.45, stagger=0.22, by_word=False, end=frame.duration)
    ink = Ink(palette.text, palette.shadow, 0.3)
    block = headline(
        graph, clean(spec, spec.fonts.heavy), spec.fonts.heavy, area, fit, anim, ink, frame
    )
    if block is not None:
        _add_quote_mark(graph, spec, block, mark)
        width = even(min(block.right - block.left, frame.unit * 0.25))
        _add_rule(graph, spec, block.left, block.bottom + 0.035 * frame.unit, width, 0.9)
    return graph


def _add_quote_mark(graph: Graph, spec: SceneSpec, block: TextBlock, size: float) -> None:
    # The mark's ink spans roughly 0.74 em to 0.45 em above its baseline.
    baseline = block.top - 0.035 * spec.frame.unit + 0.45 * size
    ink = Ink(spec.palette.accent, None)
    mark = Piece("“", block.left - size * 0.04, baseline)
    enter(graph, spec.fonts.heavy, size, ink, mark, Entrance.RISE, 0.1, 0.7, spec.frame)


def data_scene(spec: SceneSpec) -> Graph:
    """A bar chart for several comparable numbers, a counter for one, else typography."""
    frame, palette, rng = spec.frame, spec.palette, seeded(spec, "data")
    look = Backdrop(Gradient(palette.background, (0.0, 0.0), (0.7, 1.0)), (), math.pi / 5, 0.05)
    graph = backdrop(frame, look, rng.uniform(0, 2 * math.pi))
    add_drifts(graph, glow_drifts(frame, palette.glow, rng, 1, opacity=(0.12, 0.2)))
    text = clean_text(spec.text, spec.fonts.heavy)
    heading, body = split_heading(text)
    points = extract_points(body)
    bars = chart_points(points)
    if not points:
        _typeset(graph, spec)
        return graph
    region = text_region(frame, wide=True)
    if heading:
        region = _chart_heading(graph, spec, heading, region)
    if len(bars) >= 2 and frame.height > frame.width * 1.2:  # tall: stacked rows read better
        add_bar_rows(graph, frame, region, bars, palette, spec.fonts)
    elif len(bars) >= 2:
        add_bar_chart(graph, frame, region, bars, palette, spec.fonts)
    else:
        add_big_stat(graph, frame, region, points[0], heading or text, palette, spec.fonts)
    return graph


def _chart_heading(graph: Graph, spec: SceneSpec, heading: str, region: Region) -> Region:
    """Set the heading at the top of `region`; return the room left below it."""
    unit = spec.frame.unit
    fit = Fit(0.07 * unit, 0.04 * unit, max_lines=2, align=Align.LEFT, anchor=0.0)
    anim = Animation(Entrance.RISE, start=0.1, stagger=0.06, end=None)
    ink = Ink(spec.palette.text, spec.palette.shadow, 0.3)
    top = Region(region.x, region.y, region.w, region.h * 0.3)
    block = headline(graph, heading, spec.fonts.heavy, top, fit, anim, ink, spec.frame)
    if block is None:
        return region
    below = block.bottom + 0.06 * unit
    return Region(region.x, below, region.w, region.bottom - below)
