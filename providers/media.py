"""Running ffmpeg and probing media: the one place reelroute starts a media subprocess.

ffmpeg comes from the imageio-ffmpeg wheel so no system install is needed; probing uses PyAV
because that wheel ships no ffprobe.
"""

from __future__ import annotations

import asyncio
import hashlib
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

STDERR_TAIL_LINES = 25


class RenderError(Exception):
    """An ffmpeg run failed. Carries the command and the tail of its stderr for the report."""

    def __init__(self, cmd: Sequence[str], returncode: int, stderr_tail: str) -> None:
        self.cmd = list(cmd)
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        shown = shlex.join(self.cmd)
        if len(shown) > 600:
            shown = shown[:600] + " …"
        super().__init__(f"ffmpeg exited with {returncode}: {shown}\n{stderr_tail}")


@cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped by imageio-ffmpeg (or IMAGEIO_FFMPEG_EXE)."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


async def run_ffmpeg(args: Sequence[str], *, cwd: Path | None = None) -> str:
    """Run `ffmpeg <args>` (in `cwd`); return its stderr text. Raises RenderError on failure."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *args]
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, cwd=cwd
    )
    try:
        _, err = await proc.communicate()
    except asyncio.CancelledError:
        proc.kill()
        await proc.wait()
        raise
    text = err.decode("utf-8", "replace")
    if proc.returncode != 0:
        tail = "\n".join(text.strip().splitlines()[-STDERR_TAIL_LINES:])
        raise RenderError(cmd, proc.returncode or -1, tail)
    return text


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    has_video: bool
    has_audio: bool
    width: int = 0
    height: int = 0
    fps: float = 0.0
    video_codec: str = ""
    audio_codec: str = ""
    sample_rate: int = 0


def probe(path: Path) -> MediaInfo:
    """Read container and stream facts with PyAV. Raises ValueError for unreadable media."""
    import av

    try:
        with av.open(str(path)) as container:
            video = next(iter(container.streams.video), None)
            audio = next(iter(container.streams.audio), None)
            duration = (container.duration or 0) / 1_000_000
            info = MediaInfo(
                duration=float(duration),
                has_video=video is not None,
                has_audio=audio is not None,
                width=int(video.codec_context.width) if video else 0,
                height=int(video.codec_context.height) if video else 0,
                fps=float(video.average_rate) if video and video.average_rate else 0.0,
                video_codec=video.codec_context.name if video else "",
                audio_codec=audio.codec_context.name if audio else "",
                sample_rate=int(audio.codec_context.sample_rate or 0) if audio else 0,
            )
    except (av.error.FFmpegError, OSError) as exc:
        raise ValueError(f"cannot read media file {path}: {exc}") from exc
    return info


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
