"""Seedance adapter against a faithful fake BytePlus ModelArk API on loopback."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from providers.errors import (
    AuthError,
    ContentRejected,
    RateLimited,
)
from providers.settings import SeedanceSettings
from providers.types import Aspect
from providers.vendors.seedance import SeedanceProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant, png
from tests.fakes_http.seedance import SeedanceFake, ark_error
from tests.fakes_http.server import Reply, serve

KEY = "ark-test-key"
PRO = "seedance-1-0-pro-250528"


@pytest.fixture
def fake(tiny_mp4: bytes) -> Iterator[SeedanceFake]:
    app = SeedanceFake(tiny_mp4, key=KEY)
    with serve(app) as url:
        app.base_url = url
        yield app


def adapter(fake: SeedanceFake, key: str = KEY) -> SeedanceProvider:
    settings = SeedanceSettings(api_key=SecretStr(key), base_url=f"{fake.base_url}/api/v3")
    return SeedanceProvider(settings, timing=instant(FakeTime()))


async def test_end_to_end(fake: SeedanceFake, tiny_mp4: bytes, tmp_path: Path) -> None:
    clip = await adapter(fake).generate(clip_request(duration=3.4), PRO, tmp_path / "c.mp4")
    assert clip.sha256 == hashlib.sha256(tiny_mp4).hexdigest()
    assert clip.provider_job_id.startswith("cgt-")
    body = fake.requests[0].json()
    assert body["duration"] == 4 and body["ratio"] == "16:9"


async def test_i2v_only_model(fake: SeedanceFake, tmp_path: Path) -> None:
    model = "seedance-1-0-lite-i2v-250428"
    request = clip_request(Aspect.SQUARE, image=png(tmp_path / "f.png"))
    await adapter(fake).generate(request, model, tmp_path / "c.mp4")
    assert fake.requests[0].json()["content"][1]["role"] == "first_frame"
    # Without a scene image it animates a still drawn by the offline renderer.
    await adapter(fake).generate(clip_request(), model, tmp_path / "d.mp4")
    posts = [r for r in fake.requests if r.method == "POST"]
    assert posts[-1].json()["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")


@pytest.mark.parametrize(
    ("reply", "error"),
    [(Reply(400, ark_error("InputTextSensitiveContentDetected", "no")), ContentRejected),
     (Reply(429, ark_error("RateLimitExceeded.EndpointRPMExceeded", "rpm")), RateLimited)],
)  # fmt: skip
async def test_submit_errors(
    fake: SeedanceFake, tmp_path: Path, reply: Reply, error: type[Exception]
) -> None:
    fake.fail("submit", reply)
    with pytest.raises(error):
        await adapter(fake).generate(clip_request(), PRO, tmp_path / "c.mp4")


async def test_output_moderation(fake: SeedanceFake, tmp_path: Path) -> None:
    fake.error = {"code": "OutputVideoSensitiveContentDetected", "message": "blocked"}
    with pytest.raises(ContentRejected) as info:
        await adapter(fake).generate(clip_request(), PRO, tmp_path / "c.mp4")
    assert info.value.code == "OutputVideoSensitiveContentDetected"


async def test_bad_key(fake: SeedanceFake, tmp_path: Path) -> None:
    with pytest.raises(AuthError) as info:
        await adapter(fake, key="ark-nope").generate(clip_request(), PRO, tmp_path / "c.mp4")
    assert "ark-nope" not in str(info.value)
    assert "ok" in await adapter(fake).check()
