"""Timing curves as ffmpeg expressions of `t` (seconds), shared by type, shapes and charts."""

from __future__ import annotations

from providers.local.filtergraph import num


def progress(start: float, length: float) -> str:
    """0 before `start`, rising linearly to 1 over `length` seconds."""
    return f"clip((t-{num(start)})/{num(max(length, 1e-3))},0,1)"


def ease_out(start: float, length: float) -> str:
    """Cubic ease-out: fast at first, settling gently."""
    return f"(1-pow(1-{progress(start, length)},3))"


def ease_out_back(start: float, length: float) -> str:
    """Ease-out that overshoots a little before settling (punchy entrances)."""
    p = progress(start, length)
    return f"(1+2.70158*pow({p}-1,3)+1.70158*pow({p}-1,2))"


def ease_in_out(start: float, length: float) -> str:
    """Smoothstep: slow in, slow out, for camera moves."""
    p = progress(start, length)
    return f"({p}*{p}*(3-2*{p}))"


def fade_window(start: float, fade_in: float, end: float | None, fade_out: float) -> str:
    """Opacity: in over `fade_in` from `start`, out over `fade_out` before `end` (if any)."""
    rise = ease_out(start, fade_in)
    if end is None:
        return rise
    return f"{rise}*clip(({num(end)}-t)/{num(max(fade_out, 1e-3))},0,1)"


def wander(center: float, amplitude: float, period: float, phase: float) -> str:
    """A slow sine sway around `center`: the drift of light blobs and the camera."""
    return f"({num(center)}+{num(amplitude)}*sin(2*PI*t/{num(period)}+{num(phase)}))"
