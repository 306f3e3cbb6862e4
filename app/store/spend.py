"""What a tenant's renders cost: per month and per key that made them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.store.db import Database
from app.store.models import RenderRow


@dataclass(frozen=True)
class SpendLine:
    group: str  # a month (`2026-12`) or a key id
    renders: int
    estimated_usd: float
    spent_usd: float


@dataclass(frozen=True)
class TenantSpend:
    renders: int
    spent_usd: float
    by_month: list[SpendLine]  # newest first
    by_key: list[SpendLine]  # most spent first


def _month(when: datetime) -> str:
    return f"{when.year:04d}-{when.month:02d}"


def _lines(rows: list[tuple[str, float, float]]) -> list[SpendLine]:
    totals: dict[str, list[float]] = {}
    for group, estimated, spent in rows:
        entry = totals.setdefault(group, [0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += estimated
        entry[2] += spent
    return [
        SpendLine(group, int(n), round(est, 6), round(spent, 6))
        for group, (n, est, spent) in totals.items()
    ]


async def tenant_spend_breakdown(db: Database, tenant: str) -> TenantSpend:
    """Every render of the tenant counted once; grouped here rather than in SQL, since month
    arithmetic differs between SQLite and PostgreSQL and a tenant's renders are few columns."""
    async with db.session() as s:
        found = await s.execute(
            select(
                RenderRow.created_at,
                RenderRow.created_by,
                RenderRow.estimated_cost_usd,
                RenderRow.cost_usd,
            ).where(RenderRow.tenant_id == tenant)
        )
        rows = [(c, str(k), float(e or 0), float(x or 0)) for c, k, e, x in found.all()]
    months = _lines([(_month(c), e, x) for c, _k, e, x in rows])
    keys = _lines([(k, e, x) for _c, k, e, x in rows])
    return TenantSpend(
        renders=len(rows),
        spent_usd=round(sum(x for *_rest, x in rows), 6),
        by_month=sorted(months, key=lambda line: line.group, reverse=True),
        by_key=sorted(keys, key=lambda line: (-line.spent_usd, line.group)),
    )
