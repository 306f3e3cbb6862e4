"""Child process: render one bench timeline the way moviepy-based peers do, print timings as JSON.

Benchmark R2's baseline. It builds the *same* inputs as `bench.compose_job` (`build_inputs`) and
renders them with the idiomatic moviepy 2.x pipeline the open peers use, once per aspect:

- per scene, `VideoFileClip(clip).subclipped(offset, offset + duration)`, then for CROP scenes
  `resized` to cover the frame and `cropped` to its centre; for PAD scenes `resized` to fit and
  placed on black with `with_background_color` (moviepy 1.x's `on_color`, renamed in 2.x);
- `concatenate_videoclips` of the scenes (hard cuts);
- `CompositeAudioClip` of every narration `AudioFileClip(...).with_start(...)` plus the music
  `with_volume_scaled` under it, trimmed to the video;
- `write_videofile` with our encoder settings (x264 preset, CRF, threads, look-ahead, keyframe
  interval, yuv420p, AAC at our bitrate, 48 kHz), so the encoder costs the same on both sides.

What this leaves out favours moviepy: no captions and no "AI-generated" label are burned (ours
burns both into every aspect), scenes are hard cuts (ours crossfades and fades in and out), PAD
scenes sit on plain black (ours on a blurred copy of the clip), and the music is neither ducked
under the voice nor is the mix loudness-normalised (ours does both, on the encoded AAC). It
reuses none of its work across aspects, which is simply what the pipeline does: every aspect
decodes every clip and mixes and encodes the soundtrack again.

Usage: python -m bench.moviepy_job POOL_DIR OUT_DIR SCENES QUALITY
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

# moviepy ships no type information; everything it returns is typed as Any here.
from moviepy import (  # type: ignore[import-untyped]
    AudioFileClip,
    CompositeAudioClip,
    VideoFileClip,
    concatenate_videoclips,
)

from app.render.audio import MIX_RATE
from app.render.quality import SETTINGS, EncodeSettings, Quality
from app.render.timeline import Reframe, SceneSlot
from bench.inputs import ASPECTS, Inputs, build_inputs
from providers.types import Aspect

MUSIC_VOLUME = 0.22  # about -13 dB, the level ours sets the music bed at before ducking


def moviepy_path(out: Path, aspect: Aspect) -> Path:
    return out / f"moviepy-{aspect.value.replace(':', 'x')}.mp4"


def _even(n: float) -> int:
    return max(2, round(n) - round(n) % 2)


def reframed(clip: Any, reframe: Reframe, size: tuple[int, int]) -> Any:
    """Cover-and-centre-crop (CROP), or fit on black (PAD), as the peers do it."""
    width, height = size
    src_w, src_h = clip.size
    if reframe is Reframe.CROP:
        scale = max(width / src_w, height / src_h)
        new_w, new_h = max(width, round(src_w * scale)), max(height, round(src_h * scale))
        return clip.resized(new_size=(new_w, new_h)).cropped(
            x1=(new_w - width) // 2, y1=(new_h - height) // 2, width=width, height=height
        )
    scale = min(width / src_w, height / src_h)
    fitted = clip.resized(
        new_size=(min(width, _even(src_w * scale)), min(height, _even(src_h * scale)))
    )
    return fitted.with_background_color(size=size, color=(0, 0, 0), pos="center")


def write_args(enc: EncodeSettings, out: Path) -> dict[str, Any]:
    """`write_videofile` keywords: the same x264 and AAC settings as our render."""
    x264 = [
        "-crf", str(enc.crf), "-pix_fmt", "yuv420p", "-profile:v", "high",
        "-x264-params", f"rc-lookahead={enc.lookahead}:keyint={enc.fps * 2}",
    ]  # fmt: skip
    return {
        "fps": enc.fps,
        "codec": "libx264",
        "preset": enc.preset,
        "audio_codec": "aac",
        "audio_bitrate": enc.audio_bitrate,
        "audio_fps": MIX_RATE,
        "threads": enc.threads,
        "ffmpeg_params": x264,
        "temp_audiofile_path": str(out),  # moviepy's default is the current folder
        "logger": None,
    }


def render_aspect(inputs: Inputs, aspect: Aspect, enc: EncodeSettings, out: Path) -> Path:
    """One aspect, start to finish, closing every reader it opened."""
    size = aspect.frame_size(enc.short_side)
    dest = moviepy_path(out, aspect)
    with ExitStack() as opened:

        def keep(clip: Any) -> Any:
            opened.callback(clip.close)
            return clip

        scenes = [
            reframed(
                keep(VideoFileClip(str(slot.clip))).subclipped(*_span(slot)), slot.reframe, size
            )
            for slot in inputs.timeline.slots
        ]
        video = concatenate_videoclips(scenes, method="chain")
        voices = [keep(AudioFileClip(str(v.path))).with_start(v.start) for v in inputs.voices]
        music = keep(AudioFileClip(str(inputs.music))).with_volume_scaled(MUSIC_VOLUME)
        soundtrack = CompositeAudioClip([music, *voices]).with_duration(video.duration)
        video.with_audio(soundtrack).write_videofile(str(dest), **write_args(enc, out))
    return dest


def _span(slot: SceneSlot) -> tuple[float, float]:
    return slot.clip_offset, slot.clip_offset + slot.duration


async def main(pool: Path, out: Path, scenes: int, quality: Quality) -> dict[str, object]:
    enc = SETTINGS[quality]
    inputs = await build_inputs(pool, scenes, enc.fps)
    out.mkdir(parents=True, exist_ok=True)
    per_aspect: dict[str, float] = {}
    t0 = time.perf_counter()
    for aspect in ASPECTS:
        t = time.perf_counter()
        render_aspect(inputs, aspect, enc, out)
        per_aspect[aspect.value] = round(time.perf_counter() - t, 2)
    return {
        "render_s": round(time.perf_counter() - t0, 2),
        "video_s": round(inputs.timeline.duration, 3),
        "per_aspect_s": per_aspect,
    }


if __name__ == "__main__":
    pool_dir, out_dir, n, q = sys.argv[1:5]
    print(json.dumps(asyncio.run(main(Path(pool_dir), Path(out_dir), int(n), Quality(q)))))
