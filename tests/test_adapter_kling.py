"""Kling adapter against a faithful fake Kling API on loopback (JWT verified by the fake)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from providers.errors import (
    AuthError,
    CapabilityNotSupported,
    ContentRejected,
    GenerationFailed,
    InvalidResponse,
    ProviderUnavailable,
    RateLimited,
)
from providers.settings import KlingSettings
from providers.types import Aspect
from providers.vendors.kling import KlingProvider, jwt_hs256
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant, leftovers, png
from tests.fakes_http.kling import KlingFake, envelope
from tests.fakes_http.server import Reply, serve

ACCESS, SECRET = "ak-test", "sk-secret"


@pytest.fixture
def fake(tiny_mp4: bytes) -> Iterator[KlingFake]:
    app = KlingFake(tiny_mp4, access=ACCESS, secret=SECRET)
    with serve(app) as url:
        app.base_url = url
        yield app


def adapter(fake: KlingFake, secret: str = SECRET, **extra: float) -> KlingProvider:
    settings = KlingSettings(
        access_key=SecretStr(ACCESS), secret_key=SecretStr(secret), base_url=fake.base_url,
        **extra,
    )  # fmt: skip
    return KlingProvider(settings, timing=instant(FakeTime()))


async def test_text_to_video_end_to_end(fake: KlingFake, tiny_mp4: bytes, tmp_path: Path) -> None:
    clip = await adapter(fake).generate(
        clip_request(Aspect.PORTRAIT, 6), "kling-v2-5-turbo", tmp_path / "c.mp4"
    )
    assert clip.sha256 == hashlib.sha256(tiny_mp4).hexdigest()
    assert (clip.provider_id, clip.model_id, clip.width) == ("kling", "kling-v2-5-turbo", 64)
    assert clip.provider_job_id.isdigit()
    body = fake.requests[0].json()
    assert body["duration"] == "10" and body["aspect_ratio"] == "9:16"
    assert [r.path for r in fake.requests[1:4]] == [
        f"/v1/videos/text2video/{clip.provider_job_id}"
    ] * 3
    assert "authorization" not in fake.requests[-1].headers


async def test_image_to_video_sends_raw_base64(fake: KlingFake, tmp_path: Path) -> None:
    request = clip_request(Aspect.SQUARE, 3, image=png(tmp_path / "f.png"))
    await adapter(fake).generate(request, "kling-v2-1-master", tmp_path / "c.mp4")
    assert fake.requests[0].path == "/v1/videos/image2video"
    assert fake.requests[0].json()["duration"] == "5"
    assert fake.requests[1].path.startswith("/v1/videos/image2video/")


def test_jwt_claims_follow_the_documented_shape() -> None:
    import base64
    import json

    token = jwt_hs256("ak", "sk", 1_000_000.0)
    head, body, _ = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert json.loads(base64.urlsafe_b64decode(head + "==")) == {"alg": "HS256", "typ": "JWT"}
    assert claims == {"iss": "ak", "exp": 1_001_800, "nbf": 999_995}


async def test_bad_signature_is_auth_error_without_secrets(fake: KlingFake, tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="code 1002") as info:
        await adapter(fake, secret="sk-wrong").generate(
            clip_request(), "kling-v2-5-turbo", tmp_path / "c.mp4"
        )
    assert "sk-wrong" not in str(info.value) and SECRET not in str(info.value)


async def test_unconfigured_without_both_keys() -> None:
    assert not KlingProvider(KlingSettings(access_key=SecretStr("ak"))).is_configured()
    assert KlingProvider(
        KlingSettings(access_key=SecretStr("ak"), secret_key=SecretStr("sk"))
    ).is_configured()


async def test_unservable_aspect_fails_before_any_call(fake: KlingFake, tmp_path: Path) -> None:
    with pytest.raises(CapabilityNotSupported):
        await adapter(fake).generate(
            clip_request(Aspect.FOUR_FIVE), "kling-v2-5-turbo", tmp_path / "c.mp4"
        )
    assert fake.requests == []


@pytest.mark.parametrize(
    ("reply", "error"),
    [(Reply(429, envelope(1303, "parallel task over resource pack limit")), RateLimited),
     (Reply(429, envelope(1302, "rate limit")), RateLimited),
     (Reply(400, envelope(1301, "content security policy")), ContentRejected),
     (Reply(500, envelope(5000, "server error")), ProviderUnavailable),
     (Reply(200, b"<html>oops", {"Content-Type": "text/html"}), InvalidResponse),
     (Reply(200, envelope(1303, "concurrency")), RateLimited)],
)  # fmt: skip
async def test_submit_errors_map_by_business_code(
    fake: KlingFake, tmp_path: Path, reply: Reply, error: type[Exception]
) -> None:
    fake.fail("submit", reply)
    with pytest.raises(error) as info:
        await adapter(fake).generate(clip_request(), "kling-v2-5-turbo", tmp_path / "c.mp4")
    if isinstance(info.value, ContentRejected):
        assert info.value.code == "1301"


async def test_failed_task_is_generation_failed(fake: KlingFake, tmp_path: Path) -> None:
    fake.fail_reason = "Failure to pass the risk control system"
    with pytest.raises(GenerationFailed, match="risk control"):
        await adapter(fake).generate(clip_request(), "kling-v2-5-turbo", tmp_path / "c.mp4")


async def test_hang_is_unavailable(fake: KlingFake, tmp_path: Path) -> None:
    # the timeout covers the submit too: long enough for a loaded machine's loopback answer
    fake.fail("status", Reply(200, envelope(0, "SUCCEED", {}), hang_s=8.0))
    with pytest.raises(ProviderUnavailable):
        await adapter(fake, timeout_s=2.0).generate(
            clip_request(), "kling-v2-5-turbo", tmp_path / "c.mp4"
        )


async def test_expired_download_leaves_nothing(fake: KlingFake, tmp_path: Path) -> None:
    fake.fail("download", Reply(404, b"NoSuchKey"))
    with pytest.raises(InvalidResponse, match="expired"):
        await adapter(fake).generate(clip_request(), "kling-v2-5-turbo", tmp_path / "k" / "c.mp4")
    assert leftovers(tmp_path / "k") == []


async def test_check_lists_tasks(fake: KlingFake) -> None:
    assert "ok" in await adapter(fake).check()


async def test_every_request_carries_a_freshly_signed_token(
    fake: KlingFake, tmp_path: Path
) -> None:
    await adapter(fake).generate(clip_request(), "kling-v2-5-turbo", tmp_path / "c.mp4")
    api_calls = [r for r in fake.requests if r.path.startswith("/v1/")]
    assert len(api_calls) >= 4
    assert all(r.headers["authorization"].startswith("Bearer ey") for r in api_calls)
