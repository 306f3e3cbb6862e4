"""Shapes as filter chains: each sprite is one RGBA frame painted once with `geq`.

A sprite is computed a single time and `overlay` keeps reusing its last frame, so even a
per-pixel expression costs nothing per video frame. Soft shapes are painted small and scaled
up, since a blur looks the same at any resolution.
"""

from __future__ import annotations

import math

from providers.local.filtergraph import OptionValue, color, even, filter_, hold_still, num


def _rgb(hex_rgb: str) -> tuple[int, int, int]:
    value = hex_rgb.removeprefix("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _painted(width: int, height: int, hex_rgb: str, alpha: str, detail: float) -> list[str]:
    """A `width` x `height` sprite of one colour whose opacity is `alpha` (0..255, of X, Y, W, H).

    The expression is evaluated at `detail` x the size and scaled up, for smooth shapes. Only
    the alpha plane is computed per pixel: it is painted in grey, copied into the alpha channel,
    and the colour channels are then set by a lookup table.
    """
    low_w, low_h = max(2, round(width * detail)), max(2, round(height * detail))
    r, g, b = _rgb(hex_rgb)
    steps = [
        filter_("color", {"c": "black", "s": f"{low_w}x{low_h}", "r": 1, "d": 1}),
        "format=gray",
        filter_("geq", {"lum": alpha}),
    ]
    if (low_w, low_h) != (width, height):
        steps.append(filter_("scale", {"w": width, "h": height, "flags": "bicubic"}))
    return [
        *steps,
        "format=rgba",
        filter_("colorchannelmixer", {"ar": 1, "aa": 0}),
        filter_("lutrgb", {"r": r, "g": g, "b": b}),
    ]


def glow(diameter: int, hex_rgb: str, opacity: float) -> list[str]:
    """A soft round light: Gaussian falloff, fully transparent at its edge."""
    alpha = f"{num(255 * opacity)}*exp(-((X-W/2)^2+(Y-H/2)^2)/(2*(W/6)^2))"
    return _painted(diameter, diameter, hex_rgb, alpha, 0.25)


def disc(diameter: int, hex_rgb: str, opacity: float, softness: float = 0.04) -> list[str]:
    """A bokeh disc: flat, with a soft rim and a slightly brighter edge."""
    edge = f"clip((W/2-hypot(X-W/2,Y-H/2))/(W*{num(softness)}),0,1)"
    rim = "(0.8+0.2*clip(hypot(X-W/2,Y-H/2)/(W/2),0,1))"
    return _painted(diameter, diameter, hex_rgb, f"{num(255 * opacity)}*{edge}*{rim}", 0.35)


def ring(diameter: int, thickness: float, hex_rgb: str, opacity: float) -> list[str]:
    """An outlined circle; `thickness` as a share of the diameter."""
    distance = f"abs(hypot(X-W/2,Y-H/2)-W*{num(0.5 - thickness)})"
    alpha = f"{num(255 * opacity)}*clip(1-{distance}/(W*{num(thickness / 2)}),0,1)"
    return _painted(diameter, diameter, hex_rgb, alpha, 0.5)


def ridge(
    width: int, height: int, hex_rgb: str, waves: tuple[tuple[float, float, float], ...]
) -> list[str]:
    """A hill line: opaque below `sum(amp*sin(freq*2pi*X/W+phase))`, amp a share of height."""
    crest = "+".join(f"{num(a)}*H*sin({num(f)}*2*PI*X/W+{num(p)})" for a, f, p in waves)
    line = f"(H*0.45+{crest})"
    return _painted(width, height, hex_rgb, f"255*clip((Y-{line})/2,0,1)", 0.35)


def streak(length: int, thickness: int, angle: float, hex_rgb: str, opacity: float) -> list[str]:
    """A light streak rising at `angle` radians, bright at its head, fading along its tail."""
    cos_a, sin_a = round(math.cos(angle), 4), round(math.sin(angle), 4)
    width = even(length * cos_a + thickness * 2)
    height = even(length * sin_a + thickness * 2)
    detail = 0.35
    # In painted pixels: u runs along the streak from its tail (bottom left), v across it.
    pad, run, core = thickness * detail, length * detail, max(thickness * detail / 3, 0.6)
    u = f"((X-{num(pad)})*{num(cos_a)}+(H-{num(pad)}-Y)*{num(sin_a)})"
    v = f"((X-{num(pad)})*{num(sin_a)}-(H-{num(pad)}-Y)*{num(cos_a)})"
    across = f"exp(-({v})^2/(2*{num(core)}^2))"
    along = f"pow(clip({u}/{num(run)},0,1),1.6)*clip(({num(run)}-{u})/{num(pad)},0,1)"
    return _painted(width, height, hex_rgb, f"{num(255 * opacity)}*{across}*{along}", detail)


def cone(width: int, height: int, hex_rgb: str, opacity: float, top_share: float) -> list[str]:
    """A spotlight beam from the top centre, widening downwards and fading towards its sides."""
    half = f"(W/2*({num(top_share)}+(1-{num(top_share)})*Y/H))"
    across = f"pow(clip(1-abs(X-W/2)/{half},0,1),1.5)"
    # brighter towards the floor, then fading out just before it so the beam has no hard edge
    fade = "(0.35+0.65*Y/H)*clip((H-Y)/(0.2*H),0,1)"
    return _painted(width, height, hex_rgb, f"{num(255 * opacity)}*{across}*{fade}", 0.25)


def ellipse(width: int, height: int, hex_rgb: str, opacity: float, softness: float) -> list[str]:
    """A filled ellipse with a soft edge (pedestal tops, floor pools of light)."""
    distance = "hypot((X-W/2)/(W/2),(Y-H/2)/(H/2))"
    alpha = f"{num(255 * opacity)}*clip((1-{distance})/{num(softness)},0,1)"
    return _painted(width, height, hex_rgb, alpha, 0.5)


def scrim(width: int, height: int, opacity: float) -> list[str]:
    """Black at the top fading to clear at the bottom: keeps type readable over photos."""
    return _painted(width, height, "#000000", f"{num(255 * opacity)}*pow(1-Y/H,1.4)", 0.25)


def growing_bar(
    width: int, height: int, hex_rgb: str, frames: int, fps: int, grown: str, upward: bool
) -> list[str]:
    """A bar that grows to full size as `grown` (an expression of t) goes from 0 to 1.

    A window slides over a still twice the bar's size, half clear and half solid, so the solid
    part appears to grow from the bottom (`upward`) or from the left.
    """
    canvas = f"{width}x{2 * height}" if upward else f"{2 * width}x{height}"
    solid = {"x": 0, "y": height} if upward else {"x": 0, "y": 0}
    window: dict[str, OptionValue] = (
        {"x": 0, "y": f"{height}*{grown}"} if upward else {"x": f"{width}*(1-{grown})", "y": 0}
    )
    return [
        filter_("color", {"c": "black@0", "s": canvas, "r": 1, "d": 1}),
        "format=rgba",
        filter_(
            "drawbox",
            {**solid, "w": width, "h": height, "color": color(hex_rgb), "t": "fill", "replace": 1},
        ),
        *hold_still(frames, fps),
        filter_("crop", {"w": width, "h": height, **window}),
    ]


def band(
    width: int, height: int, angle: float, thickness: float, hex_rgb: str, opacity: float
) -> list[str]:
    """A straight stripe through the sprite's centre, rising at `angle` radians."""
    sin_a, cos_a = num(round(math.sin(angle), 4)), num(round(math.cos(angle), 4))
    across = f"abs((X-W/2)*{sin_a}+(Y-H/2)*{cos_a})"
    # painted at half size, so half the half-thickness; the edge is one painted pixel soft
    alpha = f"{num(255 * opacity)}*clip({num(thickness / 4)}-{across},0,1)"
    return _painted(width, height, hex_rgb, alpha, 0.5)


def slab(width: int, height: int, hex_rgb: str, shading: float) -> list[str]:
    """A solid rectangle that lets `shading` of the background through at its bottom."""
    return _painted(width, height, hex_rgb, f"255*(1-{num(shading)}*Y/H)", 0.5)
