"""Where the subject of a clip is, over time: a cheap, cached analysis for the tracked crop.

ffmpeg decodes the clip once at a few frames per second and about a hundred pixels wide, in
grey; numpy does the rest on that small stack at once (no per-pixel Python, no full-resolution
frame in Python). A pixel's salience is how far it is from the clip's still background (the
per-pixel median over time: what moves) plus, at half weight, how far it is from its frame's
average brightness (what stands out when nothing moves). The subject is the bounding box of the
strongly salient pixels. A frame without one clear subject (salience spread over most of the
width) reports the centre, so the crop there stays put rather than chasing noise.

The result is stored beside the clip (`<clip>.subject`, JSON keyed by the clip's sha256), so a
re-render of a cached clip does not analyse it again.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

from app.render.timeline import SubjectTrack
from providers.media import run_ffmpeg

ANALYSIS_FPS = 4  # samples per second of clip
ANALYSIS_WIDTH = 96  # pixels across the analysed frames
SALIENT = 0.5  # a pixel belongs to the subject above this share of its frame's peak salience
DIFFUSE = 0.8  # a "subject" wider or taller than this share of the frame is no subject
MIN_PEAK = 12.0  # grey levels: below this nothing stands out at all
SIDECAR_VERSION = 1

Stack = npt.NDArray[np.float32]


def analysis_size(size: tuple[int, int]) -> tuple[int, int]:
    """The analysed frame size: ANALYSIS_WIDTH across (or down, for tall clips), even sides."""
    w, h = size
    scale = ANALYSIS_WIDTH / max(w, h)
    return max(8, round(w * scale / 2) * 2), max(8, round(h * scale / 2) * 2)


def analysis_argv(clip: Path, size: tuple[int, int], dest: Path) -> list[str]:
    w, h = analysis_size(size)
    return [
        "-threads", "1", "-i", str(clip), "-an", "-sn", "-dn",
        "-vf", f"fps={ANALYSIS_FPS},scale={w}:{h}:flags=area,format=gray",
        "-f", "rawvideo", str(dest),
    ]  # fmt: skip


def locate(frames: Stack) -> SubjectTrack | None:
    """The subject in a (n, h, w) grey stack; None when no frame has a clear one."""
    n, h, w = frames.shape
    if n == 0:
        return None
    background = np.median(frames, axis=0)
    motion = np.abs(frames - background)
    contrast = np.abs(frames - frames.mean(axis=(1, 2), keepdims=True))
    salience = motion + 0.5 * contrast
    peak = salience.max(axis=(1, 2), keepdims=True)
    strong = (salience >= SALIENT * peak) & (peak >= MIN_PEAK)
    cols, rows = strong.any(axis=1), strong.any(axis=2)  # (n, w), (n, h)
    left, right = _extent(cols, w)
    top, bottom = _extent(rows, h)
    clear = cols.any(axis=1) & ((right - left) <= DIFFUSE * w) & ((bottom - top) <= DIFFUSE * h)
    if not clear.any():
        return None
    # Frames without a clear subject hold where it was last (or next) seen.
    known = np.flatnonzero(clear)
    centre_x, centre_y = (left + right) / (2 * w), (top + bottom) / (2 * h)
    fill = np.arange(n)
    cx, cy = (np.interp(fill, known, c[known]) for c in (centre_x, centre_y))
    half_w = np.interp(fill, known, ((right - left) / (2 * w))[known])
    half_h = np.interp(fill, known, ((bottom - top) / (2 * h))[known])
    times = (np.arange(n) + 0.5) / ANALYSIS_FPS
    return SubjectTrack(*(tuple(round(float(v), 4) for v in a)
                          for a in (times, cx, cy, half_w, half_h)))  # fmt: skip


def _extent(mask: npt.NDArray[np.bool_], size: int) -> tuple[npt.NDArray[np.float64], ...]:
    """First and one-past-last True index along the last axis, per row (0, 0 if none)."""
    any_ = mask.any(axis=1)
    first = np.argmax(mask, axis=1)
    last = size - np.argmax(mask[:, ::-1], axis=1)
    return np.where(any_, first, 0).astype(float), np.where(any_, last, 0).astype(float)


def _sidecar(clip: Path) -> Path:
    # not `.json`: the clip cache reads every `*.json` beside its clips as a clip record
    return clip.with_name(clip.name + ".subject")


def load_cached(clip: Path, sha256: str) -> tuple[bool, SubjectTrack | None]:
    """(found, track) from the clip's sidecar, when it was made for these exact bytes."""
    try:
        data = json.loads(_sidecar(clip).read_text(encoding="utf-8"))
        if data.get("version") != SIDECAR_VERSION or data.get("sha256") != sha256:
            return False, None
        found = data["track"]
        return True, None if found is None else SubjectTrack(
            *(tuple(float(v) for v in found[k]) for k in ("times", "cx", "cy", "half_w", "half_h"))
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False, None


def _store(clip: Path, sha256: str, track: SubjectTrack | None) -> None:
    body = None if track is None else {
        "times": track.times, "cx": track.cx, "cy": track.cy,
        "half_w": track.half_w, "half_h": track.half_h,
    }  # fmt: skip
    record = {"version": SIDECAR_VERSION, "sha256": sha256, "track": body}
    partial = clip.with_name(clip.name + ".subject.partial")
    partial.write_text(json.dumps(record), encoding="utf-8")
    partial.replace(_sidecar(clip))


async def subject_track(clip: Path, size: tuple[int, int], sha256: str) -> SubjectTrack | None:
    """The clip's subject track, from its sidecar or analysed now (and then stored)."""
    found, track = load_cached(clip, sha256)
    if found:
        return track
    w, h = analysis_size(size)
    with tempfile.TemporaryDirectory(prefix=".subject-", dir=clip.parent) as work:
        raw = Path(work) / "frames.gray"
        await run_ffmpeg(analysis_argv(clip, size, raw))
        data = np.fromfile(raw, dtype=np.uint8)
    usable = data.size - data.size % (w * h)
    track = locate(data[:usable].reshape(-1, h, w).astype(np.float32))
    _store(clip, sha256, track)
    return track
