"""`/metrics` in the Prometheus text format, read from the ledger at scrape time.

The ledger is the one place every API process and worker writes to, so any API replica
reports the whole deployment the same way, and a restart loses no count: renders by state,
scene generation attempts, failures and latency per provider, the queue's depth and the spend.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from app.pipeline.events import SceneState
from app.store.db import Database
from app.store.models import AttemptRow, RenderRow, SceneRow
from app.store.renders import RenderState

# Seconds: a cached clip, the local renderer, a quick vendor, a slow one, a stuck one.
LATENCY_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, math.inf)
_TIMED = ("succeeded", "failed")  # attempts that reached a provider (cached/skipped did not)


@dataclass
class LedgerSnapshot:
    renders: dict[str, int] = field(default_factory=dict)
    attempts: dict[tuple[str, str], int] = field(default_factory=dict)  # (provider, outcome)
    latency: dict[str, list[float]] = field(default_factory=dict)  # provider -> seconds
    spend: dict[tuple[str, str], float] = field(default_factory=dict)  # (tenant, provider)
    renders_waiting: int = 0
    scenes_waiting: int = 0


async def read_snapshot(db: Database) -> LedgerSnapshot:
    snap = LedgerSnapshot()
    provider = func.coalesce(AttemptRow.provider, "unknown")
    async with db.session() as s:
        for state, n in await s.execute(
            select(RenderRow.state, func.count()).group_by(RenderRow.state)
        ):
            snap.renders[str(state)] = int(n)
        outcome = func.coalesce(AttemptRow.outcome, "unknown")
        by_outcome = select(provider, outcome, func.count()).group_by(provider, outcome)
        for pid, outcome_, n in await s.execute(by_outcome):
            snap.attempts[(str(pid), str(outcome_))] = int(n)
        seconds = AttemptRow.record["seconds"].as_float()
        timed = select(provider, seconds).where(AttemptRow.outcome.in_(_TIMED))
        latency: dict[str, list[float]] = defaultdict(list)
        for pid, value in await s.execute(timed):
            if value is not None:
                latency[str(pid)].append(float(value))
        snap.latency = dict(latency)
        spent = (
            select(RenderRow.tenant_id, provider, func.sum(AttemptRow.cost_usd))
            .join(RenderRow, RenderRow.id == AttemptRow.render_id)
            .group_by(RenderRow.tenant_id, provider)
        )
        for tenant, pid, usd in await s.execute(spent):
            snap.spend[(str(tenant), str(pid))] = float(usd or 0.0)
        waiting = select(func.count()).where(RenderRow.state == RenderState.APPROVED)
        snap.renders_waiting = int((await s.execute(waiting)).scalar_one())
        queued = (
            select(func.count())
            .select_from(SceneRow)
            .join(RenderRow, RenderRow.id == SceneRow.render_id)
            .where(SceneRow.state == SceneState.QUEUED, RenderRow.state == RenderState.GENERATING)
        )
        snap.scenes_waiting = int((await s.execute(queued)).scalar_one())
    return snap


class _SnapshotCollector(Collector):
    def __init__(self, snap: LedgerSnapshot) -> None:
        self.snap = snap

    def collect(self) -> Iterator[Metric]:
        snap = self.snap
        renders = GaugeMetricFamily(
            "reelroute_renders", "Renders in the ledger by state.", labels=["state"]
        )
        for state in RenderState:
            renders.add_metric([state.value], snap.renders.get(state.value, 0))
        yield renders

        attempts = CounterMetricFamily(
            "reelroute_scene_attempts",
            "Scene generation attempts by provider and outcome "
            "(succeeded, cached, failed, skipped).",
            labels=["provider", "outcome"],
        )
        failures = CounterMetricFamily(
            "reelroute_scene_generation_failures",
            "Failed scene generation attempts by provider.",
            labels=["provider"],
        )
        failed: dict[str, int] = defaultdict(int)
        for (pid, outcome), n in sorted(snap.attempts.items()):
            attempts.add_metric([pid, outcome], n)
            if outcome == "failed":
                failed[pid] += n
        for pid in sorted({p for p, _ in snap.attempts}):
            failures.add_metric([pid], failed[pid])
        yield attempts
        yield failures

        latency = HistogramMetricFamily(
            "reelroute_scene_generation_seconds",
            "Time of scene generation attempts that reached a provider, by provider.",
            labels=["provider"],
        )
        for pid, values in sorted(snap.latency.items()):
            buckets = [
                ("+Inf" if math.isinf(le) else f"{le:g}", sum(1 for v in values if v <= le))
                for le in LATENCY_BUCKETS
            ]
            latency.add_metric([pid], buckets, sum(values))
        yield latency

        depth = GaugeMetricFamily(
            "reelroute_queue_depth",
            "Work waiting for a worker: approved renders not started, and queued scenes of "
            "renders being generated.",
            labels=["kind"],
        )
        depth.add_metric(["renders"], snap.renders_waiting)
        depth.add_metric(["scenes"], snap.scenes_waiting)
        yield depth

        spend = CounterMetricFamily(
            "reelroute_spend_usd",
            "Money spent on provider attempts (USD), by tenant and provider.",
            labels=["tenant", "provider"],
        )
        for (tenant, pid), usd in sorted(snap.spend.items()):
            spend.add_metric([tenant, pid], usd)
        yield spend


def render_text(snap: LedgerSnapshot) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_SnapshotCollector(snap))
    return generate_latest(registry)
