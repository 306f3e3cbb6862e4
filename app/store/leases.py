"""Leases on the steps of a split render, and the heartbeats of the workers that hold them.

A render executed by workers is one step per scene (`step` = the scene's index), one
composition step (`COMPOSE_STEP`) and, for a draft-first render, one draft step (`DRAFT_STEP`,
a side path: nothing waits for it). A step is `queued`, `running` under a lease (a worker id and
an expiry its heartbeat keeps moving) or `done`. Every change is one conditional UPDATE, so two
workers can never both hold a step, on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.store.db import Database
from app.store.keys import now
from app.store.models import LeaseRow, RenderRow, WorkerRow

COMPOSE_STEP = -1  # the composition's step number (scenes count from 0)
DRAFT_STEP = -2  # the draft of a draft-first render, made while the scenes are generated


class StepState(StrEnum):
    QUEUED = "queued"  # waiting for a worker (first time, or handed back)
    RUNNING = "running"  # a worker holds the lease
    DONE = "done"  # finished; a scene's clip is in the clip cache under `cache_key`


@dataclass(frozen=True)
class Held:
    """A lease a worker holds: renew and release it with the generation it was taken at."""

    render_id: str
    step: int
    worker_id: str
    generation: int


@dataclass(frozen=True)
class Expired:
    """A running step whose holder stopped renewing: the job to enqueue again."""

    render_id: str
    step: int
    generation: int
    waited_s: float = 0.0  # since the lease expired, or since the step was queued


async def create_steps(db: Database, render_id: str, scenes: int, draft: bool = False) -> None:
    """The render's steps, all queued, with a draft step when `draft` (a second call, even a
    concurrent one, finds them there and changes nothing)."""
    try:
        async with db.session() as s:
            found = await s.execute(select(LeaseRow.step).where(LeaseRow.render_id == render_id))
            have = set(found.scalars())
            at = now()
            s.add_all(
                LeaseRow(
                    render_id=render_id,
                    step=i,
                    state=StepState.QUEUED.value,
                    generation=0,
                    updated_at=at,
                )
                for i in [*range(scenes), COMPOSE_STEP, *([DRAFT_STEP] if draft else [])]
                if i not in have
            )
    except IntegrityError:
        return  # another worker made them at the same moment


async def unstarted(db: Database, older_than_s: float) -> list[str]:
    """Renders approved or generating for longer than `older_than_s` without steps: the job
    that starts them was lost (its worker died in it, or the queue lost it)."""
    cutoff = now() - timedelta(seconds=older_than_s)
    has_steps = select(LeaseRow.render_id).where(LeaseRow.render_id == RenderRow.id).exists()
    async with db.session() as s:
        rows = await s.execute(
            select(RenderRow.id).where(
                RenderRow.state.in_(["approved", "generating"]),
                RenderRow.updated_at < cutoff,
                ~has_steps,
            )
        )
        return list(rows.scalars())


async def all_scenes_done(db: Database, older_than_s: float) -> list[str]:
    """Renders still generating a while after their last scene was done (the worker that
    finished it died before moving the render on)."""
    cutoff = now() - timedelta(seconds=older_than_s)
    open_scene = (
        select(LeaseRow.render_id)
        .where(
            LeaseRow.render_id == RenderRow.id,
            LeaseRow.step >= 0,  # scenes only: neither the composition nor the draft
            LeaseRow.state != StepState.DONE.value,
        )
        .exists()
    )
    has_steps = select(LeaseRow.render_id).where(LeaseRow.render_id == RenderRow.id).exists()
    async with db.session() as s:
        rows = await s.execute(
            select(RenderRow.id).where(
                RenderRow.state == "generating",
                RenderRow.updated_at < cutoff,
                has_steps,
                ~open_scene,
            )
        )
        return list(rows.scalars())


async def acquire(
    db: Database, render_id: str, step: int, worker_id: str, lease_s: float
) -> Held | None:
    """Take the step when it is queued or its lease expired; None when someone holds it or
    it is done."""
    at = now()
    async with db.session() as s:
        taken = await s.execute(
            update(LeaseRow)
            .where(
                LeaseRow.render_id == render_id,
                LeaseRow.step == step,
                or_(
                    LeaseRow.state == StepState.QUEUED.value,
                    and_(LeaseRow.state == StepState.RUNNING.value, LeaseRow.expires_at < at),
                ),
            )
            .values(
                state=StepState.RUNNING.value,
                worker_id=worker_id,
                generation=LeaseRow.generation + 1,
                expires_at=at + timedelta(seconds=lease_s),
                updated_at=at,
            )
            .returning(LeaseRow.generation)
        )
        generation = taken.scalar_one_or_none()
    return None if generation is None else Held(render_id, step, worker_id, int(generation))


async def renew(db: Database, held: Held, lease_s: float) -> bool:
    """Move the lease's expiry on; False when it was lost (expired and taken by another)."""
    at = now()
    async with db.session() as s:
        moved = await s.execute(_mine(held).values(expires_at=at + timedelta(seconds=lease_s)))
        return bool(moved.rowcount)  # type: ignore[attr-defined]


async def finish(db: Database, held: Held, cache_key: str | None = None) -> bool:
    """Mark the step done (a scene's clip under `cache_key`); False when the lease was lost."""
    async with db.session() as s:
        done = await s.execute(
            _mine(held).values(
                state=StepState.DONE.value, cache_key=cache_key, expires_at=None, updated_at=now()
            )
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]


async def hand_back(db: Database, held: Held) -> bool:
    """Give the step up unfinished (a worker shutting down): queued for the next worker."""
    async with db.session() as s:
        back = await s.execute(
            _mine(held).values(
                state=StepState.QUEUED.value, worker_id=None, expires_at=None, updated_at=now()
            )
        )
        return bool(back.rowcount)  # type: ignore[attr-defined]


def _mine(held: Held):  # type: ignore[no-untyped-def]  # an UPDATE builder
    return update(LeaseRow).where(
        LeaseRow.render_id == held.render_id,
        LeaseRow.step == held.step,
        LeaseRow.worker_id == held.worker_id,
        LeaseRow.generation == held.generation,
        LeaseRow.state == StepState.RUNNING.value,
    )


async def steps_of(db: Database, render_id: str) -> list[LeaseRow]:
    async with db.session() as s:
        rows = await s.execute(
            select(LeaseRow).where(LeaseRow.render_id == render_id).order_by(LeaseRow.step)
        )
        return list(rows.scalars())


async def scenes_left(db: Database, render_id: str) -> int:
    """Scene steps not done yet (the composition and the draft not counted)."""
    async with db.session() as s:
        found = await s.execute(
            select(func.count()).where(
                LeaseRow.render_id == render_id,
                LeaseRow.step >= 0,
                LeaseRow.state != StepState.DONE.value,
            )
        )
        return int(found.scalar_one())


async def expired(db: Database) -> list[Expired]:
    """Running steps whose lease ran out: their worker died or hangs."""
    async with db.session() as s:
        rows = await s.execute(
            select(
                LeaseRow.render_id, LeaseRow.step, LeaseRow.generation, LeaseRow.expires_at
            ).where(LeaseRow.state == StepState.RUNNING.value, LeaseRow.expires_at < now())
        )
        return [Expired(r, st, g, _since(at)) for r, st, g, at in rows.all()]


async def stale_queued(db: Database, older_than_s: float) -> list[Expired]:
    """Queued steps nobody started for a while (their job was lost before it ran)."""
    cutoff = now() - timedelta(seconds=older_than_s)
    async with db.session() as s:
        rows = await s.execute(
            select(
                LeaseRow.render_id, LeaseRow.step, LeaseRow.generation, LeaseRow.updated_at
            ).where(LeaseRow.state == StepState.QUEUED.value, LeaseRow.updated_at < cutoff)
        )
        return [Expired(r, st, g, _since(at)) for r, st, g, at in rows.all()]


async def queued_drafts(db: Database) -> list[str]:
    """Renders whose draft step waits for a worker with room for it, longest waiting first."""
    async with db.session() as s:
        rows = await s.execute(
            select(LeaseRow.render_id)
            .where(LeaseRow.step == DRAFT_STEP, LeaseRow.state == StepState.QUEUED.value)
            .order_by(LeaseRow.updated_at)
        )
        return list(rows.scalars().all())


def _since(moment: datetime | None) -> float:
    if moment is None:
        return 0.0
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return max((now() - moment).total_seconds(), 0.0)


async def delete_steps(db: Database, render_ids: Sequence[str]) -> None:
    """Forget the steps of renders that ended (cancelled or failed): nothing reaps them."""
    async with db.session() as s:
        await s.execute(
            update(LeaseRow)
            .where(LeaseRow.render_id.in_(list(render_ids)))
            .values(state=StepState.DONE.value, expires_at=None, updated_at=now())
        )


async def beat(db: Database, worker_id: str, fingerprint: str, *, stopped: bool = False) -> None:
    """A worker's heartbeat (and the fingerprint of the manifest key it signs with)."""
    at = now()
    async with db.session() as s:
        row = await s.get(WorkerRow, worker_id)
        if row is None:
            s.add(WorkerRow(id=worker_id, key_fingerprint=fingerprint, started_at=at,
                            heartbeat_at=at, stopped_at=at if stopped else None))  # fmt: skip
            return
        row.key_fingerprint, row.heartbeat_at = fingerprint, at
        row.stopped_at = at if stopped else None


async def live_workers(db: Database, within_s: float) -> list[WorkerRow]:
    """Workers that beat within `within_s` and have not said they stopped."""
    since: datetime = now() - timedelta(seconds=within_s)
    async with db.session() as s:
        rows = await s.execute(
            select(WorkerRow).where(WorkerRow.heartbeat_at >= since, WorkerRow.stopped_at.is_(None))
        )
        return list(rows.scalars())
