"""Ken Burns: a slow zoom and pan over the reference image, with the title set over it."""

from __future__ import annotations

from providers.local.filtergraph import Graph, filter_, hold_still, num
from providers.local.layout import clean, headline, seeded, text_region
from providers.local.motion import ease_in_out
from providers.local.spec import Frame, SceneSpec
from providers.local.sprites import scrim
from providers.local.typography import Animation, Entrance, Fit, Ink

ZOOM = 0.12  # how much closer the camera ends up (or starts, when zooming out)
PAN_FROM = 0.05  # a pan runs from this share of the overflow to 1 minus it
IMAGE_INPUT = "0:v"


def ken_burns(spec: SceneSpec) -> Graph:
    """Input 0 must be the image. The camera's path is chosen per frame shape and seed: a zoom
    with a drift in a wide frame; in a tall or square one, which shows only a slice of a wide
    picture, a pan from one side of the picture to the other, so all of it is seen."""
    frame = spec.frame
    graph = _zoom(spec) if frame.landscape else _pan(spec)
    region = text_region(frame, top=0.08, bottom=0.45)
    fit = Fit(0.095 * frame.unit, 0.045 * frame.unit, max_lines=3)
    anim = Animation(Entrance.RISE, start=0.4, stagger=0.1, length=0.8, end=frame.duration)
    ink = Ink("#ffffff", "#000000", 0.55)
    headline(graph, clean(spec, spec.fonts.heavy), spec.fonts.heavy, region, fit, anim, ink, frame)
    return graph


def _cover(frame: Frame, crop: bool) -> list[str]:
    """The first frame of the image scaled to cover the frame (and cut to it, if `crop`)."""
    steps = [
        "trim=end_frame=1",  # the first frame of whatever the file holds
        filter_(
            "scale",
            {
                "w": frame.width,
                "h": frame.height,
                "force_original_aspect_ratio": "increase",
                "flags": "lanczos",
            },
        ),
    ]
    if crop:
        steps.append(filter_("crop", {"w": frame.width, "h": frame.height}))
    return [*steps, "setsar=1", "format=rgba"]


def _zoom(spec: SceneSpec) -> Graph:
    frame, rng = spec.frame, seeded(spec, "kenburns")
    width, height = frame.width, frame.height
    graph = Graph(_cover(frame, crop=True), inputs=[IMAGE_INPUT])
    # The scrim darkens the top where the title sits; painting it into the still zooms it too.
    graph.overlay(graph.source(scrim(width, round(height * 0.62), 0.6)), "0", "0")
    move = ease_in_out(0, frame.duration)
    zoom_in = rng.random() < 0.7
    zoom = f"(1+{num(ZOOM)}*{move})" if zoom_in else f"(1+{num(ZOOM)}*(1-{move}))"
    (x0, y0), (x1, y1) = (rng.uniform(0.2, 0.8), rng.uniform(0.3, 0.7)), (0.5, 0.5)
    if rng.random() < 0.5:
        (x0, y0), (x1, y1) = (x1, y1), (x0, y0)
    graph.apply(
        [
            "format=yuv420p",
            *hold_still(frame.frames, frame.fps),
            filter_(
                "scale",
                {
                    "w": f"2*trunc({width}*{zoom}/2)",
                    "h": f"2*trunc({height}*{zoom}/2)",
                    "eval": "frame",
                    "flags": "bilinear",
                },
            ),
            _window(frame, (x0, y0), (x1, y1), move),
        ]
    )
    return graph


def _pan(spec: SceneSpec) -> Graph:
    frame, rng = spec.frame, seeded(spec, "kenburns")
    graph = Graph(_cover(frame, crop=False), inputs=[IMAGE_INPUT])
    move = ease_in_out(0, frame.duration)
    ends = (PAN_FROM, 1 - PAN_FROM)
    start, end = ends if rng.random() < 0.5 else ends[::-1]
    # Only a window moves over the whole covered picture, so the still is never rescaled.
    graph.apply(
        [
            "format=yuv420p",
            *hold_still(frame.frames, frame.fps),
            _window(frame, (start, start), (end, end), move),
        ]
    )
    # The scrim goes on after the window: the covered picture's size depends on the image.
    graph.overlay(graph.source(scrim(frame.width, round(frame.height * 0.55), 0.6)), "0", "0")
    return graph


def _window(frame: Frame, start: tuple[float, float], end: tuple[float, float], move: str) -> str:
    """A frame-sized window travelling from `start` to `end` (shares of the overflow)."""
    (x0, y0), (x1, y1) = start, end
    return filter_(
        "crop",
        {
            "w": frame.width,
            "h": frame.height,
            "x": f"(iw-{frame.width})*({num(x0)}+{num(x1 - x0)}*{move})",
            "y": f"(ih-{frame.height})*({num(y0)}+{num(y1 - y0)}*{move})",
            "exact": 1,
        },
    )
