"""A request error is not an outage: a model the vendor refuses as an invalid request counts
against that model, never against the vendor's circuit, so the vendor's valid models keep
working. And every catalog model is one its adapter can actually send to the right API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.pipeline.cache import ClipCache
from app.pipeline.clips import SKIPPED, Candidate, Timing, generate_clip
from app.pipeline.health import CircuitBoard
from providers.errors import CapabilityNotSupported, RequestRejected
from providers.profile import load_catalog
from providers.registry import Registry
from providers.settings import RunwaySettings
from providers.vendors.builtin import ADAPTERS
from providers.vendors.runway import RunwayProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant, png
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.server import Reply, Request, serve


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.provider_id)
def test_every_catalog_model_is_spoken_by_its_adapter(adapter: type) -> None:
    provider = adapter(adapter.settings_type())
    models = load_catalog().get(adapter.provider_id).models
    assert models, adapter.provider_id
    for model in models:
        assert provider.surface(model), f"{adapter.provider_id}/{model}"


@pytest.mark.parametrize("pid", ["hailuo", "pika"])
def test_a_model_on_an_unknown_api_surface_is_refused_before_any_call(pid: str) -> None:
    adapter = next(a for a in ADAPTERS if a.provider_id == pid)
    with pytest.raises(CapabilityNotSupported):
        adapter(adapter.settings_type()).surface("some-future-model")


class TurboRefusing(RunwayFake):
    """Serves gen4.5, refuses gen4_turbo as an invalid parameter (as for an unlisted model)."""

    def route(self, request: Request) -> Reply:
        if request.method == "POST" and b"gen4_turbo" in request.body:
            return Reply(400, {"error": "model: gen4_turbo is not available to this account"})
        return super().route(request)


@pytest.fixture
def fake(tiny_mp4: bytes) -> Iterator[TurboRefusing]:
    app = TurboRefusing(tiny_mp4, key="rw")
    with serve(app) as url:
        app.base_url = url
        yield app


async def test_a_refused_model_benches_itself_not_its_vendor(
    fake: TurboRefusing, tmp_path: Path
) -> None:
    time = FakeTime()
    runway = RunwayProvider(
        RunwaySettings(api_key=SecretStr("rw"), base_url=fake.base_url), timing=instant(time)
    )
    board = CircuitBoard(allowed_fails=2, cooldown_s=600, monotonic=time.monotonic)
    chain = [Candidate("runway", "gen4_turbo"), Candidate("runway", "gen4.5")]
    request = clip_request(duration=3, image=png(tmp_path / "frame.png"))
    trails = []
    for scene in range(4):
        outcome = await generate_clip(
            scene, request, chain, Registry([runway]), ClipCache(tmp_path / f"c{scene}"), {},
            Timing(time.clock, time.sleep, time.monotonic), board=board,
        )  # fmt: skip
        assert outcome.clip is not None and outcome.clip.model_id == "gen4.5"
        trails.append([(a.model, a.outcome, a.error_class) for a in outcome.attempts])
    refused = ("gen4_turbo", "failed", RequestRejected.__name__)
    made = ("gen4.5", "succeeded", None)
    skipped = ("gen4_turbo", SKIPPED, "CircuitOpen")
    assert trails == [[refused, made], [refused, made], [skipped, made], [skipped, made]]
    assert not board.is_open("runway") and board.failures("runway") == 0
    assert board.model_open("runway", "gen4_turbo") and not board.model_open("runway", "gen4.5")
