"""A credential goes only to the origin it belongs to, and no secret reaches a message, a log,
the attempt records (the manifest and the CLI print those) or the second server a hostile
reply points at."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.pipeline.cache import ClipCache
from app.pipeline.clips import Candidate, Timing, generate_clip
from providers.errors import InvalidResponse, ProviderError, RequestRejected
from providers.local import MODEL_ID, LocalProvider
from providers.registry import Registry
from providers.settings import KlingSettings, RunwaySettings
from providers.vendors.kling import KlingProvider
from providers.vendors.polling import Engine, PollConfig
from providers.vendors.runway import RunwayProvider
from providers.vendors.status import scrub
from tests.fakes import FakeTime
from tests.fakes_http.elsewhere import PointingElsewhere, Recorder
from tests.fakes_http.harness import clip_request, instant
from tests.fakes_http.kling import KlingFake, envelope
from tests.fakes_http.matrix import SECRET, Vendor, make_adapter
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.server import Reply, Request, VendorFake, serve


async def test_replies_pointing_elsewhere_never_carry_the_credential_there(
    vendor: tuple[Vendor, VendorFake], tiny_mp4: bytes, tmp_path: Path
) -> None:
    spec, fake = vendor
    recorder, pointed = Recorder(tiny_mp4), PointingElsewhere(fake)
    with serve(recorder) as elsewhere, serve(pointed) as front:
        fake.base_url = pointed.own = front  # the fake names its own origin in replies...
        pointed.elsewhere = elsewhere  # ...and every such URL now names the recorder
        try:
            await make_adapter(spec, fake).generate(clip_request(), spec.model, tmp_path / "c")
        except ProviderError as exc:  # refusing is fine; sending the key there is not
            assert isinstance(exc, InvalidResponse), exc
            assert "refused to send credentials" in str(exc)
    assert recorder.credentials_seen(SECRET) == []


async def test_an_absolute_operation_name_elsewhere_is_refused(
    tiny_mp4: bytes, tmp_path: Path
) -> None:
    from tests.fakes_http.matrix import VENDORS

    spec = VENDORS["veo"]
    fake = spec.fake(tiny_mp4)
    recorder = Recorder(tiny_mp4)
    with serve(fake) as url, serve(recorder) as elsewhere:
        fake.base_url = url
        name = f"{elsewhere}/v1beta/models/veo-3.1-generate-preview/operations/op1"
        fake.fail("submit", Reply(200, {"name": name, "done": False}))
        with pytest.raises(InvalidResponse, match="refused to send credentials"):
            await make_adapter(spec, fake).generate(clip_request(), spec.model, tmp_path / "c")
    assert recorder.requests == []


async def test_credentials_never_downgrade_to_plain_http() -> None:
    base = httpx.URL("https://127.0.0.1:9/v1/")
    adapter = RunwayProvider(RunwaySettings(api_key=SecretStr(SECRET), base_url=str(base)))
    async with adapter.client() as client:
        engine = Engine("runway", client, PollConfig())
        with pytest.raises(InvalidResponse, match="refused to send credentials to http://"):
            await engine.call("GET", "http://127.0.0.1:9/v1/tasks/1", "status")


class EchoingKling(KlingFake):
    """Refuses every submit with an error body that echoes the request's own headers."""

    def route(self, request: Request) -> Reply:
        if request.method == "POST":
            refused = self._auth(request)
            if refused is not None:
                return refused
            auth = request.headers.get("authorization", "")
            body = envelope(1201, f"model_name is invalid; you sent Authorization: {auth}")
            return Reply(400, {**body, "echo": {"headers": request.headers}})
        return super().route(request)


async def test_a_signed_token_echoed_back_reaches_no_message_record_or_log(
    tiny_mp4: bytes, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake, time = EchoingKling(tiny_mp4, "ak-visible", "sk-secret"), FakeTime()
    with serve(fake) as url:
        fake.base_url = url
        kling = KlingProvider(
            KlingSettings(access_key=SecretStr("ak-visible"), secret_key=SecretStr("sk-secret"),
                          base_url=url), timing=instant(time),
        )  # fmt: skip
        chain = [Candidate("kling", "kling-v2-5-turbo"), Candidate("local", MODEL_ID)]
        outcome = await generate_clip(
            0, clip_request(duration=1.0), chain, Registry([kling, LocalProvider()]),
            ClipCache(tmp_path / "cache"), {}, Timing(time.clock, time.sleep, time.monotonic),
        )  # fmt: skip
    token = fake.requests[0].headers["authorization"].removeprefix("Bearer ")
    assert token.count(".") == 2  # a JWT was really sent (and echoed)
    failed = outcome.attempts[0]
    assert (failed.provider, failed.error_class) == ("kling", RequestRejected.__name__)
    assert "1201: model_name is invalid" in (failed.error or "")  # the vendor's code and message
    for text in (failed.error or "", caplog.text, repr(outcome.attempts)):
        assert token not in text and "sk-secret" not in text
        assert token.split(".")[1] not in text  # not even the payload (it names the access key)
    assert outcome.clip is not None and outcome.clip.provider_id == "local"


async def test_a_raw_error_body_never_becomes_the_message(tiny_mp4: bytes, tmp_path: Path) -> None:
    fake = RunwayFake(tiny_mp4, key=SECRET)
    dump = f"<html>proxy dump: Authorization: Bearer {SECRET}</html>".encode()
    with serve(fake) as url:
        fake.base_url = url
        fake.fail("submit", Reply(502, dump))
        runway = RunwayProvider(
            RunwaySettings(api_key=SecretStr(SECRET), base_url=url), timing=instant(FakeTime())
        )
        with pytest.raises(ProviderError) as info:
            await runway.generate(clip_request(), "gen4.5", tmp_path / "c.mp4")
    assert str(info.value) == "runway: submit failed with HTTP 502"


@pytest.mark.parametrize(
    ("text", "kept"),
    [("token eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhayJ9.c2ln was refused", "token [redacted] was"),
     ("header Authorization: Bearer abcdefgh12345678", "Authorization: Bearer [redacted]"),
     ("use x-goog-api-key=AIzaSyA-1234567890 please", "x-goog-api-key=[redacted] please"),
     ("task 0f1e2d3c-0000-4000-8000-000000000001 failed", "0f1e2d3c-0000-4000-8000-000000000001"),
     ("invalid key parameter: duration", "invalid key parameter: duration")],
)  # fmt: skip
def test_scrub_redacts_credential_shapes_and_keeps_ids(text: str, kept: str) -> None:
    assert kept in scrub(text, ["never-present"])
