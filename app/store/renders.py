"""Renders and what happened to them: scenes, attempts, clips and the event log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.db import Database
from app.store.keys import now
from app.store.models import AttemptRow, ClipRow, EventRow, RenderRow, SceneRow


class RenderState(StrEnum):
    PLANNED = "planned"  # priced and editable; nothing spent
    APPROVED = "approved"  # queued for a worker
    GENERATING = "generating"  # clips being made
    COMPOSING = "composing"  # every clip made; encoding the outputs
    SUCCEEDED = "succeeded"  # outputs stored
    FAILED = "failed"  # stopped with an error; clips made stay cached
    CANCELLED = "cancelled"  # stopped on request


TERMINAL = frozenset({RenderState.SUCCEEDED, RenderState.FAILED, RenderState.CANCELLED})
IN_FLIGHT = (RenderState.APPROVED, RenderState.GENERATING, RenderState.COMPOSING)


@dataclass(frozen=True)
class PlannedScene:
    index: int
    kind: str
    narration: str
    chosen: str | None
    estimated_cost_usd: float
    duration_s: float


def scenes_from_plan(plan: dict[str, Any]) -> list[PlannedScene]:
    """The scene rows of a `PlannedRender.to_dict()`."""
    return [
        PlannedScene(
            index=int(s["index"]),
            kind=str(s["kind"]),
            narration=str(s["narration"]),
            chosen=s.get("chosen"),
            estimated_cost_usd=float(s.get("estimated_cost_usd") or 0),
            duration_s=float(s.get("target_duration") or 0),
        )
        for s in plan.get("scenes", [])
    ]


def _scene_rows(render_id: str, scenes: Sequence[PlannedScene]) -> list[SceneRow]:
    return [
        SceneRow(
            render_id=render_id,
            index=s.index,
            state="planned",
            kind=s.kind,
            narration=s.narration,
            chosen=s.chosen,
            duration_s=s.duration_s,
            estimated_cost_usd=s.estimated_cost_usd,
            cost_usd=0.0,
        )
        for s in scenes
    ]


async def insert_render(db: Database, row: RenderRow) -> None:
    async with db.session() as s:
        s.add(row)
        await s.flush()
        s.add_all(_scene_rows(row.id, scenes_from_plan(row.plan)))


async def replace_plan(
    db: Database, render_id: str, request: dict[str, Any], plan: dict[str, Any]
) -> None:
    async with db.session() as s:
        row = await s.get(RenderRow, render_id)
        if row is None:
            return
        row.request, row.plan = request, plan
        row.estimated_cost_usd = float(plan.get("estimated_cost_usd") or 0)
        row.updated_at = now()
        await s.execute(delete(SceneRow).where(SceneRow.render_id == render_id))
        s.add_all(_scene_rows(render_id, scenes_from_plan(plan)))


async def set_request(db: Database, render_id: str, request: dict[str, Any]) -> None:
    """Replace the stored request (e.g. to record who approved it) without re-planning."""
    async with db.session() as s:
        row = await s.get(RenderRow, render_id)
        if row is not None:
            row.request, row.updated_at = request, now()


async def get_render(db: Database, render_id: str) -> RenderRow | None:
    async with db.session() as s:
        return await s.get(RenderRow, render_id)


async def by_idempotency_key(db: Database, tenant: str, key: str) -> RenderRow | None:
    async with db.session() as s:
        found = await s.execute(
            select(RenderRow).where(RenderRow.tenant_id == tenant, RenderRow.idempotency_key == key)
        )
        return found.scalar_one_or_none()


async def get_scenes(db: Database, render_id: str) -> list[SceneRow]:
    async with db.session() as s:
        rows = await s.execute(
            select(SceneRow).where(SceneRow.render_id == render_id).order_by(SceneRow.index)
        )
        return list(rows.scalars())


async def list_renders(
    db: Database,
    tenant: str,
    *,
    created_by: str | None,
    state: str | None,
    limit: int,
    offset: int,
) -> tuple[list[RenderRow], int]:
    """A page of the tenant's renders (newest first) and the total that match."""
    query = select(RenderRow).where(RenderRow.tenant_id == tenant)
    if created_by is not None:
        query = query.where(RenderRow.created_by == created_by)
    if state is not None:
        query = query.where(RenderRow.state == state)
    async with db.session() as s:
        total = (await s.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
        page = await s.execute(
            query.order_by(RenderRow.created_at.desc(), RenderRow.id).limit(limit).offset(offset)
        )
        return list(page.scalars()), int(total)


async def set_state(
    db: Database,
    render_id: str,
    state: RenderState,
    *,
    only_from: Sequence[RenderState] | None = None,
    error: dict[str, Any] | None = None,
    outputs: list[Any] | None = None,
) -> bool:
    """Move the render to `state` (only from one of `only_from` when given); False if not."""
    async with db.session() as s:
        row = await s.get(RenderRow, render_id, with_for_update=not db.is_sqlite)
        if row is None or (only_from is not None and row.state not in only_from):
            return False
        row.state = state.value
        row.updated_at = now()
        if error is not None:
            row.error = error
        if outputs is not None:
            row.outputs = outputs
        return True


async def count_in_flight(db: Database, tenant: str) -> int:
    async with db.session() as s:
        found = await s.execute(
            select(func.count()).where(
                RenderRow.tenant_id == tenant, RenderRow.state.in_([x.value for x in IN_FLIGHT])
            )
        )
        return int(found.scalar_one())


async def tenant_spend(db: Database, tenant: str, *, excluding: str | None = None) -> float:
    """What the tenant's renders have spent so far (feeds `budget.per_tenant_usd`): the sum
    of every attempt's recorded cost in the ledger, whichever process recorded it. A render
    re-planned while it executes leaves out its own spend (`excluding`): its plan was checked
    against the budget before it spent anything."""
    query = (
        select(func.coalesce(func.sum(AttemptRow.cost_usd), 0.0))
        .join(RenderRow, RenderRow.id == AttemptRow.render_id)
        .where(RenderRow.tenant_id == tenant)
    )
    if excluding is not None:
        query = query.where(RenderRow.id != excluding)
    async with db.session() as s:
        return float((await s.execute(query)).scalar_one())


async def update_scene(db: Database, render_id: str, index: int, **values: Any) -> None:
    async with db.session() as s:
        row = await s.get(SceneRow, (render_id, index))
        if row is not None:
            for name, value in values.items():
                setattr(row, name, value)


SUBMITTED = "submitted"  # an attempt the vendor accepted and is still working on


async def add_attempt(db: Database, row: AttemptRow) -> None:
    """Record one attempt as it happens; its cost counts against the tenant at once.

    An attempt is first written when the vendor accepts its job (outcome `submitted`, with
    the vendor's task id) and its end then completes that same row."""
    async with db.session() as s:
        open_row = await _submitted_row(s, row)
        if row.outcome == SUBMITTED and (
            open_row is None or open_row.vendor_task_id != row.vendor_task_id
        ):
            open_row = None  # a new job; the same job announced again (resumed) is one row
        if open_row is None:
            s.add(row)
        else:
            open_row.outcome, open_row.cost_usd = row.outcome, row.cost_usd
            open_row.record = row.record
            open_row.vendor_task_id = row.vendor_task_id or open_row.vendor_task_id
        render = await s.get(RenderRow, row.render_id)
        if render is not None and row.cost_usd:
            render.cost_usd += row.cost_usd


async def _submitted_row(s: AsyncSession, row: AttemptRow) -> AttemptRow | None:
    """The same scene's attempt on the same model that the vendor accepted and that has not
    ended yet (a scene tries one candidate at a time, so there is at most one)."""
    found = await s.execute(
        select(AttemptRow)
        .where(
            AttemptRow.render_id == row.render_id,
            AttemptRow.scene_index == row.scene_index,
            AttemptRow.provider == row.provider,
            AttemptRow.model == row.model,
            AttemptRow.outcome == SUBMITTED,
        )
        .order_by(AttemptRow.id.desc())
        .limit(1)
    )
    return found.scalars().first()


async def attempts_of(db: Database, render_id: str) -> list[AttemptRow]:
    async with db.session() as s:
        rows = await s.execute(
            select(AttemptRow).where(AttemptRow.render_id == render_id).order_by(AttemptRow.id)
        )
        return list(rows.scalars())


async def record_clips(db: Database, render_id: str, clips: Sequence[ClipRow]) -> None:
    async with db.session() as s:
        await s.execute(delete(ClipRow).where(ClipRow.render_id == render_id))
        s.add_all(clips)


async def append_event(db: Database, render_id: str, type_: str, data: dict[str, Any]) -> int:
    """Append to the render's event log; returns its sequence number (the SSE id).

    Writers in other processes append to the same log, so the number is taken inside the
    writing transaction: PostgreSQL locks the render's row first; SQLite serialises writers,
    and the number is read by the INSERT itself."""
    async with db.session() as s:
        if not db.is_sqlite:
            await s.execute(select(RenderRow.id).where(RenderRow.id == render_id).with_for_update())
        next_seq = select(
            literal(render_id),
            func.coalesce(func.max(EventRow.seq), 0) + 1,
            literal(type_),
            literal(data, JSON),
            literal(now(), DateTime(timezone=True)),
        ).where(EventRow.render_id == render_id)  # fmt: skip
        result = await s.execute(
            insert(EventRow)
            .from_select(["render_id", "seq", "type", "data", "created_at"], next_seq)
            .returning(EventRow.seq)
        )
        return int(result.scalar_one())


async def events_after(db: Database, render_id: str, seq: int, limit: int = 500) -> list[EventRow]:
    async with db.session() as s:
        rows = await s.execute(
            select(EventRow)
            .where(EventRow.render_id == render_id, EventRow.seq > seq)
            .order_by(EventRow.seq)
            .limit(limit)
        )
        return list(rows.scalars())


@dataclass(frozen=True)
class AuditFilter:
    provider: str | None = None
    model: str | None = None
    providers_in: frozenset[str] | None = None  # e.g. those with an allegation on a topic
    since: datetime | None = None
    until: datetime | None = None


async def audit_scenes(
    db: Database, tenant: str, f: AuditFilter, limit: int, offset: int
) -> list[tuple[RenderRow, SceneRow]]:
    """Scenes of the tenant's renders made by the filtered provider/model (made = the clip's
    provider, so only scenes that have one)."""
    query = (
        select(RenderRow, SceneRow)
        .join(SceneRow, SceneRow.render_id == RenderRow.id)
        .where(RenderRow.tenant_id == tenant, SceneRow.provider.is_not(None))
    )
    if f.provider is not None:
        query = query.where(SceneRow.provider == f.provider)
    if f.model is not None:
        query = query.where(SceneRow.model == f.model)
    if f.providers_in is not None:
        query = query.where(SceneRow.provider.in_(sorted(f.providers_in)))
    if f.since is not None:
        query = query.where(RenderRow.created_at >= f.since)
    if f.until is not None:
        query = query.where(RenderRow.created_at < f.until)
    query = query.order_by(RenderRow.created_at, RenderRow.id, SceneRow.index)
    async with db.session() as s:
        rows = await s.execute(query.limit(limit).offset(offset))
        return [(r, sc) for r, sc in rows.all()]


async def audit_summary(
    db: Database, tenant: str, f: AuditFilter
) -> list[tuple[str, int, float, float]]:
    """Per provider: (provider, scenes, seconds, cost)."""
    query = (
        select(
            SceneRow.provider,
            func.count(),
            func.coalesce(func.sum(SceneRow.duration_s), 0.0),
            func.coalesce(func.sum(SceneRow.cost_usd), 0.0),
        )
        .join(RenderRow, SceneRow.render_id == RenderRow.id)
        .where(RenderRow.tenant_id == tenant, SceneRow.provider.is_not(None))
        .group_by(SceneRow.provider)
        .order_by(SceneRow.provider)
    )
    if f.since is not None:
        query = query.where(RenderRow.created_at >= f.since)
    if f.until is not None:
        query = query.where(RenderRow.created_at < f.until)
    async with db.session() as s:
        rows = await s.execute(query)
        return [(str(p), int(n), float(sec), float(cost)) for p, n, sec, cost in rows.all()]


async def ids_in_states(db: Database, states: Sequence[RenderState]) -> list[str]:
    async with db.session() as s:
        rows = await s.execute(
            select(RenderRow.id)
            .where(RenderRow.state.in_([x.value for x in states]))
            .order_by(RenderRow.created_at)
        )
        return [str(r) for r in rows.scalars()]
