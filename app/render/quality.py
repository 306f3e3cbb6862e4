"""Quality levels: output size and x264 settings, chosen once per render."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum


def encoder_threads() -> int:
    """Threads per x264 encoder: every segment runs three at once, so share the cores."""
    return max(2, (os.cpu_count() or 2) // 3)


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
    # A short lookahead and few threads keep three 1080p encoders in one process at ~750 MB
    # instead of ~970 MB, at the same speed on 2 cores (measured; see bench/).
    lookahead: int = 10
    threads: int = 2

    def x264_args(self) -> list[str]:
        return [
            "-c:v", "libx264", "-preset", self.preset, "-crf", str(self.crf),
            "-pix_fmt", "yuv420p", "-profile:v", "high",
            "-x264-params",
            f"rc-lookahead={self.lookahead}:threads={self.threads}:keyint={self.fps * 2}",
        ]  # fmt: skip


SETTINGS: dict[Quality, EncodeSettings] = {
    Quality.DRAFT: EncodeSettings(short_side=540, preset="ultrafast", crf=26),
    Quality.STANDARD: EncodeSettings(
        short_side=1080, preset="veryfast", crf=21, threads=encoder_threads()
    ),
}
