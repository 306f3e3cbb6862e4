"""Sora adapter (for OpenAI-compatible deployments) against a fake Videos API on loopback."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from providers.errors import AuthError, ContentRejected, GenerationFailed
from providers.settings import SoraSettings
from providers.types import Aspect
from providers.vendors.sora import SoraProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant, png
from tests.fakes_http.server import serve
from tests.fakes_http.sora import SoraFake, form_fields

KEY = "sk-test-openai"


@pytest.fixture
def fake(tiny_mp4: bytes) -> Iterator[SoraFake]:
    app = SoraFake(tiny_mp4, key=KEY)
    with serve(app) as url:
        app.base_url = url
        yield app


def adapter(fake: SoraFake, time: FakeTime, key: str = KEY) -> SoraProvider:
    settings = SoraSettings(api_key=SecretStr(key), base_url=f"{fake.base_url}/v1")
    return SoraProvider(settings, timing=instant(time))


async def test_end_to_end_with_poll_hint(fake: SoraFake, tiny_mp4: bytes, tmp_path: Path) -> None:
    time = FakeTime()
    request = clip_request(Aspect.PORTRAIT, 6, image=png(tmp_path / "f.png"))
    clip = await adapter(fake, time).generate(request, "sora-2", tmp_path / "c.mp4")
    assert clip.sha256 == hashlib.sha256(tiny_mp4).hexdigest() and clip.provider_job_id
    fields = form_fields(fake.requests[0])
    assert fields["seconds"] == "8" and fields["size"] == "720x1280"
    assert isinstance(fields["input_reference"], bytes)
    assert time.sleeps == [2.5, 2.5]  # openai-poll-after-ms honoured
    assert fake.requests[-1].headers["authorization"] == f"Bearer {KEY}"


async def test_failed_and_moderated(fake: SoraFake, tmp_path: Path) -> None:
    fake.error = {"code": "internal_error", "message": "boom"}
    with pytest.raises(GenerationFailed, match="boom"):
        await adapter(fake, FakeTime()).generate(clip_request(), "sora-2", tmp_path / "c.mp4")
    fake.error = {"code": "moderation_blocked", "message": "blocked"}
    with pytest.raises(ContentRejected):
        await adapter(fake, FakeTime()).generate(clip_request(), "sora-2", tmp_path / "c.mp4")


async def test_bad_key(fake: SoraFake, tmp_path: Path) -> None:
    with pytest.raises(AuthError) as info:
        await adapter(fake, FakeTime(), key="sk-nope").generate(
            clip_request(), "sora-2", tmp_path / "c.mp4"
        )
    assert "sk-nope" not in str(info.value)
    assert "ok" in await adapter(fake, FakeTime()).check()
