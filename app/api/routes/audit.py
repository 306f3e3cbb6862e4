"""/v1/audit: which of our renders contain a scene by X, and spend per provider; JSON or CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import AuditDep, ServiceDep
from app.api.errors import documented
from app.api.schemas import AuditProvider, AuditScene, AuditScenes, AuditSummary
from app.api.views import iso
from app.store import renders as render_store
from app.store.renders import AuditFilter
from providers.profile import Catalog

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Format = Annotated[Literal["json", "csv"], Query(description="csv: a spreadsheet export")]
When = Annotated[datetime | None, Query(description="ISO 8601; renders created from/before")]
_CSV = {"content": {"text/csv": {"schema": {"type": "string"}}}}


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def accused(catalog: Catalog, topic: str) -> frozenset[str]:
    """Providers with an allegation on `topic` in the catalog in effect (any status)."""
    return frozenset(
        p.id for p in catalog.profiles if any(a.topic == topic for a in p.sourcing.allegations)
    )


def _csv(header: list[str], rows: list[list[object]], name: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/scenes", response_model=AuditScenes, responses={200: _CSV, **documented(401, 403, 422)}
)
async def audit_scenes(
    service: ServiceDep,
    principal: AuditDep,
    provider: Annotated[str | None, Query(max_length=64)] = None,
    model: Annotated[str | None, Query(max_length=128)] = None,
    allegation_topic: Annotated[str | None, Query(max_length=128)] = None,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: When = None,
    format: Format = "json",
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Any:
    """Scenes of the tenant's renders made by a provider/model, or by any provider with an
    allegation on a topic, in a time window."""
    f = AuditFilter(
        provider=provider,
        model=model,
        since=_aware(from_),
        until=_aware(to),
        providers_in=accused(service.catalog, allegation_topic) if allegation_topic else None,
    )
    found = await render_store.audit_scenes(service.db, principal.tenant, f, limit, offset)
    items = [
        AuditScene(
            render_id=r.id,
            render_created_at=iso(r.created_at),
            scene=s.index,
            kind=s.kind,
            provider=s.provider or "",
            model=s.model,
            duration_s=s.duration_s,
            cost_usd=s.cost_usd,
            narration=s.narration,
        )
        for r, s in found
    ]
    if format == "csv":
        header = list(AuditScene.model_fields)
        return _csv(header, [[getattr(i, h) for h in header] for i in items], "scenes.csv")
    return AuditScenes(items=items, limit=limit, offset=offset)


@router.get(
    "/summary", response_model=AuditSummary, responses={200: _CSV, **documented(401, 403, 422)}
)
async def audit_summary(
    service: ServiceDep,
    principal: AuditDep,
    from_: Annotated[datetime | None, Query(alias="from")] = None,
    to: When = None,
    format: Format = "json",
) -> Any:
    """Per provider: scenes, seconds and cost."""
    f = AuditFilter(since=_aware(from_), until=_aware(to))
    rows = await render_store.audit_summary(service.db, principal.tenant, f)
    providers = [
        AuditProvider(provider=p, scenes=n, seconds=round(sec, 3), cost_usd=round(c, 6))
        for p, n, sec, c in rows
    ]
    if format == "csv":
        return _csv(
            ["provider", "scenes", "seconds", "cost_usd"],
            [[p.provider, p.scenes, p.seconds, p.cost_usd] for p in providers],
            "summary.csv",
        )
    return AuditSummary(providers=providers)
