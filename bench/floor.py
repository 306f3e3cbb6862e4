"""The encode floor: what x264 alone costs to write the same three outputs at the same settings.

Each finished output is decoded back to raw frames one scene at a time (untimed, into a RAM
folder), then one ffmpeg process encodes that scene's three raw streams with the render's own
x264 arguments, mirroring the render's one-process-per-scene shape. Only those encodes are
timed, so the floor holds no decode, scaling, compositing or captioning: the render's ratio
to it is the cost of everything but the encoder.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.render.quality import EncodeSettings
from app.render.timeline import OutputSpec, SceneSlot
from providers.media import run_ffmpeg

RAM_DIR = Path("/dev/shm")


@dataclass(frozen=True)
class Floor:
    encode_s: float  # x264 alone, summed over the scenes measured
    scenes: int
    frames: int  # per output, over the scenes measured
    per_scene_s: tuple[float, ...]


def _decode_argv(src: Path, slot: SceneSlot, dest: Path) -> list[str]:
    return [
        "-ss", f"{slot.start:.4f}", "-i", str(src), "-t", f"{slot.duration:.4f}",
        "-f", "rawvideo", "-pix_fmt", "yuv420p", str(dest),
    ]  # fmt: skip


def encode_argv(
    raws: Sequence[tuple[Path, OutputSpec]], enc: EncodeSettings, out: Path
) -> list[str]:
    """One process, one raw input and one x264 encoder per output: the render's shape, bare."""
    args: list[str] = []
    for raw, spec in raws:
        size = f"{spec.width}x{spec.height}"
        args += ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", size, "-r", str(enc.fps)]
        args += ["-i", str(raw)]
    for i, (_, spec) in enumerate(raws):
        args += ["-map", f"{i}:v", *enc.x264_args(), "-an", str(out / f"floor_{spec.tag}.mp4")]
    return args


async def measure_floor(
    outputs: Sequence[OutputSpec], slots: Sequence[SceneSlot], enc: EncodeSettings
) -> Floor:
    base = RAM_DIR if RAM_DIR.is_dir() else None
    times: list[float] = []
    frames = 0
    with tempfile.TemporaryDirectory(prefix="reelroute-floor-", dir=base) as tmp:
        folder = Path(tmp)
        for slot in slots:
            raws = [(folder / f"{o.tag}.yuv", o) for o in outputs]
            await asyncio.gather(*(_run_decode(o.path, slot, raw) for raw, o in raws))
            t0 = time.perf_counter()
            await run_ffmpeg(encode_argv(raws, enc, folder))
            times.append(round(time.perf_counter() - t0, 3))
            frames += round(slot.duration * enc.fps)
            for raw, _ in raws:
                raw.unlink()
    return Floor(round(sum(times), 2), len(slots), frames, tuple(times))


async def _run_decode(src: Path, slot: SceneSlot, dest: Path) -> None:
    await run_ffmpeg(_decode_argv(src, slot, dest))
