"""Backdrops: a still painting that a slow virtual camera moves over, plus drifting lights.

The painting (gradient, baked shapes, vignette) is made once at a quarter of the output size,
scaled up once and looped; per frame only a crop moves. That keeps the filter cost near zero
and, because the motion is a pure translation, lets the encoder predict it cheaply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from providers.local.filtergraph import Graph, even, filter_, hold_still, num
from providers.local.motion import wander
from providers.local.spec import Frame

LOW_RES = 4  # the painting is made at 1/LOW_RES of the output size


@dataclass(frozen=True)
class Gradient:
    stops: tuple[str, ...]  # 2..8 colours
    start: tuple[float, float] = (0.0, 0.0)  # as shares of the canvas
    end: tuple[float, float] = (1.0, 1.0)
    radial: bool = False


@dataclass(frozen=True)
class Placed:
    """A sprite chain placed at (x, y), in pixels of the canvas it is placed on."""

    sprite: tuple[str, ...]
    x: float
    y: float


class Camera(StrEnum):
    SWAY = "sway"  # slow drift around the centre
    PAN = "pan"  # steady sideways travel across the whole margin
    RUSH = "rush"  # quicker, wider sway for energetic scenes


@dataclass(frozen=True)
class Backdrop:
    gradient: Gradient
    baked: tuple[Placed, ...] = ()  # soft sprites painted into the low-res still
    vignette: float = math.pi / 5  # vignette angle; 0 for none
    margin: float = 0.08  # camera room around the frame, as a share of each side
    camera: Camera = Camera.SWAY
    sharp: tuple[Placed, ...] = ()  # crisp sprites painted into the still at full size


def canvas_size(frame: Frame, margin: float) -> tuple[int, int]:
    """The full-resolution painting: the frame plus camera room, even-sized."""
    return even(frame.width * (1 + margin)), even(frame.height * (1 + margin))


def to_canvas(frame: Frame, margin: float, x: float, y: float) -> tuple[float, float]:
    """Frame pixel (x, y), with the camera at rest, as a pixel of the full-size painting."""
    width, height = canvas_size(frame, margin)
    return x + (width - frame.width) / 2, y + (height - frame.height) / 2


def low_res_size(frame: Frame, margin: float) -> tuple[int, int]:
    width, height = canvas_size(frame, margin)
    return max(8, round(width / LOW_RES)), max(8, round(height / LOW_RES))


def backdrop(frame: Frame, spec: Backdrop, phase: float) -> Graph:
    """A graph whose main chain is the moving background, `frame`-sized, in yuv420p."""
    low_w, low_h = low_res_size(frame, spec.margin)
    graph = Graph([_gradient_source(spec.gradient, low_w, low_h), "format=rgba"])
    for placed in spec.baked:
        graph.overlay(graph.source(placed.sprite), num(round(placed.x)), num(round(placed.y)))
    width, height = canvas_size(frame, spec.margin)
    steps = []
    if spec.vignette > 0:
        steps.append(filter_("vignette", {"angle": num(spec.vignette), "dither": 0}))
    steps.append(filter_("scale", {"w": width, "h": height, "flags": "bicubic"}))
    graph.apply(steps)
    for placed in spec.sharp:
        graph.overlay(graph.source(placed.sprite), num(round(placed.x)), num(round(placed.y)))
    graph.apply(
        [
            "format=yuv420p",
            *hold_still(frame.frames, frame.fps),
            _camera(frame, spec, width - frame.width, height - frame.height, phase),
        ]
    )
    return graph


def _gradient_source(gradient: Gradient, width: int, height: int) -> str:
    options: dict[str, str | int | float] = {"s": f"{width}x{height}", "r": 1, "d": 1}
    options["n"] = len(gradient.stops)
    for i, stop in enumerate(gradient.stops):
        options[f"c{i}"] = "0x" + stop.removeprefix("#")
    options |= {
        "x0": round(gradient.start[0] * (width - 1)),
        "y0": round(gradient.start[1] * (height - 1)),
        "x1": round(gradient.end[0] * (width - 1)),
        "y1": round(gradient.end[1] * (height - 1)),
        "speed": 0,
        "seed": 1,
        "type": "radial" if gradient.radial else "linear",
    }
    return filter_("gradients", options)


def _camera(frame: Frame, spec: Backdrop, room_x: int, room_y: int, phase: float) -> str:
    half_x, half_y = room_x / 2, room_y / 2
    if spec.camera is Camera.PAN:
        x = f"{num(room_x)}*t/{num(frame.duration)}"
        y = num(half_y)
    else:
        period = 6.0 if spec.camera is Camera.RUSH else 14.0
        x = wander(half_x, half_x, period, phase)
        y = wander(half_y, half_y, period * 1.3, phase + 1.7)
    # exact: move in 1 px steps, not the 2 px of chroma alignment; a half-pixel chroma offset
    # is invisible on a smooth painting, a 2 px judder is not
    return filter_("crop", {"w": frame.width, "h": frame.height, "x": x, "y": y, "exact": 1})


@dataclass(frozen=True)
class Drift:
    """A full-resolution sprite drifting around (cx, cy) on a slow elliptical path."""

    sprite: tuple[str, ...]
    size: tuple[int, int]
    cx: float
    cy: float
    reach_x: float
    reach_y: float
    period: float
    phase: float


def add_drifts(graph: Graph, drifts: tuple[Drift, ...]) -> None:
    for d in drifts:
        label = graph.source(d.sprite)
        x = wander(d.cx - d.size[0] / 2, d.reach_x, d.period, d.phase)
        y = wander(d.cy - d.size[1] / 2, d.reach_y, d.period * 1.37, d.phase + 0.9)
        graph.overlay(label, x, y)
