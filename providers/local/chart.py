"""Animated data graphics: a bar chart for several comparable numbers, a big counter for one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from providers.local.filtergraph import Graph, color, even, filter_, num
from providers.local.fonts import FontFace
from providers.local.motion import ease_out, fade_window
from providers.local.numbers import DataPoint
from providers.local.palettes import Palette
from providers.local.spec import Fonts, Frame
from providers.local.sprites import growing_bar
from providers.local.typography import (
    CAP_HEIGHT,
    ELLIPSIS,
    Animation,
    Entrance,
    Fit,
    Ink,
    Piece,
    Region,
    animate_block,
    drawtext,
    enter,
    fit_block,
)

BAR_START = 0.45  # seconds before the first bar starts growing
BAR_STAGGER = 0.14
BAR_GROW = 0.9
COUNT_UP = 1.4  # seconds the big number takes to count up
MAX_COUNTED = 10_000  # larger numbers are shown as written instead of counting up


def _fitted_size(face: FontFace, texts: Sequence[str], width: float, largest: float) -> float:
    widest = max((face.width(t, 1.0) for t in texts), default=0.0)
    return min(largest, width / widest) if widest > 0 else largest


def _ellipsized(face: FontFace, text: str, size: float, width: float) -> str:
    if face.width(text, size) <= width:
        return text
    while len(text) > 1 and face.width(text + ELLIPSIS, size) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def add_bar_chart(
    graph: Graph,
    frame: Frame,
    region: Region,
    points: Sequence[DataPoint],
    palette: Palette,
    fonts: Fonts,
) -> None:
    """Bars growing from a baseline in turn, each carrying its value, labelled underneath."""
    unit = frame.unit
    slot = region.w / len(points)
    value_size = _fitted_size(fonts.bold, [p.display for p in points], slot * 0.9, 0.055 * unit)
    label_size = max(
        _fitted_size(fonts.medium, [p.label for p in points], slot * 0.94, 0.04 * unit),
        0.024 * unit,
    )
    baseline = region.bottom - label_size * 1.9
    tallest = baseline - region.y - value_size * 1.6
    top_value = max(p.value for p in points) or 1.0
    _add_axis(graph, frame, region, baseline, tallest, palette)
    for i, point in enumerate(points):
        height = max(tallest * point.value / top_value, 0.012 * unit)
        start = BAR_START + i * BAR_STAGGER
        cx = region.x + slot * (i + 0.5)
        _add_bar(graph, frame, (cx, baseline, slot * 0.58, height), start, palette.bars[i % 6])
        _add_bar_texts(
            graph,
            frame,
            point,
            (cx, baseline, height),
            start,
            palette,
            fonts,
            (value_size, label_size, slot),
        )


def _add_axis(
    graph: Graph, frame: Frame, region: Region, baseline: float, tallest: float, palette: Palette
) -> None:
    thin = max(1, round(frame.unit * 0.0015))
    graph.apply(
        filter_(
            "drawbox",
            {
                "x": round(region.x),
                "y": round(baseline - tallest * k / 4),
                "w": round(region.w),
                "h": thin,
                "color": color(palette.muted, 0.14),
                "t": "fill",
            },
        )
        for k in range(1, 5)
    )
    axis = growing_bar(
        round(region.w),
        max(2, round(frame.unit * 0.004)),
        palette.muted,
        frame.frames,
        frame.fps,
        ease_out(0.1, 0.7),
        upward=False,
    )
    graph.overlay(graph.source(axis), num(round(region.x)), num(round(baseline)), streamed=True)


def _add_bar(
    graph: Graph, frame: Frame, box: tuple[float, float, float, float], start: float, hue: str
) -> None:
    cx, baseline, width, height = box
    bar = growing_bar(
        even(width),
        even(height),
        hue,
        frame.frames,
        frame.fps,
        ease_out(start, BAR_GROW),
        upward=True,
    )
    x, y = round(cx - even(width) / 2), round(baseline - even(height))
    graph.overlay(graph.source(bar), num(x), num(y), streamed=True)


def _add_bar_texts(
    graph: Graph,
    frame: Frame,
    point: DataPoint,
    bar: tuple[float, float, float],
    start: float,
    palette: Palette,
    fonts: Fonts,
    sizes: tuple[float, float, float],
) -> None:
    cx, baseline, height = bar
    value_size, label_size, slot = sizes
    ink = Ink(palette.text, palette.shadow, 0.25)
    value_x = cx - fonts.bold.width(point.display, value_size) / 2
    value = Piece(point.display, value_x, baseline - value_size * 0.45)
    lift = f"{num(round(height, 1))}*{ease_out(start, BAR_GROW)}"
    enter(
        graph, fonts.bold, value_size, ink, value, Entrance.RISE, start + 0.1, 0.5, frame, lift=lift
    )
    if point.label:
        text = _ellipsized(fonts.medium, point.label, label_size, slot * 0.94)
        label_x = cx - fonts.medium.width(text, label_size) / 2
        label = Piece(text, label_x, baseline + label_size * (0.55 + CAP_HEIGHT))
        label_start = 0.15 + start * 0.3
        enter(
            graph,
            fonts.medium,
            label_size,
            Ink(palette.muted, None),
            label,
            Entrance.RISE,
            label_start,
            0.6,
            frame,
        )


def add_big_stat(
    graph: Graph,
    frame: Frame,
    region: Region,
    point: DataPoint,
    caption: str,
    palette: Palette,
    fonts: Fonts,
) -> None:
    """One number, counting up, with a progress bar for a percentage and the sentence below."""
    unit = frame.unit
    size = _fitted_size(fonts.heavy, [point.display], region.w * 0.9, 0.26 * unit)
    meter = point.unit == "%" and 0 <= point.value <= 100
    caption_fit = Fit(0.05 * unit, 0.03 * unit, max_lines=2, line_gap=1.2)
    caption_height = caption_fit.max_size * (CAP_HEIGHT + 0.22 + 1.2)
    used = size * CAP_HEIGHT + (0.08 * unit if meter else 0) + 0.06 * unit + caption_height
    top = region.y + max(0.0, (region.h - used) / 2)
    baseline = top + size * CAP_HEIGHT
    _add_counter(graph, fonts.heavy, point, size, region.x + region.w / 2, baseline, palette)
    below = baseline + 0.05 * unit
    if meter:
        _add_meter(graph, frame, region, below, point.value, palette)
        below += 0.08 * unit
    caption_region = Region(region.x, below, region.w, max(region.bottom - below, size * 0.3))
    block = fit_block(caption, fonts.medium, caption_region, replace(caption_fit, anchor=0.0))
    anim = Animation(start=0.6, stagger=0.15, by_word=False, end=None)
    animate_block(graph, block, anim, Ink(palette.muted, palette.shadow, 0.25), frame)


def counter_text(point: DataPoint, grown: str) -> str | None:
    """drawtext text (expansion on) that counts from 0 to the value, or None to show it as is."""
    digits, written = point.digits, digits_in(point)
    if written != digits or not re.fullmatch(r"\d+(\.\d+)?", digits):
        return None  # grouped ("1,234") or odd numbers are shown exactly as written
    if float(digits) >= MAX_COUNTED:
        return None
    head, _, tail = point.display.partition(written)
    decimals = len(digits.partition(".")[2])
    scale = 10**decimals
    shown = f"round({digits}*{grown}*{scale})"
    number = f"%{{eif:trunc({shown}/{scale}):d}}"
    if decimals:
        number += f".%{{eif:mod({shown},{scale}):d:{decimals}}}"
    return _literal(head) + number + _literal(tail)


def digits_in(point: DataPoint) -> str:
    """The number as it appears in `display` (grouping commas included)."""
    match = re.search(r"[\d.,]*\d", point.display)
    return match.group(0) if match else point.digits


def _literal(text: str) -> str:
    # drawtext's own expansion treats backslash and percent as special
    return re.sub(r"([\\%])", r"\\\1", text)


def _add_counter(
    graph: Graph,
    face: FontFace,
    point: DataPoint,
    size: float,
    cx: float,
    baseline: float,
    palette: Palette,
) -> None:
    grown = ease_out(0.3, COUNT_UP)
    ink = Ink(palette.text, palette.shadow, 0.3)
    x = num(round(cx - face.width(point.display, size) / 2, 1))
    y = f"{num(round(baseline, 1))}+{num(round(size * 0.15, 1))}*(1-{grown})"
    alpha = fade_window(0.3, 0.4, None, 0)
    text = counter_text(point, grown)
    if text is None:
        graph.apply([drawtext(face, point.display, size, ink, x, y, alpha)])
    else:
        graph.apply([drawtext(face, text, size, ink, x, y, alpha, expansion="normal")])


def _add_meter(
    graph: Graph, frame: Frame, region: Region, y: float, percent: float, palette: Palette
) -> None:
    width, height = even(region.w * 0.7), even(max(4, frame.unit * 0.014))
    x = round(region.x + (region.w - width) / 2)
    graph.apply(
        [
            filter_(
                "drawbox",
                {
                    "x": x,
                    "y": round(y),
                    "w": width,
                    "h": height,
                    "color": color(palette.muted, 0.25),
                    "t": "fill",
                },
            )
        ]
    )
    filled = even(max(2, width * percent / 100))
    fill = growing_bar(
        filled,
        height,
        palette.accent,
        frame.frames,
        frame.fps,
        ease_out(0.3, COUNT_UP),
        upward=False,
    )
    graph.overlay(graph.source(fill), num(x), num(round(y)), streamed=True)


def add_bar_rows(
    graph: Graph,
    frame: Frame,
    region: Region,
    points: Sequence[DataPoint],
    palette: Palette,
    fonts: Fonts,
) -> None:
    """The bar chart for a tall frame: one row per number, stacked down the frame, each a
    label over a bar that grows rightwards, its value set at the bar's end."""
    unit, n = frame.unit, len(points)
    row = min(region.h / n, 0.34 * unit)
    value_size = _fitted_size(fonts.bold, [p.display for p in points], region.w * 0.3, 0.09 * unit)
    label_size = max(
        _fitted_size(fonts.medium, [p.label for p in points], region.w, 0.065 * unit),
        0.035 * unit,
    )
    thick = even(min(row * 0.4, 0.1 * unit))
    room = region.w - max(fonts.bold.width(p.display, value_size) for p in points) - 0.04 * unit
    top_value = max(p.value for p in points) or 1.0
    top = region.y + max(0.0, (region.h - row * n) / 2)
    for i, point in enumerate(points):
        start = BAR_START + i * BAR_STAGGER
        y = top + i * row
        if point.label:
            text = _ellipsized(fonts.medium, point.label, label_size, region.w)
            label = Piece(text, region.x, y + label_size * CAP_HEIGHT)
            ink = Ink(palette.muted, None)
            enter(
                graph, fonts.medium, label_size, ink, label, Entrance.RISE, start * 0.5, 0.6, frame
            )
        bar_y = y + label_size * (CAP_HEIGHT + 0.45)
        width = even(max(room * point.value / top_value, 0.012 * unit))
        bar = growing_bar(
            width, thick, palette.bars[i % 6], frame.frames, frame.fps,
            ease_out(start, BAR_GROW), upward=False,
        )  # fmt: skip
        graph.overlay(graph.source(bar), num(round(region.x)), num(round(bar_y)), streamed=True)
        value = Piece(
            point.display,
            region.x + width + 0.03 * unit,
            bar_y + thick / 2 + value_size * CAP_HEIGHT / 2,
        )
        ink = Ink(palette.text, palette.shadow, 0.25)
        settle = start + BAR_GROW * 0.6
        enter(graph, fonts.bold, value_size, ink, value, Entrance.RISE, settle, 0.5, frame)
