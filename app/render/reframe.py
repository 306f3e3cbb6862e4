"""Fitting a clip to an output of another shape: sizes, the subject-following crop window, and
how each scene reached each output (pure functions; no I/O).

The tracked crop window is decided from a `SubjectTrack` once per (scene, output shape): aimed
at the subject's centre, smoothed over time, then pulled so that the whole subject is inside
whenever it fits, kept within the clip and limited in speed. ffmpeg then moves the crop along
that path by itself: the path is a flat sum of clipped linear ramps in the crop's `x`/`y`
expression, evaluated per frame inside the same graph that scales and encodes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from app.render.timeline import Framing, OutputSpec, Reframe, SceneSlot, SubjectTrack

SMOOTH_S = 0.4  # gaussian sigma of the window path, in seconds
MAX_PAN_PER_S = 0.6  # fastest window travel, as a share of the clip's side per second
BIG_SUBJECT_CORE = 0.5  # a subject wider than the window: its centre stays in this middle share


def even_floor(n: float) -> int:
    return max(2, int(n) - int(n) % 2)


def fit_size(src: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """Largest even size with the source's shape that fits inside `box`."""
    scale = min(box[0] / src[0], box[1] / src[1])
    return min(box[0], even_floor(src[0] * scale)), min(box[1], even_floor(src[1] * scale))


def cover_crop(src: tuple[int, int], shape: tuple[int, int]) -> tuple[int, int]:
    """Largest even crop of `src` with the aspect of `shape`."""
    if shape[0] * src[1] < src[0] * shape[1]:  # shape is narrower than the source
        return min(src[0], even_floor(src[1] * shape[0] / shape[1])), src[1]
    return src[0], min(src[1], even_floor(src[0] * shape[1] / shape[0]))


def framing(slot: SceneSlot, out: OutputSpec) -> Framing:
    """How `slot` reaches `out`: its own clip for that aspect, or the clip reframed."""
    size = (out.width, out.height)
    native = slot.native_for(out.aspect)
    if native is not None:
        return Framing.NATIVE
    src = slot.clip_size
    if slot.reframe is Reframe.PAD:
        return Framing.NATIVE if fit_size(src, size) == size else Framing.PADDED
    if cover_crop(src, size) == src:
        return Framing.NATIVE
    if slot.reframe is Reframe.TRACK and slot.track is not None:
        return Framing.TRACKED_CROP
    return Framing.CENTRE_CROP


def _smoothed(values: Sequence[float], times: Sequence[float]) -> list[float]:
    """Gaussian-weighted average over neighbouring samples (the whole path is known)."""
    out = []
    for t in times:
        weights = [math.exp(-(((u - t) / SMOOTH_S) ** 2) / 2) for u in times]
        out.append(sum(w * v for w, v in zip(weights, values, strict=True)) / sum(weights))
    return out


def still_window(centre: Sequence[float], half: Sequence[float], share: float) -> float | None:
    """One window centre that keeps the subject in view at every sample, as near its average
    centre as that allows; None when the subject moves too far for a window that stays put.

    In view means whole when the subject fits the window, and for one too big to fit, its
    centre within the middle half of the window (BIG_SUBJECT_CORE). Holding still when that
    is enough is what a camera operator does (AutoFlip's stationary mode): no pan chasing the
    small shifts of a big subject, and a still window costs the encoder far less than one
    that moves (measured in bench L1)."""
    if not centre:
        return None
    reach = [h if h <= share / 2 else BIG_SUBJECT_CORE * share / 2 for h in half]
    low = max(max(c + r for c, r in zip(centre, reach, strict=True)) - share / 2, share / 2)
    high = min(min(c - r for c, r in zip(centre, reach, strict=True)) + share / 2, 1 - share / 2)
    if low > high:
        return None
    return min(max(sum(centre) / len(centre), low), high)


def window_path(
    centre: Sequence[float], half: Sequence[float], times: Sequence[float], share: float
) -> list[float]:
    """Window centres (shares of the clip side) for a window `share` of the side wide: still
    when one position keeps the subject whole throughout, else following it."""
    still = still_window(centre, half, share)
    if still is not None:
        return [still] * len(centre)
    lo, hi = share / 2, 1 - share / 2
    path = _smoothed(centre, times)
    for i, (c, h) in enumerate(zip(centre, half, strict=True)):
        if h <= share / 2:  # the subject fits: keep all of it inside
            path[i] = min(max(path[i], c + h - share / 2), c - h + share / 2)
        path[i] = min(max(path[i], lo), hi)
    for i in range(1, len(path)):  # speed limit, both ways so neither end lags
        step = MAX_PAN_PER_S * (times[i] - times[i - 1])
        path[i] = min(max(path[i], path[i - 1] - step), path[i - 1] + step)
    return path


def crop_origins(
    track: SubjectTrack, src: tuple[int, int], crop: tuple[int, int]
) -> tuple[list[int], list[int]]:
    """Per sample, the crop's top-left pixel (x, y) in the clip."""
    xs = window_path(track.cx, track.half_w, track.times, crop[0] / src[0])
    ys = window_path(track.cy, track.half_h, track.times, crop[1] / src[1])
    return (
        [_origin(x, crop[0], src[0]) for x in xs],
        [_origin(y, crop[1], src[1]) for y in ys],
    )


def _origin(centre: float, window: int, side: int) -> int:
    left = round(centre * side - window / 2)
    return min(max(left - left % 2, 0), side - window)  # even: chroma planes stay aligned


def ramp_expr(times: Sequence[float], values: Sequence[int], offset: float) -> str:
    """An ffmpeg expression of `t` that goes linearly through (time - offset, value) points."""
    if not values:
        return "0"
    terms = [str(values[0])]
    for k in range(1, len(values)):
        step = values[k] - values[k - 1]
        if step == 0:
            continue
        t0, span = times[k - 1] - offset, times[k] - times[k - 1]
        # `\,`: a comma inside a filter's option must be escaped from the graph parser
        terms.append(f"{step}*clip((t{-t0:+.4f})/{span:.4f}\\,0\\,1)")
    return "+".join(terms)


def position_at(times: Sequence[float], values: Sequence[int], t: float) -> float:
    """What `ramp_expr` evaluates to at clip time `t` (for tests and reports)."""
    if t <= times[0]:
        return float(values[0])
    for k in range(1, len(times)):
        if t <= times[k]:
            share = (t - times[k - 1]) / (times[k] - times[k - 1])
            return values[k - 1] + (values[k] - values[k - 1]) * share
    return float(values[-1])


def tracked_crop(
    track: SubjectTrack, src: tuple[int, int], out: tuple[int, int], offset: float
) -> str:
    """A crop filter following the subject, for a stream whose t=0 is clip time `offset`."""
    cw, ch = cover_crop(src, out)
    xs, ys = crop_origins(track, src, (cw, ch))
    x, y = ramp_expr(track.times, xs, offset), ramp_expr(track.times, ys, offset)
    return f"crop={cw}:{ch}:x={x}:y={y}"
