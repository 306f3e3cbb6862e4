"""Looks where the words are the picture: bold typography, the quote card, data graphics."""

from __future__ import annotations

import math

from providers.local.backgrounds import Backdrop, Drift, Gradient, Placed, add_drifts, backdrop
from providers.local.chart import add_bar_chart, add_bar_rows, add_big_stat
from providers.local.filtergraph import Graph, even, num
from providers.local.layout import (
    clean,
    glow_drifts,
    headline,
    seeded,
    text_region,
    to_low_res,
)
from providers.local.motion import ease_out
from providers.local.numbers import chart_points, extract_points, split_heading
from providers.local.spec import SceneSpec
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
    clean_text,
    enter,
)

_DIRECTIONS = (
    ((0.0, 0.0), (1.0, 1.0)),
    ((1.0, 0.0), (0.0, 1.0)),
    ((0.0, 1.0), (1.0, 0.3)),
    ((0.5, 0.0), (0.5, 1.0)),
)


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
    add_drifts(graph, (*_bold_shapes(spec), *glow_drifts(frame, palette.glow[1:], rng, 1)))
    _typeset(graph, spec)
    return graph


def _bold_shapes(spec: SceneSpec) -> tuple[Drift, ...]:
    """A ring and a solid disc floating near opposite corners, clear of the text."""
    frame, palette, rng = spec.frame, spec.palette, seeded(spec, "shapes")
    ring_d, disc_d = even(frame.unit * 0.5), even(frame.unit * 0.17)
    left_first = rng.random() < 0.5
    ring_x = (0.12 if left_first else 0.88) * frame.width
    disc_x = (0.86 if left_first else 0.14) * frame.width
    return (
        Drift(
            tuple(ring(ring_d, 0.03, palette.accent, 0.6)),
            (ring_d, ring_d),
            ring_x,
            0.22 * frame.height,
            0.04 * frame.unit,
            0.03 * frame.unit,
            11.0,
            rng.uniform(0, 6),
        ),
        Drift(
            tuple(disc(disc_d, palette.glow[-1], 0.9)),
            (disc_d, disc_d),
            disc_x,
            0.62 * frame.height,
            0.03 * frame.unit,
            0.05 * frame.unit,
            9.0,
            rng.uniform(0, 6),
        ),
    )


def _typeset(graph: Graph, spec: SceneSpec) -> TextBlock | None:
    """Centred headline, word by word, with an accent rule drawn in underneath."""
    frame, palette = spec.frame, spec.palette
    region = text_region(frame)
    fit = Fit(0.12 * frame.unit, 0.045 * frame.unit, max_lines=4)
    anim = Animation(Entrance.RISE, end=frame.duration)
    ink = Ink(palette.text, palette.shadow, 0.35)
    block = headline(
        graph, clean(spec, spec.fonts.heavy), spec.fonts.heavy, region, fit, anim, ink, frame
    )
    if block is not None:
        width = even(min(block.right - block.left, frame.unit * 0.22))
        x = (frame.width - width) / 2
        _add_rule(graph, spec, x, block.bottom + 0.04 * frame.unit, width, 0.5)
    return block


def _add_rule(graph: Graph, spec: SceneSpec, x: float, y: float, width: int, start: float) -> None:
    frame = spec.frame
    height = even(max(2, frame.unit * 0.008))
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
