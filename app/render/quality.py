"""Quality levels: output size and x264 settings, chosen once per render."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from enum import StrEnum


def encoder_threads(encoders: int) -> int:
    """x264 threads per encoder when `encoders` run at once in one segment: they share the cores.

    More threads than cores only buy memory: on 2 cores, three 1080p encoders at 1 thread each
    were as fast as at 2 threads and the segment peaked at ~630 MB instead of ~750 MB."""
    return max(1, (os.cpu_count() or 2) // max(1, encoders))


class Quality(StrEnum):
    DRAFT = "draft"  # fast preview: half resolution, fastest preset
    STANDARD = "standard"  # publish-ready 1080p


@dataclass(frozen=True)
class EncodeSettings:
    short_side: int  # 1080 -> 1920x1080, 1080x1920, 1080x1080
    preset: str
    crf: int
    fps: int = 30
    audio_bitrate: str = "192k"
    # A short lookahead and one thread per encoder keep three 1080p encoders in one process at
    # ~550 MB instead of ~970 MB at the same speed on 2 cores; against a lookahead of 10 the
    # files were 9% smaller for 0.05 dB less PSNR (measured; see docs/performance.md).
    lookahead: int = 5
    threads: int = 0  # x264 threads per encoder; 0 = share the cores (`for_encoders`)
    scaler: str = "bicubic"  # swscale flags for every reframe

    def for_encoders(self, encoders: int) -> EncodeSettings:
        """These settings with the thread count resolved for `encoders` encoding at once."""
        return self if self.threads else replace(self, threads=encoder_threads(encoders))

    def x264_args(self) -> list[str]:
        return [
            "-c:v", "libx264", "-preset", self.preset, "-crf", str(self.crf),
            "-pix_fmt", "yuv420p", "-profile:v", "high",
            "-x264-params",
            f"rc-lookahead={self.lookahead}:threads={self.threads or encoder_threads(1)}"
            f":keyint={self.fps * 2}",
        ]  # fmt: skip


SETTINGS: dict[Quality, EncodeSettings] = {
    Quality.DRAFT: EncodeSettings(
        short_side=540, preset="ultrafast", crf=26, scaler="fast_bilinear"
    ),
    Quality.STANDARD: EncodeSettings(short_side=1080, preset="veryfast", crf=21),
}
