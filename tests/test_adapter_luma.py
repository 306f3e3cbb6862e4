"""Luma adapter against a faithful fake Dream Machine API on loopback."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from providers.errors import (
    AuthError,
    DeadlineExceeded,
    GenerationFailed,
    InvalidResponse,
    ProviderUnavailable,
)
from providers.settings import LumaSettings
from providers.types import Aspect
from providers.vendors.luma import LumaProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant, leftovers, png
from tests.fakes_http.luma import LumaFake
from tests.fakes_http.server import Reply, serve

KEY = "luma-test-key"


@pytest.fixture
def fake(tiny_mp4: bytes) -> Iterator[LumaFake]:
    app = LumaFake(tiny_mp4, key=KEY)
    with serve(app) as url:
        app.base_url = url
        yield app


def adapter(fake: LumaFake, key: str = KEY, **extra: float) -> LumaProvider:
    settings = LumaSettings(
        api_key=SecretStr(key), base_url=f"{fake.base_url}/dream-machine/v1", **extra
    )
    return LumaProvider(settings, timing=instant(FakeTime()))


async def test_end_to_end_text_to_video(fake: LumaFake, tiny_mp4: bytes, tmp_path: Path) -> None:
    request = clip_request(Aspect.SQUARE, 6, image=png(tmp_path / "f.png"))
    clip = await adapter(fake).generate(request, "ray-2", tmp_path / "c.mp4")
    assert clip.sha256 == hashlib.sha256(tiny_mp4).hexdigest() and clip.model_id == "ray-2"
    body = fake.requests[0].json()
    assert body["duration"] == "9s" and body["aspect_ratio"] == "1:1" and "keyframes" not in body


async def test_wrong_key(fake: LumaFake, tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="Invalid API key") as info:
        await adapter(fake, key="luma-bad").generate(clip_request(), "ray-2", tmp_path / "c.mp4")
    assert "luma-bad" not in str(info.value)


async def test_failed_generation(fake: LumaFake, tmp_path: Path) -> None:
    fake.failure_reason = "400: prompt not allowed"
    with pytest.raises(GenerationFailed, match="prompt not allowed"):
        await adapter(fake).generate(clip_request(), "ray-2", tmp_path / "c.mp4")


async def test_deadline_cancels(fake: LumaFake, tmp_path: Path) -> None:
    fake.fail("status", *[Reply(200, {"id": "x", "state": "dreaming"})] * 50)
    with pytest.raises(DeadlineExceeded, match="not finished"):
        await adapter(fake, deadline_s=20).generate(clip_request(), "ray-2", tmp_path / "c.mp4")
    assert fake.cancelled == list(fake.tasks)


async def test_truncated_download(fake: LumaFake, tmp_path: Path) -> None:
    fake.fail("download", Reply(200, b"y" * 4000, truncate_to=10))
    with pytest.raises((InvalidResponse, ProviderUnavailable)):
        await adapter(fake).generate(clip_request(), "ray-2", tmp_path / "l" / "c.mp4")
    assert leftovers(tmp_path / "l") == []


async def test_check(fake: LumaFake) -> None:
    assert "4200" in await adapter(fake).check()
