"""Session fixtures shared by the adapter tests: one real tiny MP4, made once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.media import run_ffmpeg
from tests.fakes_http.matrix import VENDORS, Vendor
from tests.fakes_http.server import VendorFake, serve


@pytest.fixture(scope="session")
def tiny_mp4(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """1 s of lavfi testsrc at 64x36, H.264: what every fake vendor serves."""
    out = tmp_path_factory.mktemp("media") / "tiny.mp4"
    args = ["-f", "lavfi", "-i", "testsrc=size=64x36:rate=24:duration=1"]
    args += ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)]
    asyncio.run(run_ffmpeg(args))
    return Path(out).read_bytes()


@pytest.fixture(params=sorted(VENDORS))
def vendor(request: pytest.FixtureRequest, tiny_mp4: bytes) -> Iterator[tuple[Vendor, VendorFake]]:
    spec = VENDORS[request.param]
    fake = spec.fake(tiny_mp4)
    with serve(fake) as url:
        fake.base_url = url
        yield spec, fake
