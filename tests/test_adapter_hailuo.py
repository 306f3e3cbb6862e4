"""Hailuo adapter against a faithful fake MiniMax API on loopback."""

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
    RateLimited,
    RequestRejected,
)
from providers.media import run_ffmpeg
from providers.settings import HailuoSettings
from providers.types import Aspect
from providers.vendors.hailuo import HailuoProvider
from tests.fakes import FakeTime
from tests.fakes_http.hailuo import HailuoFake, base_resp
from tests.fakes_http.harness import clip_request, instant, leftovers
from tests.fakes_http.server import Reply, serve

KEY = "mm-test-key"
MODEL = "MiniMax-Hailuo-2.3"


@pytest.fixture
def fake(tiny_mp4: bytes) -> Iterator[HailuoFake]:
    app = HailuoFake(tiny_mp4, key=KEY)
    with serve(app) as url:
        app.base_url = url
        yield app


def adapter(fake: HailuoFake, key: str = KEY) -> HailuoProvider:
    settings = HailuoSettings(api_key=SecretStr(key), base_url=fake.base_url)
    return HailuoProvider(settings, timing=instant(FakeTime()))


async def test_task_file_download_chain(fake: HailuoFake, tiny_mp4: bytes, tmp_path: Path) -> None:
    clip = await adapter(fake).generate(clip_request(duration=7), MODEL, tmp_path / "c.mp4")
    assert clip.sha256 == hashlib.sha256(tiny_mp4).hexdigest() and clip.provider_job_id
    assert fake.requests[0].json()["duration"] == 10
    paths = [r.path for r in fake.requests]
    assert "/v1/files/retrieve" in paths and paths[-1].startswith("/files/")


async def test_portrait_sends_a_cropped_first_frame(fake: HailuoFake, tmp_path: Path) -> None:
    image = tmp_path / "wide.png"
    await run_ffmpeg(["-f", "lavfi", "-i", "color=c=blue:s=320x180", "-frames:v", "1", str(image)])
    request = clip_request(Aspect.PORTRAIT, 6, image=image)
    await adapter(fake).generate(request, "MiniMax-Hailuo-2.3-Fast", tmp_path / "c.mp4")
    assert fake.requests[0].json()["first_frame_image"].startswith("data:image/png;base64,")


async def test_portrait_without_image_is_refused_before_calling(
    fake: HailuoFake, tmp_path: Path
) -> None:
    with pytest.raises(CapabilityNotSupported, match="reference image"):
        await adapter(fake).generate(clip_request(Aspect.PORTRAIT), MODEL, tmp_path / "c.mp4")
    assert fake.requests == []


async def test_invalid_key_inside_a_200(fake: HailuoFake, tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="2049") as info:
        await adapter(fake, key="mm-bad").generate(clip_request(), MODEL, tmp_path / "c.mp4")
    assert "mm-bad" not in str(info.value)


@pytest.mark.parametrize(
    ("reply", "error"),
    [(Reply(200, base_resp(1026, "input sensitive")), ContentRejected),
     (Reply(200, base_resp(1002, "rate limit")), RateLimited),
     (Reply(200, b"not json"), InvalidResponse)],
)  # fmt: skip
async def test_submit_errors(
    fake: HailuoFake, tmp_path: Path, reply: Reply, error: type[Exception]
) -> None:
    fake.fail("submit", reply)
    with pytest.raises(error):
        await adapter(fake).generate(clip_request(), MODEL, tmp_path / "c.mp4")


async def test_output_moderation_is_content_rejected(fake: HailuoFake, tmp_path: Path) -> None:
    fake.fail_code = 1027
    with pytest.raises(ContentRejected) as info:
        await adapter(fake).generate(clip_request(), MODEL, tmp_path / "c.mp4")
    assert info.value.code == "1027"


async def test_expired_download(fake: HailuoFake, tmp_path: Path) -> None:
    fake.fail("download", Reply(403, b"expired"))
    with pytest.raises(InvalidResponse, match="expired"):
        await adapter(fake).generate(clip_request(), MODEL, tmp_path / "h" / "c.mp4")
    assert leftovers(tmp_path / "h") == []


async def test_check(fake: HailuoFake) -> None:
    assert "ok" in await adapter(fake).check()
    with pytest.raises(AuthError):
        await adapter(fake, key="nope").check()


async def test_hailuo_03_goes_to_the_v2_api(
    fake: HailuoFake, tiny_mp4: bytes, tmp_path: Path
) -> None:
    request = clip_request(Aspect.SQUARE, duration=7.2)
    clip = await adapter(fake).generate(request, "MiniMax-H3", tmp_path / "c.mp4")
    assert clip.sha256 == hashlib.sha256(tiny_mp4).hexdigest() and clip.model_id == "MiniMax-H3"
    submit = fake.requests[0]
    assert submit.path == "/v2/video_generation"
    assert submit.json() == {
        "model": "MiniMax-H3", "content": [{"type": "text", "text": request.prompt}],
        "resolution": "768P", "duration": 8, "ratio": "1:1",
    }  # fmt: skip
    assert all(not r.path.startswith("/v1/") for r in fake.requests)


async def test_a_model_the_v1_api_does_not_serve_is_a_request_rejection(
    fake: HailuoFake, tmp_path: Path
) -> None:
    fake.fail("submit", Reply(200, base_resp(2013, "invalid params: model")))
    with pytest.raises(RequestRejected, match="2013"):
        await adapter(fake).generate(clip_request(), MODEL, tmp_path / "c.mp4")


async def test_a_failed_v2_task_keeps_the_vendors_code_and_message(
    fake: HailuoFake, tmp_path: Path
) -> None:
    failed = {"task": {"status": "failed", "error": {"code": "InternalError", "message": "boom"}}}
    fake.fail("status", Reply(200, failed))
    with pytest.raises(GenerationFailed, match="failed: InternalError: boom"):
        await adapter(fake).generate(clip_request(), "MiniMax-H3", tmp_path / "c.mp4")
