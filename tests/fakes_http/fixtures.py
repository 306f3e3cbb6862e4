"""Session fixtures shared by the adapter tests: one real tiny MP4, made once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from providers.media import run_ffmpeg


@pytest.fixture(scope="session")
def tiny_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """1 s of lavfi testsrc at 64x36, H.264: what every fake vendor serves."""
    out = tmp_path_factory.mktemp("media") / "tiny.mp4"
    args = ["-f", "lavfi", "-i", "testsrc=size=64x36:rate=24:duration=1"]
    args += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)]
    asyncio.run(run_ffmpeg(args))
    return Path(out).read_bytes()
