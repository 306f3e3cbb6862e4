"""A full render whose scenes are routed across two fake vendors (Runway and Kling) on
loopback, through the real adapters, registry, pipeline and manifest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.config import Settings
from app.context import load_effective_catalog
from app.ingest import ingest_text
from app.render.quality import Quality
from providers.kling import KlingProvider
from providers.local import LocalProvider
from providers.registry import Registry
from providers.runway import RunwayProvider
from providers.settings import KlingSettings, RunwaySettings
from providers.types import Aspect
from routing.policy import parse_policy
from tests.fakes import FakeTime
from tests.fakes_http.harness import instant
from tests.fakes_http.kling import KlingFake
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.server import serve
from tests.rendering import make_env, render

SCRIPT = """A quiet harbour at dawn, boats resting on still water.

A crowd of people dancing at a street festival at night.
"""
POLICY = """id: two-vendors
only: [runway, kling]
order: [runway, kling]
scene_kinds:
  people: {only: [kling]}
"""


@pytest.fixture
def vendors(tiny_mp4: bytes) -> Iterator[tuple[RunwayFake, KlingFake]]:
    runway, kling = RunwayFake(tiny_mp4, key="rw-k"), KlingFake(tiny_mp4, "ak", "sk")
    with serve(runway) as r_url, serve(kling) as k_url:
        runway.base_url, kling.base_url = r_url, k_url
        yield runway, kling


@pytest.mark.slow
async def test_scenes_route_to_two_vendors_and_the_manifest_names_them(
    vendors: tuple[RunwayFake, KlingFake],
) -> None:
    runway, kling = vendors
    time = FakeTime()
    registry = Registry([
        LocalProvider(),
        RunwayProvider(RunwaySettings(api_key=SecretStr("rw-k"), base_url=runway.base_url),
                       timing=instant(time)),
        KlingProvider(KlingSettings(access_key=SecretStr("ak"), secret_key=SecretStr("sk"),
                                    base_url=kling.base_url), timing=instant(time)),
    ])  # fmt: skip
    settings = Settings(voice="espeak")
    catalog = load_effective_catalog(settings)
    env = make_env(settings, registry, clock=time.clock, sleep=time.sleep, monotonic=time.monotonic)
    result = await render(
        ingest_text(SCRIPT, title="Two vendors"), env, Path("out"),
        policy=parse_policy(POLICY, "two.yaml", catalog),
        aspects=(Aspect.LANDSCAPE,), quality=Quality.DRAFT,
    )  # fmt: skip
    scenes = json.loads(result.manifest_path.read_text())["scenes"]
    clips = [(s["clip"]["provider"], s["clip"]["provider_job_id"]) for s in scenes]
    assert clips[0][0] == "runway" and clips[0][1] in runway.tasks
    assert clips[1][0] == "kling" and f"text2video/{clips[1][1]}" in kling.tasks
    assert scenes[0]["clip"]["model"] == "gen4.5"
    assert scenes[1]["clip"]["model"].startswith("kling-")
