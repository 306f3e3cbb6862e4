"""Looks that suggest a place or a subject: landscape, action, product, people."""

from __future__ import annotations

import math
import random
import re
from dataclasses import replace

from providers.local.backgrounds import (
    LOW_RES,
    Backdrop,
    Camera,
    Drift,
    Gradient,
    Placed,
    add_drifts,
    backdrop,
    low_res_size,
    to_canvas,
)
from providers.local.filtergraph import Graph, even, num
from providers.local.layout import (
    clean,
    glow_drifts,
    headline,
    seeded,
    text_region,
    to_low_res,
)
from providers.local.motion import ease_out, wander
from providers.local.palettes import mix
from providers.local.spec import Frame, SceneSpec
from providers.local.sprites import (
    band,
    cone,
    disc,
    ellipse,
    glow,
    growing_bar,
    ridge,
    slab,
    streak,
)
from providers.local.typography import Align, Animation, Entrance, Fit, Ink, Region, TextBlock
from providers.types import SceneKind

LANDSCAPE_MARGIN = 0.14  # the camera pans across this much extra width
STREAK_ANGLE = 0.42  # radians above horizontal


def _waves(rng: random.Random) -> tuple[tuple[float, float, float], ...]:
    return (
        (rng.uniform(0.08, 0.13), rng.uniform(0.9, 1.6), rng.uniform(0, 6.3)),
        (rng.uniform(0.03, 0.06), rng.uniform(2.5, 4.5), rng.uniform(0, 6.3)),
        (rng.uniform(0.01, 0.02), rng.uniform(8.0, 12.0), rng.uniform(0, 6.3)),
    )


def landscape(spec: SceneSpec) -> Graph:
    """Sky bands to a glowing horizon, hills in two layers panning at different speeds."""
    frame, palette, rng = spec.frame, spec.palette, seeded(spec, "landscape")
    low_w, low_h = low_res_size(frame, LANDSCAPE_MARGIN)
    sun = round(low_h * 0.8)
    far_colour = mix(palette.shade, palette.background[-2], 0.45)
    baked = (
        Placed(
            tuple(glow(sun, palette.glow[0], 0.8)),
            rng.uniform(0.2, 0.8) * low_w - sun / 2,
            0.56 * low_h - sun / 2,
        ),
        Placed(tuple(ridge(low_w, round(low_h * 0.5), far_colour, _waves(rng))), 0, 0.5 * low_h),
    )
    look = Backdrop(
        Gradient(palette.background, (0.5, 0.0), (0.5, 1.0)),
        baked,
        math.pi / 6,
        LANDSCAPE_MARGIN,
        Camera.PAN,
    )
    graph = backdrop(frame, look, 0.0)
    near_w, near_h = even(frame.width * 1.4), even(frame.height * 0.36)
    near = graph.source(ridge(near_w, near_h, palette.shade, _waves(rng)))
    travel = near_w - frame.width
    graph.overlay(near, f"-{num(travel)}*t/{num(frame.duration)}", num(frame.height - near_h))
    region = text_region(frame, top=0.1, bottom=0.5)
    fit = Fit(0.1 * frame.unit, 0.045 * frame.unit, max_lines=3)
    anim = Animation(Entrance.RISE, start=0.3, stagger=0.1, length=0.9, end=frame.duration)
    ink = Ink(palette.text, "#000000", 0.35)
    headline(graph, clean(spec, spec.fonts.heavy), spec.fonts.heavy, region, fit, anim, ink, frame)
    return graph


def action(spec: SceneSpec) -> Graph:
    """Dark, saturated, light streaks racing diagonally; words slam in from the left."""
    frame, palette, rng = spec.frame, spec.palette, seeded(spec, "action")
    low_w, low_h = low_res_size(frame, 0.12)
    wide, thin = frame.unit * 0.34 / LOW_RES, frame.unit * 0.05 / LOW_RES
    stripes = (  # painted small: a stripe's soft edge is welcome on a background
        Placed(
            tuple(band(low_w, low_h, STREAK_ANGLE, wide, palette.glow[1], 0.16)),
            0,
            rng.uniform(-0.12, 0.12) * low_h,
        ),
        Placed(
            tuple(band(low_w, low_h, STREAK_ANGLE, thin, palette.accent, 0.5)),
            0,
            rng.uniform(0.18, 0.3) * low_h,
        ),
    )
    look = Backdrop(
        Gradient(palette.background, (0.0, 1.0), (1.0, 0.0)),
        stripes,
        math.pi / 4,
        0.12,
        Camera.RUSH,
    )
    graph = backdrop(frame, look, rng.uniform(0, 2 * math.pi))
    add_drifts(graph, glow_drifts(frame, palette.glow[1:], rng, 1, opacity=(0.3, 0.45)))
    for i in range(6):
        _add_streak(graph, frame, palette.glow[i % len(palette.glow)], rng)
    region = text_region(frame)
    fit = Fit(0.12 * frame.unit, 0.045 * frame.unit, max_lines=4)
    anim = Animation(Entrance.FLY, start=0.15, stagger=0.08, length=0.55, end=frame.duration)
    ink = Ink(palette.text, "#000000", 0.5)
    text = clean(spec, spec.fonts.heavy, upper=True)
    headline(graph, text, spec.fonts.heavy, region, fit, anim, ink, frame)
    return graph


def _add_streak(graph: Graph, frame: Frame, hue: str, rng: random.Random) -> None:
    length = round(rng.uniform(0.25, 0.5) * frame.width)
    thickness = max(2, round(rng.uniform(0.005, 0.012) * frame.unit))
    sprite = streak(length, thickness, STREAK_ANGLE, hue, rng.uniform(0.6, 1.0))
    cos_a, sin_a = math.cos(STREAK_ANGLE), math.sin(STREAK_ANGLE)
    sprite_h = even(length * sin_a + thickness * 2)
    span = frame.width / cos_a + 2 * length
    speed = rng.uniform(1.0, 2.2) * frame.width
    lane = rng.uniform(0.35, 1.0) * frame.height + frame.width * math.tan(STREAK_ANGLE) * 0.5
    offset, span_text = num(round(rng.uniform(0, span))), num(round(span))
    travelled = f"(mod({offset}+{num(round(speed))}*t,{span_text})-{length})"
    x = f"{travelled}*{num(round(cos_a, 4))}-{thickness}"
    y = f"{num(round(lane))}-{travelled}*{num(round(sin_a, 4))}-{sprite_h - thickness}"
    graph.overlay(graph.source(sprite), x, y)


def product(spec: SceneSpec) -> Graph:
    """A studio: a spotlight beam onto an empty pedestal, dust drifting in the light."""
    frame, palette, rng = spec.frame, spec.palette, seeded(spec, "product")
    margin, top_y = 0.05, 0.64 * frame.height
    look = Backdrop(
        Gradient(palette.background, (0.5, 0.3), (0.5, 1.25), radial=True),
        _studio_light(spec, margin, top_y),
        math.pi / 4,
        margin,
        sharp=_pedestal(spec, margin, top_y),
    )
    graph = backdrop(frame, look, rng.uniform(0, 2 * math.pi))
    for _ in range(9):
        _add_mote(graph, frame, palette.glow[0], top_y, rng)
    region = text_region(frame, top=0.08, bottom=0.5)
    fit = Fit(0.1 * frame.unit, 0.045 * frame.unit, max_lines=3)
    anim = Animation(Entrance.RISE, start=0.35, stagger=0.1, length=0.8, end=frame.duration)
    ink = Ink(palette.text, "#000000", 0.45)
    headline(graph, clean(spec, spec.fonts.heavy), spec.fonts.heavy, region, fit, anim, ink, frame)
    return graph


def _studio_light(spec: SceneSpec, margin: float, top_y: float) -> tuple[Placed, ...]:
    """The beam and the pool of light on the floor, in low-res painting pixels."""
    frame, palette = spec.frame, spec.palette
    cx, top = to_low_res(frame, margin, frame.width / 2, top_y)
    beam_w, pool_w = frame.unit * 1.3 / 4, frame.unit * 1.1 / 4
    floor = top + frame.height * 0.3 / 4
    return (
        Placed(
            tuple(cone(round(beam_w), round(top), palette.glow[0], 0.32, 0.12)), cx - beam_w / 2, 0
        ),
        Placed(
            tuple(ellipse(round(pool_w), round(pool_w * 0.2), palette.glow[0], 0.25, 0.9)),
            cx - pool_w / 2,
            floor - pool_w * 0.1,
        ),
    )


def _pedestal(spec: SceneSpec, margin: float, top_y: float) -> tuple[Placed, ...]:
    """A cylinder (body, rounded base, lit top) in full-size painting pixels."""
    frame, palette = spec.frame, spec.palette
    cx, top = to_canvas(frame, margin, frame.width / 2, top_y)
    width = even(frame.unit * 0.5)
    lid_h, body_h = even(width * 0.22), even(frame.height * 0.3)
    body, lid = mix(palette.shade, "#000000", 0.25), mix(palette.shade, "#ffffff", 0.22)
    left = cx - width / 2
    return (
        Placed(tuple(slab(width, body_h, body, 0.35)), left, top),
        Placed(tuple(ellipse(width, lid_h, body, 1.0, 0.02)), left, top + body_h - lid_h / 2),
        Placed(tuple(ellipse(width, lid_h, lid, 1.0, 0.015)), left, top - lid_h / 2),
    )


def _add_mote(graph: Graph, frame: Frame, hue: str, floor: float, rng: random.Random) -> None:
    size = even(max(4, rng.uniform(0.006, 0.014) * frame.unit))
    sprite = disc(size, hue, rng.uniform(0.35, 0.75), softness=0.35)
    cx = frame.width / 2 + rng.uniform(-0.22, 0.22) * frame.unit
    rise = rng.uniform(0.015, 0.05) * frame.height
    start_y = rng.uniform(0.15, 1.0) * floor
    x = wander(cx, rng.uniform(0.01, 0.03) * frame.unit, rng.uniform(5, 9), rng.uniform(0, 6.3))
    graph.overlay(graph.source(sprite), x, f"{num(round(start_y))}-{num(round(rise))}*t")


def portrait(spec: SceneSpec) -> Graph:
    """Warm bokeh and a lower-third style title card (kept above the caption band)."""
    frame, palette, rng = spec.frame, spec.palette, seeded(spec, "portrait")
    many = spec.kind is SceneKind.PEOPLE
    look = Backdrop(
        Gradient(palette.background, (0.0, 0.2), (1.0, 0.8)),
        (),
        math.pi / 4,
        0.08,
        sharp=_bokeh(spec, rng, 10 if many else 6),
    )
    graph = backdrop(frame, look, rng.uniform(0, 2 * math.pi))
    add_drifts(graph, _moving_bokeh(frame, palette.glow, rng, 4 if many else 3))
    title, subtitle = split_title(clean(spec, spec.fonts.heavy))
    _title_card(graph, spec, title, subtitle)
    return graph


def _bokeh(spec: SceneSpec, rng: random.Random, count: int) -> tuple[Placed, ...]:
    """Out-of-focus lights painted into the still, in full-size painting pixels."""
    frame = spec.frame
    placed = []
    for i in range(count):
        size = even(rng.uniform(0.1, 0.3) * frame.unit * (1.5 if count < 8 else 1.0))
        sprite = disc(size, spec.palette.glow[i % len(spec.palette.glow)], rng.uniform(0.1, 0.3))
        x, y = to_canvas(
            frame,
            0.08,
            rng.uniform(-0.05, 1.0) * frame.width,
            rng.uniform(-0.05, 0.95) * frame.height,
        )
        placed.append(Placed(tuple(sprite), x - size / 2, y - size / 2))
    return tuple(placed)


def _moving_bokeh(
    frame: Frame, colors: tuple[str, ...], rng: random.Random, count: int
) -> tuple[Drift, ...]:
    drifts = []
    for i in range(count):
        size = even(rng.uniform(0.08, 0.2) * frame.unit)
        drifts.append(
            Drift(
                tuple(disc(size, colors[i % len(colors)], rng.uniform(0.12, 0.25))),
                (size, size),
                rng.uniform(0.05, 0.95) * frame.width,
                rng.uniform(0.05, 0.9) * frame.height,
                rng.uniform(0.04, 0.1) * frame.unit,
                rng.uniform(0.02, 0.06) * frame.unit,
                rng.uniform(10, 18),
                rng.uniform(0, 2 * math.pi),
            )
        )
    return tuple(drifts)


def split_title(text: str) -> tuple[str, str]:
    """Name and role: split at a dash, bar or colon, else after a first sentence of 3+ words."""
    parts = re.split(r"\s+[—–|-]\s+|:\s+", text, maxsplit=1)
    if len(parts) < 2:
        sentence = re.search(r"^(\S+\s+){2,}\S*[.!?]\s+", text)
        parts = [text[: sentence.end()], text[sentence.end() :]] if sentence else [text]
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        return parts[0].strip(), parts[1].strip()
    return text, ""


def _title_card(graph: Graph, spec: SceneSpec, title: str, subtitle: str) -> None:
    frame, palette = spec.frame, spec.palette
    area = text_region(frame, wide=True)
    bar_w = even(max(4, frame.unit * 0.01))
    left = area.x + bar_w + 0.045 * frame.unit
    width = area.w * 0.85
    ink = Ink(palette.text, None, box=palette.shade, box_alpha=0.55, box_pad=0.28)
    anim = Animation(
        Entrance.SLIDE,
        start=0.35,
        stagger=0.16,
        length=0.6,
        by_word=False,
        end=frame.duration,
    )
    title_fit = Fit(0.1 * frame.unit, 0.045 * frame.unit, max_lines=2, align=Align.LEFT, anchor=1.0)
    title_area = Region(left, 0.3 * frame.height, width, 0.24 * frame.height)
    top = headline(graph, title, spec.fonts.heavy, title_area, title_fit, anim, ink, frame)
    if top is None:
        return
    bottom = _subtitle(graph, spec, subtitle, top, left, width, anim)
    pad = top.size * 0.3
    _add_side_bar(graph, spec, area.x, top.top - pad, bottom + pad, bar_w)


def _subtitle(
    graph: Graph,
    spec: SceneSpec,
    text: str,
    above: TextBlock,
    left: float,
    width: float,
    anim: Animation,
) -> float:
    """Set the secondary line under the title; return the card's bottom edge."""
    frame = spec.frame
    if not text:
        return above.bottom
    y = above.bottom + above.size * 0.45
    room = Region(left, y, width, max(frame.height * 0.68 - y, above.size))
    fit = Fit(0.052 * frame.unit, 0.03 * frame.unit, max_lines=2, align=Align.LEFT, anchor=0.0)
    ink = Ink(spec.palette.muted, None, box=spec.palette.shade, box_alpha=0.45, box_pad=0.35)
    later = replace(anim, start=anim.start + 0.35)
    block = headline(graph, text, spec.fonts.medium, room, fit, later, ink, frame)
    return block.bottom if block else above.bottom


def _add_side_bar(
    graph: Graph, spec: SceneSpec, x: float, top: float, bottom: float, width: int
) -> None:
    frame = spec.frame
    height = even(bottom - top)
    bar = growing_bar(
        width, height, spec.palette.accent, frame.frames, frame.fps, ease_out(0.2, 0.6), upward=True
    )
    graph.overlay(graph.source(bar), num(round(x)), num(round(top)), streamed=True)
