"""Scripted fake video providers, registered through the real `providers.registry.Registry`.

A `ScriptedProvider` follows a script of outcomes, one per call (`"ok"` after the script runs
out, or `then` when given). On success it writes a few real bytes, or — with `real_video` — asks
the offline renderer for a real clip so a full render can compose it. Time never passes for real:
`FakeTime` is the injected clock, monotonic clock and sleep.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from providers.errors import (
    AuthError,
    ContentRejected,
    GenerationFailed,
    InvalidResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    SubmissionUnknown,
)
from providers.local import LocalProvider
from providers.types import Clip, ClipRequest, ProgressCallback, SceneKind

OUTCOMES = ("ok", "reject", "unavailable", "invalid", "failed", "ratelimit", "auth")


def error_for(step: str, provider_id: str) -> ProviderError:
    """The exception a scripted step raises (`ratelimit:5` = RateLimited(retry_after=5))."""
    kind, _, arg = step.partition(":")
    made: dict[str, Callable[[], ProviderError]] = {
        "reject": lambda: ContentRejected("refused", provider_id=provider_id, code="policy"),
        "unavailable": lambda: ProviderUnavailable("timed out", provider_id=provider_id),
        "invalid": lambda: InvalidResponse("bad json", provider_id=provider_id),
        "failed": lambda: GenerationFailed("job failed", provider_id=provider_id),
        "auth": lambda: AuthError("401", provider_id=provider_id),
        "unknown": lambda: SubmissionUnknown("dropped after sending", provider_id=provider_id),
        "ratelimit": lambda: RateLimited(
            "429", provider_id=provider_id, retry_after=float(arg) if arg else None
        ),
    }
    return made[kind]()


@dataclass
class ScriptedProvider:
    """A provider whose every call follows `script`; `calls` records (model, prompt) and
    `requests` the whole request of each call."""

    pid: str
    script: list[str] = field(default_factory=list)
    then: str = "ok"
    real_video: bool = False
    per_prompt: Callable[[ClipRequest, int], str] | None = None  # overrides the script
    calls: list[tuple[str, str]] = field(default_factory=list)
    requests: list[ClipRequest] = field(default_factory=list)

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
        self.calls.append((model, request.prompt))
        self.requests.append(request)
        if self.per_prompt is not None:
            seen = sum(1 for _, p in self.calls if p == request.prompt)
            step = self.per_prompt(request, seen)
        else:
            step = self.script.pop(0) if self.script else self.then
        if step != "ok":
            raise error_for(step, self.pid)
        if self.real_video:
            made = await LocalProvider().generate(request, "local-motion-1", dest)
            return Clip(
                path=made.path, duration=made.duration, fps=made.fps, width=made.width,
                height=made.height, sha256=made.sha256, provider_id=self.pid, model_id=model,
                provider_job_id=f"{self.pid}-{len(self.calls)}", cost_usd=0.05,
            )  # fmt: skip
        data = f"{self.pid}/{model}/{request.prompt}/{request.duration}".encode()
        dest.write_bytes(data)
        return Clip(
            path=dest, duration=request.duration, fps=30.0, width=request.width,
            height=request.height, sha256=hashlib.sha256(data).hexdigest(), provider_id=self.pid,
            model_id=model, provider_job_id=f"{self.pid}-{len(self.calls)}", cost_usd=0.01,
        )  # fmt: skip


@dataclass
class FakeTime:
    """Injected time: `sleep` advances both clocks instantly and records every wait."""

    now: float = 1000.0
    start: datetime = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def clock(self) -> datetime:
        return self.start + timedelta(seconds=self.now - 1000.0)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def fake_catalog_data(ids: Sequence[str], price: float = 0.01) -> dict[str, Any]:
    """Catalog override text (as data) adding one flexible model `m1` per fake provider."""
    from tests.test_eligibility import provider_data

    providers: dict[str, Any] = {}
    for pid in ids:
        body = provider_data(pid)
        body["models"]["m1"]["durations"] = {"min": 1, "max": 60}
        body["models"]["m1"]["price_per_second_usd"]["value"] = price
        body["fitness"]["scores"] = {k.value: 0.6 for k in SceneKind}
        providers[pid] = body
    return {"providers": providers}


@dataclass
class Gates:
    """One gate per provider call, in the order the calls come (whatever the provider)."""

    gates: list[threading.Event]
    taken: int = 0

    def next(self) -> threading.Event:
        self.taken += 1
        return self.gates[self.taken - 1]

    def open_all(self) -> None:
        for gate in self.gates:
            gate.set()


@dataclass
class HeldProvider:
    """A fake provider whose call waits until the test opens that call's gate (threading
    events: a test in another thread, or on the render's own loop, opens them)."""

    inner: ScriptedProvider
    shared: Gates

    @property
    def id(self) -> str:
        return self.inner.id

    def is_configured(self) -> bool:
        return True

    async def generate(
        self, request: ClipRequest, model: str, dest: Path, progress: ProgressCallback | None = None
    ) -> Clip:
        gate = self.shared.next()
        while not gate.is_set():
            await asyncio.sleep(0.05)
        return await self.inner.generate(request, model, dest, progress)
