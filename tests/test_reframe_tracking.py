"""Subject-aware reframing, measured: a bright figure crossing a 16:9 clip from left to right.

The 9:16 output made with the tracked crop must show the whole figure in nearly every frame,
where the centre crop loses it most of the time; the window must move smoothly.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from app.render.compose import render_segments
from app.render.quality import SETTINGS, Quality
from app.render.reframe import (
    BIG_SUBJECT_CORE,
    MAX_PAN_PER_S,
    cover_crop,
    crop_origins,
    framing,
    position_at,
    window_path,
)
from app.render.subject import subject_track
from app.render.timeline import Framing, OutputSpec, Reframe, SubjectTrack, build_timeline
from providers.media import run_ffmpeg, sha256_file
from providers.types import Aspect

CLIP = (640, 360)
FIGURE = (40, 120)
SECONDS = 6.0
FPS = 30


def figure_x(t: float) -> float:
    """Left edge of the figure at time t: from x=20 to x=600-40 over the clip."""
    return 20 + (CLIP[0] - 80) * t / SECONDS


async def synthetic_clip(dest: Path) -> Path:
    """A textured dark background with a white figure walking left to right."""
    w, h = CLIP
    graph = (
        f"gradients=s={w}x{h}:c0=0x1a2433:c1=0x3a3040:speed=0:d={SECONDS}:r={FPS},format=yuv420p,"
        f"noise=alls=6:allf=t[bg];"
        f"color=c=white:s={FIGURE[0]}x{FIGURE[1]}:r={FPS}:d={SECONDS}[fig];"
        f"[bg][fig]overlay=x='20+{w - 80}*t/{SECONDS}':y={h - FIGURE[1] - 60}:eval=frame"
    )
    await run_ffmpeg(
        ["-filter_complex", graph, "-t", str(SECONDS), "-c:v", "libx264", "-preset",
         "ultrafast", "-pix_fmt", "yuv420p", str(dest)]
    )  # fmt: skip
    return dest


async def portrait_of(clip: Path, reframe: Reframe, track: SubjectTrack | None, work: Path) -> Path:
    tl = build_timeline(
        [SECONDS - 0.2], [clip], [CLIP], [reframe], [()], fps=FPS, transition=0.4,
        tracks=[track],
    )  # fmt: skip
    out = OutputSpec(Aspect.PORTRAIT, 360, 640, work / "portrait.mp4")
    work.mkdir(parents=True, exist_ok=True)
    enc = SETTINGS[Quality.DRAFT]
    jobs = await render_segments(tl, [out], work, enc.for_encoders(1))
    return jobs[0].outputs[0].path


async def whole_figure_share(video: Path, size: tuple[int, int]) -> float:
    """Share of sampled frames (10 fps, clear of the fades) showing the entire figure."""
    raw = video.with_suffix(".gray")
    await run_ffmpeg(["-i", str(video), "-vf", "fps=10,format=gray", "-f", "rawvideo", str(raw)])
    w, h = size
    frames = np.fromfile(raw, dtype=np.uint8).reshape(-1, h, w)[5:-9]
    whole = 0
    for frame in frames:
        cols = np.flatnonzero((frame > 170).sum(axis=0) > 10)
        if cols.size and cols[0] > 0 and cols[-1] < w - 1:
            whole += 1
    return whole / len(frames)


@pytest.fixture
async def walking(tmp_path: Path) -> tuple[Path, SubjectTrack]:
    clip = await synthetic_clip(tmp_path / "walk.mp4")
    track = await subject_track(clip, CLIP, sha256_file(clip))
    assert track is not None
    return clip, track


async def test_analysis_finds_the_figure_where_it_is(walking: tuple[Path, SubjectTrack]) -> None:
    _, track = walking
    for t, cx in zip(track.times, track.cx, strict=True):
        truth = (figure_x(t) + FIGURE[0] / 2) / CLIP[0]
        assert abs(cx - truth) < 0.04, (t, cx, truth)
    assert all(abs(cy - (360 - 60 - 60) / 360) < 0.05 for cy in track.cy)


async def test_tracked_portrait_keeps_the_subject_where_the_centre_crop_loses_it(
    walking: tuple[Path, SubjectTrack], tmp_path: Path
) -> None:
    clip, track = walking
    tracked = await portrait_of(clip, Reframe.TRACK, track, tmp_path / "track")
    centred = await portrait_of(clip, Reframe.CROP, None, tmp_path / "centre")
    kept_tracked = await whole_figure_share(tracked, (360, 640))
    kept_centred = await whole_figure_share(centred, (360, 640))
    assert kept_tracked >= 0.95, kept_tracked
    assert kept_centred < 0.60, kept_centred


async def test_the_window_moves_smoothly(walking: tuple[Path, SubjectTrack]) -> None:
    _, track = walking
    crop = cover_crop(CLIP, (9, 16))
    xs, ys = crop_origins(track, CLIP, crop)
    positions = [position_at(track.times, xs, k / FPS) for k in range(int(SECONDS * FPS))]
    steps = np.abs(np.diff(positions))
    # one output frame never moves the window by more than the speed limit allows (+ rounding)
    assert steps.max() <= MAX_PAN_PER_S * CLIP[0] / FPS + 2
    assert len(set(ys)) == 1  # the crop is full height: nothing to track vertically
    # and it never reverses direction while the subject walks one way
    assert all(b >= a for a, b in itertools.pairwise(xs))


def test_the_window_holds_still_while_one_position_keeps_the_subject_in_view() -> None:
    times = [k / 4 for k in range(24)]
    share = 0.3  # the window is 30% of the clip's width
    # a small subject swaying by 10% of the width: one window keeps all of it, so no pan
    sway = [0.45 + 0.05 * np.sin(t) for t in times]
    path = window_path(sway, [0.05] * len(times), times, share)
    assert len(set(path)) == 1
    assert all(path[0] - share / 2 <= c - 0.05 and c + 0.05 <= path[0] + share / 2 for c in sway)
    # a subject wider than the window whose centre shifts a little: held still, its centre
    # inside the window's middle half
    big = [0.5 + 0.04 * np.sin(2 * t) for t in times]
    path = window_path(big, [0.3] * len(times), times, share)
    assert len(set(path)) == 1
    assert all(abs(c - path[0]) <= BIG_SUBJECT_CORE * share / 2 for c in big)
    # the same small subject crossing the frame: the window has to follow it
    walk = [0.1 + 0.8 * t / times[-1] for t in times]
    path = window_path(walk, [0.05] * len(times), times, share)
    assert path[-1] - path[0] > 0.5


async def test_analysis_is_cached_beside_the_clip(walking: tuple[Path, SubjectTrack]) -> None:
    clip, track = walking
    sidecar = clip.with_name(clip.name + ".subject")
    record = json.loads(sidecar.read_text())
    assert record["sha256"] == sha256_file(clip)
    before = sidecar.stat().st_mtime_ns
    assert await subject_track(clip, CLIP, sha256_file(clip)) == track
    assert sidecar.stat().st_mtime_ns == before  # read back, not analysed again
    # a different clip under the same name is analysed afresh
    assert await subject_track(clip, CLIP, "0" * 64) == track
    assert json.loads(sidecar.read_text())["sha256"] == "0" * 64


def test_framing_names_how_each_output_was_made(tmp_path: Path) -> None:
    track = SubjectTrack((0.1,), (0.3,), (0.5,), (0.05,), (0.1,))
    tl = build_timeline(
        [2.0] * 3, [tmp_path / "a.mp4"] * 3, [(1920, 1080)] * 3,
        [Reframe.TRACK, Reframe.CROP, Reframe.PAD], [(), (), ()], fps=30, transition=0.0,
        tracks=[track, None, None],
    )  # fmt: skip
    outs = [OutputSpec(a, *a.frame_size(540), tmp_path / "o.mp4") for a in Aspect]
    found = [[framing(slot, o).value for o in outs] for slot in tl.slots]
    assert found == [
        ["native", "tracked_crop", "tracked_crop", "tracked_crop"],
        ["native", "centre_crop", "centre_crop", "centre_crop"],
        ["native", "padded", "padded", "padded"],
    ]
    assert framing(tl.slots[0], outs[0]) is Framing.NATIVE
