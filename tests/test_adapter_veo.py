"""Veo adapter against a faithful fake Gemini API on loopback."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from providers.errors import (
    AuthError,
    ContentRejected,
    GenerationFailed,
    InvalidResponse,
    ProviderUnavailable,
    RateLimited,
)
from providers.settings import VeoSettings
from providers.types import Aspect, ContentCredential
from providers.vendors.veo import VeoProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant, leftovers, png
from tests.fakes_http.server import Reply, VendorFake, serve
from tests.fakes_http.veo import VeoFake, google_error

KEY = "AIza-test-key"
MODEL = "veo-3.1-fast-generate-preview"


@pytest.fixture
def fake(tiny_mp4: bytes) -> Iterator[VeoFake]:
    app = VeoFake(tiny_mp4, key=KEY)
    with serve(app) as url:
        app.base_url = url
        yield app


def adapter(fake: VeoFake, key: str = KEY) -> VeoProvider:
    settings = VeoSettings(api_key=SecretStr(key), base_url=f"{fake.base_url}/v1beta")
    return VeoProvider(settings, timing=instant(FakeTime()))


async def test_text_to_video_end_to_end(fake: VeoFake, tiny_mp4: bytes, tmp_path: Path) -> None:
    clip = await adapter(fake).generate(clip_request(duration=4.5), MODEL, tmp_path / "c.mp4")
    assert clip.sha256 == hashlib.sha256(tiny_mp4).hexdigest()
    assert clip.provider_job_id.startswith(f"models/{MODEL}/operations/")
    assert clip.credentials == (ContentCredential("watermark", "SynthID"),)
    params = fake.requests[0].json()["parameters"]
    assert params == {"durationSeconds": 6, "aspectRatio": "16:9", "resolution": "720p"}
    file_calls = [r for r in fake.requests if ":download" in r.path]
    assert file_calls and file_calls[0].headers["x-goog-api-key"] == KEY  # authenticated
    assert fake.requests[-1].path.startswith("/files/")  # followed the redirect


async def test_veo2_image_to_video_omits_resolution(fake: VeoFake, tmp_path: Path) -> None:
    request = clip_request(Aspect.PORTRAIT, 5, image=png(tmp_path / "f.png"))
    await adapter(fake).generate(request, "veo-2.0-generate-001", tmp_path / "c.mp4")
    body = fake.requests[0].json()
    assert "resolution" not in body["parameters"] and body["parameters"]["durationSeconds"] == 5
    assert body["instances"][0]["image"]["mimeType"] == "image/png"


async def test_invalid_key_is_auth_error(fake: VeoFake, tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="API key not valid") as info:
        await adapter(fake, key="AIza-wrong").generate(clip_request(), MODEL, tmp_path / "c.mp4")
    assert "AIza-wrong" not in str(info.value)


async def test_done_with_error_is_generation_failed(fake: VeoFake, tmp_path: Path) -> None:
    fake.outcome = "error"
    with pytest.raises(GenerationFailed, match="could not be processed"):
        await adapter(fake).generate(clip_request(), MODEL, tmp_path / "c.mp4")


async def test_safety_filtered_is_content_rejected(fake: VeoFake, tmp_path: Path) -> None:
    fake.outcome = "rai"
    with pytest.raises(ContentRejected, match="violate") as info:
        await adapter(fake).generate(clip_request(), MODEL, tmp_path / "c.mp4")
    assert info.value.code == "rai_media_filtered"


@pytest.mark.parametrize(
    ("route", "reply", "error"),
    [("submit", Reply(429, google_error(429, "RESOURCE_EXHAUSTED", "quota"),
                      {"Retry-After": "20"}), RateLimited),
     ("submit", Reply(503, google_error(503, "UNAVAILABLE", "overloaded")), ProviderUnavailable),
     ("status", Reply(200, b"{]"), InvalidResponse),
     ("file", Reply(403, google_error(403, "PERMISSION_DENIED", "expired")), InvalidResponse)],
)  # fmt: skip
async def test_misbehaviour_maps_to_errors(
    fake: VeoFake, tmp_path: Path, route: str, reply: Reply, error: type[Exception]
) -> None:
    fake.fail(route, reply)
    with pytest.raises(error):
        await adapter(fake).generate(clip_request(), MODEL, tmp_path / "v" / "c.mp4")
    assert leftovers(tmp_path / "v") == []


async def test_check(fake: VeoFake) -> None:
    assert "ok" in await adapter(fake).check()


class _Storage(VendorFake):
    """Another origin holding the bytes, as Google's storage does behind the 302."""


async def test_key_is_not_forwarded_to_another_origin(
    fake: VeoFake, tiny_mp4: bytes, tmp_path: Path
) -> None:
    storage = _Storage(tiny_mp4)
    with serve(storage) as url:
        fake.storage_url = url
        clip = await adapter(fake).generate(clip_request(), MODEL, tmp_path / "c.mp4")
    assert clip.sha256 == hashlib.sha256(tiny_mp4).hexdigest()
    assert len(storage.requests) == 1 and "x-goog-api-key" not in storage.requests[0].headers
