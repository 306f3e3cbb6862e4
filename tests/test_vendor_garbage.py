"""Any adapter failure is a provider failure: a reply of the wrong shape or type, JSON nested
beyond reason, a bad base URL: each is a typed `ProviderError` for every vendor, never an
uncaught exception, and through the real fallback loop the scene moves to its next model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from app.pipeline.cache import ClipCache
from app.pipeline.clips import Candidate, Timing, generate_clip
from providers.errors import ConfigurationError, InvalidResponse, ProviderError
from providers.local import MODEL_ID, LocalProvider
from providers.registry import Registry
from providers.settings import RunwaySettings
from providers.vendors.builtin import ADAPTERS
from providers.vendors.runway import RunwayProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant
from tests.fakes_http.matrix import Vendor, make_adapter
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.server import Reply, VendorFake, serve

WRONG_TYPES: dict[str, Any] = {
    # every field some adapter reads, each with a type no vendor sends
    "data": "x", "task_id": 7, "id": ["x"], "status": {"a": 1}, "state": [], "done": "yes",
    "name": {"a": 1}, "output": "x", "content": 3, "assets": 4, "file": 5, "base_resp": [],
    "task_status": "succeed", "task_result": "x", "video": 1, "request_id": None,
    "status_url": 9, "response_url": [], "response": "x", "error": 3, "code": "x",
}  # fmt: skip
GARBAGE: dict[str, Reply] = {
    "a-list": Reply(200, [1, 2, 3]),
    "a-string": Reply(200, b'"hello"', {"Content-Type": "application/json"}),
    "a-number": Reply(200, b"42", {"Content-Type": "application/json"}),
    "wrong-types": Reply(200, WRONG_TYPES),
    "succeeded-wrong-types": Reply(200, {**WRONG_TYPES, "status": "SUCCEEDED", "done": True,
                                         "state": "completed", "task_status": "succeed"}),
    "nested-100k": Reply(200, b"[" * 100_000 + b"]" * 100_000,
                         {"Content-Type": "application/json"}),
}  # fmt: skip


@pytest.mark.parametrize("route", ["submit", "status"])
@pytest.mark.parametrize("kind", sorted(GARBAGE))
async def test_garbage_is_a_provider_error_for_every_vendor(
    vendor: tuple[Vendor, VendorFake], tmp_path: Path, route: str, kind: str
) -> None:
    spec, fake = vendor
    fake.fail(route, GARBAGE[kind])
    try:
        await make_adapter(spec, fake).generate(clip_request(), spec.model, tmp_path / "c.mp4")
    except ProviderError as exc:
        assert exc.provider_id == spec.make(fake.base_url, "k", {}).id
    # A vendor that ignores the odd field and carries on is fine too: it did not crash.


@pytest.mark.parametrize(
    "base_url", ["not a url", "ftp://files.example/", "http://[::1", "http://", "/v1"]
)
@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.provider_id)
async def test_a_bad_base_url_is_a_configuration_error(
    adapter: type, base_url: str, tmp_path: Path
) -> None:
    keys = {"api_key": SecretStr("k"), "access_key": SecretStr("a"), "secret_key": SecretStr("s")}
    fields = {k: v for k, v in keys.items() if k in adapter.settings_type.model_fields}
    provider = adapter(adapter.settings_type(base_url=base_url, **fields))
    with pytest.raises(ConfigurationError, match=r"BASE_URL") as info:
        await provider.generate(clip_request(), next(iter(provider.profile.models)), tmp_path / "c")
    assert base_url not in str(info.value)  # the value may carry user info: not echoed


async def test_a_garbage_reply_moves_the_scene_to_its_next_model(
    tiny_mp4: bytes, tmp_path: Path
) -> None:
    fake, time = RunwayFake(tiny_mp4, key="k"), FakeTime()
    with serve(fake) as url:
        fake.base_url = url
        fake.fail("status", *[GARBAGE["succeeded-wrong-types"]] * 5)
        runway = RunwayProvider(
            RunwaySettings(api_key=SecretStr("k"), base_url=url), timing=instant(time)
        )
        chain = [Candidate("runway", "gen4.5"), Candidate("local", MODEL_ID)]
        outcome = await generate_clip(
            0, clip_request(duration=1.0), chain, Registry([runway, LocalProvider()]),
            ClipCache(tmp_path / "cache"), {}, Timing(time.clock, time.sleep, time.monotonic),
        )  # fmt: skip
    classes = [(a.provider, a.error_class) for a in outcome.attempts]
    assert classes[-1] == ("local", None) and outcome.clip is not None
    assert {c for p, c in classes if p == "runway"} == {InvalidResponse.__name__}
