"""Generate every scene's clip concurrently, falling back along each scene's eligible chain.

Only providers the routing decision names (chosen, then its fallbacks) are ever called, so a
policy's exclusions hold on retries and fallbacks too. Every attempt is recorded.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.pipeline.cache import ClipCache, request_key
from app.provenance.manifest import AttemptRecord
from providers.errors import ProviderError
from providers.registry import Registry
from providers.types import Clip, ClipRequest

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Candidate:
    provider: str
    model: str


@dataclass(frozen=True)
class ClipOutcome:
    clip: Clip | None
    attempts: tuple[AttemptRecord, ...]
    cached: bool = False


class SceneFailed(Exception):
    """No candidate produced a clip for a scene; carries every attempt for the report."""

    def __init__(self, index: int, attempts: Sequence[AttemptRecord]) -> None:
        self.index = index
        self.attempts = list(attempts)
        tried = "; ".join(f"{a.provider}/{a.model}: {a.error_class}: {a.error}" for a in attempts)
        super().__init__(f"scene {index + 1}: every eligible provider failed ({tried or 'none'})")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def _attempt(
    registry: Registry,
    cache: ClipCache,
    request: ClipRequest,
    cand: Candidate,
    clock: Clock,
) -> tuple[Clip | None, AttemptRecord, bool]:
    key = request_key(request, cand.provider, cand.model)
    started, t0 = clock(), time.perf_counter()
    hit = cache.load(key)
    if hit is not None:
        rec = AttemptRecord(cand.provider, cand.model, "cached", _iso(started), _iso(clock()), 0.0)
        return hit, rec, True
    provider = registry.get(cand.provider)
    try:
        if provider is None:
            raise ProviderError(f"no adapter registered for {cand.provider}")
        made = await provider.generate(request, cand.model, cache.path_for(key))
        clip = cache.store(key, made)
    except ProviderError as exc:
        rec = AttemptRecord(
            cand.provider, cand.model, "failed", _iso(started), _iso(clock()),
            round(time.perf_counter() - t0, 3), None, type(exc).__name__, str(exc),
        )  # fmt: skip
        return None, rec, False
    rec = AttemptRecord(
        cand.provider, cand.model, "succeeded", _iso(started), _iso(clock()),
        round(time.perf_counter() - t0, 3), clip.cost_usd,
    )  # fmt: skip
    return clip, rec, False


async def generate_clip(
    index: int,
    request: ClipRequest,
    chain: Sequence[Candidate],
    registry: Registry,
    cache: ClipCache,
    gates: dict[str, asyncio.Semaphore],
    clock: Clock = utc_now,
) -> ClipOutcome:
    """Try the chain in order until one provider delivers; raise SceneFailed if none does."""
    attempts: list[AttemptRecord] = []
    for cand in chain:
        async with gates.setdefault(cand.provider, asyncio.Semaphore(2)):
            clip, rec, cached = await _attempt(registry, cache, request, cand, clock)
        attempts.append(rec)
        if clip is not None:
            return ClipOutcome(clip, tuple(attempts), cached)
    raise SceneFailed(index, attempts)
