"""R2: our render against the moviepy pipeline the open peers use, on the same inputs.

Both sides run as child processes (`bench.compose_job`, `bench.moviepy_job`) under
`bench.treemem.run_sampled`, so each reports its own wall time and the peak RSS of its whole
process tree (Python plus every ffmpeg it starts). The music for the timeline is generated
before either is timed, so neither pays for it. What the moviepy side leaves out (captions,
label, crossfades, blurred pads, ducking, loudness) is listed in `bench.moviepy_job`; all of it
favours moviepy.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.render.quality import SETTINGS, Quality
from bench.inputs import ASPECTS, build_inputs
from bench.jobs import run_job
from bench.moviepy_job import moviepy_path
from bench.render_figures import compose_run
from providers.media import probe

TARGET = 5.0  # moviepy wall / our wall
DURATION_TOLERANCE = 0.1  # seconds; AAC priming can pad a container by a frame or two


def check_outputs(paths: list[Path], quality: Quality, duration: float) -> None:
    """Every aspect exists at its frame size and lasts the timeline's length, or ValueError."""
    enc = SETTINGS[quality]
    for aspect, path in zip(ASPECTS, paths, strict=True):
        info = probe(path)  # ValueError if missing or unreadable
        size = aspect.frame_size(enc.short_side)
        if (info.width, info.height) != size:
            raise ValueError(f"{path}: {info.width}x{info.height}, expected {size[0]}x{size[1]}")
        if abs(info.duration - duration) > DURATION_TOLERANCE:
            raise ValueError(f"{path}: lasts {info.duration:.3f} s, expected {duration:.3f} s")
        if not info.has_audio:
            raise ValueError(f"{path}: no audio track")


def run_r2(pool: Path, workdir: Path, scenes: int, quality: Quality) -> dict[str, object]:
    """Render `scenes` scenes both ways, check both made every aspect, and compare.

    Synchronous: call it outside a running event loop."""
    pool, workdir = pool.resolve(), workdir.resolve()
    enc = SETTINGS[quality]
    video_s = asyncio.run(build_inputs(pool, scenes, enc.fps)).timeline.duration  # caches music

    our_out = workdir / f"ours-{quality.value}-{scenes}"
    ours = compose_run(pool, our_out, scenes, quality)
    check_outputs([our_out / f"bench-{a.value.replace(':', 'x')}.mp4" for a in ASPECTS],
                  quality, video_s)  # fmt: skip
    mp_out = workdir / f"moviepy-{quality.value}-{scenes}"
    mp = run_job("bench.moviepy_job", pool, mp_out, scenes, quality)
    check_outputs([moviepy_path(mp_out, a) for a in ASPECTS], quality, video_s)

    ratio = round(mp["wall_s"] / ours["wall_s"], 2)
    return {
        "name": "R2 render vs a moviepy pipeline",
        "value": ratio,
        "target": TARGET,
        "comparison": ">=",
        "unit": "x faster",
        "met": ratio >= TARGET,
        "raw": {
            "our_wall_s": ours["wall_s"],
            "our_peak_rss_mb": ours["peak_rss_mb"],
            "moviepy_wall_s": mp["wall_s"],
            "moviepy_peak_rss_mb": mp["peak_rss_mb"],
            "scenes": scenes,
            "video_s": round(video_s, 3),
            "quality": quality.value,
            "our_wall_per_video_s": round(ours["wall_s"] / video_s, 2),
            "moviepy_wall_per_video_s": round(mp["wall_s"] / video_s, 2),
            "moviepy_job": mp,
            "our_job": ours,
        },
        "note": (
            "moviepy 2.x pipeline as the peers write it: per aspect, VideoFileClip.subclipped, "
            "resized + cropped (cover) or resized onto black (pad), concatenate_videoclips, "
            "CompositeAudioClip of narration + music, write_videofile with our x264/AAC "
            "settings. It burns no captions or label, uses hard cuts, plain black pads and no "
            "ducking or loudness normalisation, all of which ours does: the ratio favours "
            "moviepy. Walls are whole child processes (startup included); peak RSS is the "
            "process tree's, sampled every 50 ms."
        ),
    }
