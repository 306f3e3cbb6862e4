"""Runway adapter against a faithful fake Runway API on loopback."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from providers.errors import (
    AuthError,
    CapabilityNotSupported,
    ConfigurationError,
    ContentRejected,
    DeadlineExceeded,
    InvalidResponse,
    ProviderUnavailable,
    RateLimited,
    RequestRejected,
    SubmissionUnknown,
)
from providers.settings import RunwaySettings
from providers.types import Aspect
from providers.vendors.runway import RunwayProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant, leftovers, png
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.server import Reply, serve

KEY = "rw-secret-key"


@pytest.fixture
def fake(tiny_mp4: bytes) -> Iterator[RunwayFake]:
    app = RunwayFake(tiny_mp4, key=KEY)
    with serve(app) as url:
        app.base_url = url
        yield app


def adapter(fake: RunwayFake, time: FakeTime, key: str = KEY, **extra: float) -> RunwayProvider:
    settings = RunwaySettings(api_key=SecretStr(key), base_url=fake.base_url, **extra)
    return RunwayProvider(settings, timing=instant(time))


async def test_text_to_video_end_to_end(fake: RunwayFake, tiny_mp4: bytes, tmp_path: Path) -> None:
    time, seen = FakeTime(), []
    dest = tmp_path / "out" / "clip.mp4"
    clip = await adapter(fake, time).generate(
        clip_request(duration=4.2), "gen4.5", dest, progress=lambda f, s: seen.append((f, s))
    )
    assert clip.path == dest and dest.read_bytes() == tiny_mp4
    assert clip.sha256 == hashlib.sha256(tiny_mp4).hexdigest()
    assert (clip.width, clip.height, clip.provider_id, clip.model_id) == (
        64,
        36,
        "runway",
        "gen4.5",
    )
    assert clip.provider_job_id in fake.tasks and clip.cost_usd == pytest.approx(0.12 * 5)
    submit = fake.requests[0]
    assert submit.path == "/v1/text_to_video"
    assert submit.json() == {
        "model": "gen4.5", "promptText": clip_request().prompt, "duration": 5, "seed": 7,
        "ratio": "1280:720",
    }  # fmt: skip
    assert fake.requests[-1].path.startswith("/files/")
    assert "authorization" not in fake.requests[-1].headers  # the key stays with the API
    assert [s for _, s in seen][:3] == ["queued", "throttled (concurrency limit)", "running"]
    assert seen[-1][0] == pytest.approx(1.0)
    assert 4.5 <= time.sleeps[0] <= 7.5  # Runway's 6 s cadence, jittered


async def test_image_to_video_only_model_sends_the_scene_image(
    fake: RunwayFake, tmp_path: Path
) -> None:
    image = png(tmp_path / "frame.png")
    request = clip_request(Aspect.SQUARE, 3, image=image)
    clip = await adapter(fake, FakeTime()).generate(request, "gen4_turbo", tmp_path / "c.mp4")
    body = fake.requests[0].json()
    assert fake.requests[0].path == "/v1/image_to_video" and clip.model_id == "gen4_turbo"
    assert body["ratio"] == "960:960" and body["promptImage"].startswith("data:image/png;base64,")


async def test_image_to_video_only_model_animates_a_local_still_without_a_scene_image(
    fake: RunwayFake, tmp_path: Path
) -> None:
    request = clip_request(Aspect.LANDSCAPE, 3)
    assert request.reference_image is None
    clip = await adapter(fake, FakeTime()).generate(request, "gen4_turbo", tmp_path / "c.mp4")
    body = fake.requests[0].json()
    assert fake.requests[0].path == "/v1/image_to_video" and clip.model_id == "gen4_turbo"
    assert body["promptImage"].startswith("data:image/png;base64,")
    assert len(body["promptImage"]) > 2000  # a real rendered frame, not a placeholder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.mp4"]  # scratch folder removed


@pytest.mark.parametrize(
    ("model", "aspect", "why"),
    [("gen4.5", Aspect.SQUARE, "no vendor equivalent"),
     ("gen4.5", Aspect.FOUR_FIVE, "not offered"),
     ("gen3a_turbo", Aspect.LANDSCAPE, "unknown model")],
)  # fmt: skip
async def test_unservable_requests_fail_before_any_call(
    fake: RunwayFake, tmp_path: Path, model: str, aspect: Aspect, why: str
) -> None:
    with pytest.raises(CapabilityNotSupported, match=why):
        await adapter(fake, FakeTime()).generate(clip_request(aspect), model, tmp_path / "c.mp4")
    assert fake.requests == []


async def test_without_a_key_it_is_not_configured(tmp_path: Path) -> None:
    provider = RunwayProvider(RunwaySettings())
    assert not provider.is_configured()
    with pytest.raises(ConfigurationError):
        await provider.generate(clip_request(), "gen4.5", tmp_path / "c.mp4")


async def test_wrong_key_is_an_auth_error_without_the_key(fake: RunwayFake, tmp_path: Path) -> None:
    with pytest.raises(AuthError, match="HTTP 401") as info:
        await adapter(fake, FakeTime(), key="rw-wrong-key").generate(
            clip_request(), "gen4.5", tmp_path / "c.mp4"
        )
    assert "rw-wrong-key" not in str(info.value) and KEY not in repr(info.value)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "7"}, 7.0), ({"retry-after-ms": "2500"}, 2.5),
     ({"Retry-After": "Sun, 22 Nov 2026 12:00:30 GMT"}, 30.0)],
)  # fmt: skip
async def test_rate_limit_carries_retry_after(
    fake: RunwayFake, tmp_path: Path, headers: dict[str, str], expected: float
) -> None:
    fake.fail("submit", Reply(429, {"error": "Too many requests"}, headers))
    provider = adapter(fake, FakeTime())
    provider._timing = type(provider._timing)(
        sleep=provider._timing.sleep, monotonic=provider._timing.monotonic,
        wall=lambda: 1795348800.0, random=provider._timing.random,
    )  # fmt: skip  # 2026-11-22 12:00:00 UTC
    with pytest.raises(RateLimited) as info:
        await provider.generate(clip_request(), "gen4.5", tmp_path / "c.mp4")
    assert info.value.retry_after == pytest.approx(expected)


async def test_server_errors_are_unavailable_and_a_hung_submission_is_unknown(
    fake: RunwayFake, tmp_path: Path
) -> None:
    fake.fail("submit", Reply(503, {"error": "overloaded"}))
    with pytest.raises(ProviderUnavailable, match="HTTP 503"):
        await adapter(fake, FakeTime()).generate(clip_request(), "gen4.5", tmp_path / "c.mp4")
    # The request went out and no answer came: the vendor may have taken (and billed) the job.
    fake.fail("submit", Reply(200, {"id": "late"}, hang_s=1.0))
    with pytest.raises(SubmissionUnknown, match="ReadTimeout"):
        await adapter(fake, FakeTime(), timeout_s=0.2).generate(
            clip_request(), "gen4.5", tmp_path / "c.mp4"
        )


async def test_moderation_failure_is_content_rejected(fake: RunwayFake, tmp_path: Path) -> None:
    fake.failure = {"failure": "prompt flagged", "failureCode": "SAFETY.INPUT.TEXT"}
    with pytest.raises(ContentRejected) as info:
        await adapter(fake, FakeTime()).generate(clip_request(), "gen4.5", tmp_path / "c.mp4")
    assert info.value.code == "SAFETY.INPUT.TEXT" and fake.cancelled == []


async def test_malformed_json_is_invalid_and_cancels(fake: RunwayFake, tmp_path: Path) -> None:
    fake.fail("status", Reply(200, b"{not json", {"Content-Type": "application/json"}))
    with pytest.raises(InvalidResponse, match="unparseable JSON"):
        await adapter(fake, FakeTime()).generate(clip_request(), "gen4.5", tmp_path / "c.mp4")
    assert fake.cancelled == list(fake.tasks)


async def test_deadline_cancels_the_remote_task(fake: RunwayFake, tmp_path: Path) -> None:
    fake.failure = {"status": "RUNNING", "progress": 0.6}  # never finishes
    with pytest.raises(DeadlineExceeded, match="not finished within 30 s"):
        await adapter(fake, FakeTime(), deadline_s=30).generate(
            clip_request(), "gen4.5", tmp_path / "c.mp4"
        )
    assert fake.cancelled == list(fake.tasks)


async def test_polling_429_is_waited_out(fake: RunwayFake, tmp_path: Path) -> None:
    time = FakeTime()
    fake.fail("status", Reply(429, {"error": "slow down"}, {"Retry-After": "11"}))
    await adapter(fake, time).generate(clip_request(), "gen4.5", tmp_path / "c.mp4")
    assert time.sleeps[0] == 11.0


async def test_caller_cancellation_cancels_the_remote_task(
    fake: RunwayFake, tmp_path: Path
) -> None:
    gate = asyncio.Event()

    async def stuck(_: float) -> None:
        gate.set()
        await asyncio.sleep(30)

    provider = adapter(fake, FakeTime())
    provider._timing = type(provider._timing)(sleep=stuck)
    job = asyncio.create_task(provider.generate(clip_request(), "gen4.5", tmp_path / "c.mp4"))
    await asyncio.wait_for(gate.wait(), 5)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    assert fake.cancelled == list(fake.tasks)


@pytest.mark.parametrize(
    ("reply", "error"),
    [(Reply(404, {"error": "gone"}), InvalidResponse),
     (Reply(403, b"<Error>AccessDenied</Error>"), InvalidResponse),
     (Reply(200, b"x" * 5000, truncate_to=1000), (InvalidResponse, ProviderUnavailable))],
)  # fmt: skip
async def test_bad_downloads_leave_nothing_behind(
    fake: RunwayFake, tmp_path: Path, reply: Reply, error: type[Exception]
) -> None:
    fake.fail("download", reply)
    folder = tmp_path / "clips"
    with pytest.raises(error):
        await adapter(fake, FakeTime()).generate(clip_request(), "gen4.5", folder / "c.mp4")
    assert leftovers(folder) == []


async def test_check_reads_the_organization(fake: RunwayFake) -> None:
    assert "1234" in await adapter(fake, FakeTime()).check()


async def test_an_echoed_key_is_scrubbed_from_the_message(fake: RunwayFake, tmp_path: Path) -> None:
    fake.fail("submit", Reply(400, {"error": f"key {KEY} may not use gen4.5"}))
    with pytest.raises(RequestRejected) as info:
        await adapter(fake, FakeTime()).generate(clip_request(), "gen4.5", tmp_path / "c.mp4")
    assert KEY not in str(info.value) and "key [redacted] may not" in str(info.value)


async def test_oversized_download_is_refused(fake: RunwayFake, tmp_path: Path) -> None:
    settings = RunwaySettings(
        api_key=SecretStr(KEY), base_url=fake.base_url, max_download_bytes=1000
    )
    provider = RunwayProvider(settings, timing=instant(FakeTime()))
    with pytest.raises(InvalidResponse, match="exceeds"):
        await provider.generate(clip_request(), "gen4.5", tmp_path / "r" / "c.mp4")
    assert leftovers(tmp_path / "r") == []


async def test_a_servers_poll_hint_wins_over_the_cadence(fake: RunwayFake, tmp_path: Path) -> None:
    time = FakeTime()
    running = {"id": "x", "status": "RUNNING", "progress": 0.2}
    fake.fail("status", Reply(200, running, {"retry-after-ms": "9000"}))
    await adapter(fake, time).generate(clip_request(), "gen4.5", tmp_path / "c.mp4")
    assert time.sleeps[0] == 9.0 and time.sleeps[1] != 9.0
