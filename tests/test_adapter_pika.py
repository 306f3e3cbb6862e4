"""Pika adapter against a faithful fake fal.ai queue on loopback."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from providers.errors import (
    AuthError,
    ContentRejected,
    DeadlineExceeded,
    GenerationFailed,
    ProviderUnavailable,
    RateLimited,
    RequestRejected,
)
from providers.settings import PikaSettings
from providers.types import Aspect
from providers.vendors.pika import PikaProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant
from tests.fakes_http.pika import PikaFake, detail
from tests.fakes_http.server import Reply, serve

KEY = "fal-id:fal-secret"


@pytest.fixture
def fake(tiny_mp4: bytes) -> Iterator[PikaFake]:
    app = PikaFake(tiny_mp4, key=KEY)
    with serve(app) as url:
        app.base_url = url
        yield app


def adapter(fake: PikaFake, key: str = KEY, **extra: float) -> PikaProvider:
    settings = PikaSettings(api_key=SecretStr(key), base_url=fake.base_url, **extra)
    return PikaProvider(settings, timing=instant(FakeTime()))


async def test_queue_end_to_end(fake: PikaFake, tiny_mp4: bytes, tmp_path: Path) -> None:
    clip = await adapter(fake).generate(
        clip_request(Aspect.FOUR_FIVE, 8), "pika-v2.2", tmp_path / "c.mp4"
    )
    assert clip.sha256 == hashlib.sha256(tiny_mp4).hexdigest() and clip.provider_job_id
    assert fake.requests[0].json()["duration"] == 10
    assert fake.requests[0].json()["aspect_ratio"] == "4:5"
    assert fake.requests[1].path.endswith("/status") and "/v2.2/" not in fake.requests[1].path
    assert fake.requests[0].headers["authorization"] == f"Key {KEY}"


async def test_bad_key(fake: PikaFake, tmp_path: Path) -> None:
    with pytest.raises(AuthError) as info:
        await adapter(fake, key="fal-wrong").generate(clip_request(), "pika-v2.2", tmp_path / "c")
    assert "fal-wrong" not in str(info.value)


async def test_completed_with_error(fake: PikaFake, tmp_path: Path) -> None:
    fake.error = {"error": "generation crashed", "error_type": "internal_error"}
    with pytest.raises(GenerationFailed, match="crashed"):
        await adapter(fake).generate(clip_request(), "pika-v2.2", tmp_path / "c.mp4")


@pytest.mark.parametrize(
    ("reply", "error"),
    [(Reply(422, detail("prompt", "flagged", "content_policy_violation")), ContentRejected),
     (Reply(429, {"detail": "slow down"}, {"retry-after-ms": "1500"}), RateLimited),
     (Reply(502, b"bad gateway"), ProviderUnavailable),
     (Reply(422, detail("duration", "bad", "enum")), RequestRejected)],
)  # fmt: skip
async def test_submit_errors(
    fake: PikaFake, tmp_path: Path, reply: Reply, error: type[Exception]
) -> None:
    fake.fail("submit", reply)
    with pytest.raises(error) as info:
        await adapter(fake).generate(clip_request(), "pika-v2.2", tmp_path / "c.mp4")
    if isinstance(info.value, RateLimited):
        assert info.value.retry_after == 1.5


async def test_deadline_cancels_via_cancel_url(fake: PikaFake, tmp_path: Path) -> None:
    fake.fail("status", *[Reply(200, {"status": "IN_QUEUE", "queue_position": 3})] * 40)
    with pytest.raises(DeadlineExceeded):
        await adapter(fake, deadline_s=10).generate(clip_request(), "pika-v2.2", tmp_path / "c")
    assert fake.cancelled == list(fake.tasks)


async def test_check(fake: PikaFake) -> None:
    assert "ok" in await adapter(fake).check()
