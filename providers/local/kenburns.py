"""Ken Burns: a slow zoom and pan over the reference image, with the title set over it."""

from __future__ import annotations

from providers.local.filtergraph import Graph, filter_, hold_still, num
from providers.local.layout import clean, headline, seeded, text_region
from providers.local.motion import ease_in_out
from providers.local.spec import SceneSpec
from providers.local.sprites import scrim
from providers.local.typography import Animation, Entrance, Fit, Ink

ZOOM = 0.12  # how much closer the camera ends up (or starts, when zooming out)
IMAGE_INPUT = "0:v"


def ken_burns(spec: SceneSpec) -> Graph:
    """Input 0 must be the image. Zoom direction and pan path are chosen from the seed."""
    frame, rng = spec.frame, seeded(spec, "kenburns")
    width, height = frame.width, frame.height
    cover = [
        "trim=end_frame=1",  # the first frame of whatever the file holds
        filter_(
            "scale",
            {
                "w": width,
                "h": height,
                "force_original_aspect_ratio": "increase",
                "flags": "lanczos",
            },
        ),
        filter_("crop", {"w": width, "h": height}),
        "setsar=1",
        "format=rgba",
    ]
    graph = Graph(cover, inputs=[IMAGE_INPUT])
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
            filter_(
                "crop",
                {
                    "w": width,
                    "h": height,
                    "x": f"(iw-{width})*({num(x0)}+{num(x1 - x0)}*{move})",
                    "y": f"(ih-{height})*({num(y0)}+{num(y1 - y0)}*{move})",
                    "exact": 1,
                },
            ),
        ]
    )
    region = text_region(frame, top=0.08, bottom=0.45)
    fit = Fit(0.095 * frame.unit, 0.045 * frame.unit, max_lines=3)
    anim = Animation(Entrance.RISE, start=0.4, stagger=0.1, length=0.8, end=frame.duration)
    ink = Ink("#ffffff", "#000000", 0.55)
    headline(graph, clean(spec, spec.fonts.heavy), spec.fonts.heavy, region, fit, anim, ink, frame)
    return graph
