"""Per-provider in-flight limits: a provider that declares `max_concurrency` (a vendor's
allowance) is gated at it; one that declares none gets `Settings.clip_concurrency`."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from app.config import Settings
from app.ingest.model import Scene, Script, SourceKind
from app.pipeline.cache import ClipCache
from app.pipeline.clips import DEFAULT_GATE, Candidate, generate_clip
from app.pipeline.events import Emitter, ignore_events
from app.pipeline.run import _generate_all
from app.service.entry import build_render_env
from providers.base import ConcurrencyLimited, in_flight_limit
from providers.profile import Catalog
from providers.registry import Registry
from providers.settings import ProviderSettings
from providers.types import Aspect, Clip, ClipRequest, ProgressCallback, SceneKind
from providers.voice import get_voice
from routing.router import Choice, RoutingDecision
from routing.scene import SceneSpec

SCENES_EACH = 7


@dataclass
class HeldProvider:
    """Every call waits for `release`; records how many of its calls are in flight."""

    pid: str
    release: asyncio.Event
    in_flight: int = 0
    peak: int = 0
    calls: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.pid

    def is_configured(self) -> bool:
        return True

    async def generate(
        self,
        request: ClipRequest,
        model: str,
        dest: Path,
        progress: ProgressCallback | None = None,
    ) -> Clip:
        self.calls.append(request.prompt)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await self.release.wait()
        finally:
            self.in_flight -= 1
        data = request.prompt.encode()
        dest.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        return Clip(dest, request.duration, 30.0, request.width, request.height, digest,
                    self.pid, model, f"{self.pid}-{len(self.calls)}")  # fmt: skip


@dataclass
class LimitedProvider(HeldProvider):
    limit: int = 4

    @property
    def max_concurrency(self) -> int:
        return self.limit


def request(prompt: str) -> ClipRequest:
    return ClipRequest(prompt=prompt, duration=3.0, aspect=Aspect.LANDSCAPE, width=64, height=36)


def decision(index: int, provider: str) -> RoutingDecision:
    spec = SceneSpec(index, SceneKind.STYLIZED, 3.0, Aspect.LANDSCAPE)
    return RoutingDecision(spec, Choice(provider, "m1"), (), (), {}, None)


async def settle(wide: HeldProvider, narrow: HeldProvider, want: tuple[int, int]) -> None:
    """Let the loop run until both reach `want` in flight, then some more so any call the
    gates would wrongly admit gets its chance to start. Time-bounded, not a count of loop
    turns: the cache lookups before each call run in threads, slow on a loaded machine."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while (wide.in_flight, narrow.in_flight) != want and loop.time() < deadline:
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.2)


def test_declared_limit_is_read_and_undeclared_gets_the_default() -> None:
    release = asyncio.Event()
    assert isinstance(LimitedProvider("w", release, limit=4), ConcurrencyLimited)
    assert not isinstance(HeldProvider("n", release), ConcurrencyLimited)
    assert in_flight_limit(LimitedProvider("w", release, limit=4), 2) == 4
    assert in_flight_limit(HeldProvider("n", release), 3) == 3
    assert in_flight_limit(None, 2) == 2


def test_http_adapters_declare_their_settings_concurrency() -> None:
    from providers.vendors.luma import LumaProvider

    adapter = LumaProvider(ProviderSettings(concurrency=5))
    assert isinstance(adapter, ConcurrencyLimited) and in_flight_limit(adapter, 2) == 5


async def test_pipeline_gates_each_provider_at_its_declared_limit(tmp_path: Path) -> None:
    release = asyncio.Event()
    wide = LimitedProvider("wide", release, limit=4)
    narrow = HeldProvider("narrow", release)
    settings = Settings(data_dir=tmp_path / "data", voice="espeak", clip_concurrency=2)
    env = build_render_env(
        settings, catalog=Catalog((), ()), registry=Registry([wide, narrow]),
        voice=get_voice("espeak"),
    )  # fmt: skip
    owners = [("wide", "narrow")[i % 2] for i in range(2 * SCENES_EACH)]
    scenes = tuple(
        Scene(i, f"scene {i}", "", f"prompt {i}", SceneKind.STYLIZED, 3.0)
        for i in range(len(owners))
    )
    script = Script("gates", SourceKind.SCRIPT, "0" * 64, scenes)
    requests = [request(s.visual_prompt) for s in scenes]
    decisions = [decision(i, pid) for i, pid in enumerate(owners)]

    emitter = Emitter(script.title, ignore_events)
    task = asyncio.create_task(_generate_all(requests, decisions, env, emitter))
    try:
        await settle(wide, narrow, (4, 2))
        held = (wide.in_flight, narrow.in_flight)
    finally:
        release.set()
    outcomes = await task

    assert held == (4, 2) and (wide.peak, narrow.peak) == (4, 2)
    assert len(wide.calls) == len(narrow.calls) == SCENES_EACH
    assert [o.clip.provider_id for o in outcomes if o.clip] == owners


async def test_generate_clip_without_prepared_gates_uses_the_declared_limit(
    tmp_path: Path,
) -> None:
    release = asyncio.Event()
    wide = LimitedProvider("wide", release, limit=4)
    narrow = HeldProvider("narrow", release)
    registry, cache = Registry([wide, narrow]), ClipCache(tmp_path / "cache")
    gates: dict[str, asyncio.Semaphore] = {}  # none prepared: generate_clip makes them

    async def one(i: int) -> None:
        pid = ("wide", "narrow")[i % 2]
        chain = [Candidate(pid, "m1")]
        await generate_clip(i, request(f"p{i}"), chain, registry, cache, gates)

    task = asyncio.gather(*(one(i) for i in range(2 * SCENES_EACH)))
    try:
        await settle(wide, narrow, (4, DEFAULT_GATE))
        held = (wide.in_flight, narrow.in_flight)
    finally:
        release.set()
    await task
    assert held == (4, DEFAULT_GATE) and (wide.peak, narrow.peak) == (4, DEFAULT_GATE)
