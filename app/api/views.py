"""Ledger rows as API bodies."""

from __future__ import annotations

from datetime import datetime

from app.api.schemas import RenderOut, RenderSummary, SceneOut
from app.store.models import RenderRow, SceneRow


def iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _policy(row: RenderRow) -> dict[str, object] | None:
    if row.policy_sha256 is None:
        return None
    return {"name": row.policy_name, "version": row.policy_version, "sha256": row.policy_sha256}


def _public_output(entry: dict[str, object], render_id: str) -> dict[str, object]:
    """Outputs name their URL, never the storage key."""
    aspect = entry.get("aspect")
    base = f"/v1/renders/{render_id}"
    if aspect:
        url = f"{base}/outputs/{str(aspect).replace(':', 'x')}"
        return {
            "aspect": aspect,
            "url": url,
            "sha256": entry.get("sha256"),
            "duration": entry.get("duration"),
            "width": entry.get("width"),
            "height": entry.get("height"),
        }
    name = str(entry.get("name"))
    return {"name": name, "url": f"{base}/{_ROUTE_OF.get(name, name)}"}


_ROUTE_OF = {"manifest.json": "manifest", "report.html": "report"}


def render_out(row: RenderRow, scenes: list[SceneRow]) -> RenderOut:
    return RenderOut(
        id=row.id,
        state=row.state,
        tenant=row.tenant_id,
        parent_id=row.parent_id,
        estimated_cost_usd=row.estimated_cost_usd,
        cost_usd=row.cost_usd,
        policy=_policy(row),
        created_at=iso(row.created_at),
        updated_at=iso(row.updated_at),
        error=row.error,
        outputs=[_public_output(o, row.id) for o in row.outputs],
        scenes=[
            SceneOut(
                index=s.index,
                state=s.state,
                kind=s.kind,
                narration=s.narration,
                chosen=s.chosen,
                provider=s.provider,
                model=s.model,
                duration_s=s.duration_s,
                estimated_cost_usd=s.estimated_cost_usd,
                cost_usd=s.cost_usd,
            )
            for s in scenes
        ],
        plan=row.plan,
    )


def render_summary(row: RenderRow) -> RenderSummary:
    return RenderSummary(
        id=row.id,
        state=row.state,
        parent_id=row.parent_id,
        estimated_cost_usd=row.estimated_cost_usd,
        cost_usd=row.cost_usd,
        created_at=iso(row.created_at),
        title=row.plan.get("title"),
        duration_s=render_length(row),
    )


def render_length(row: RenderRow) -> float:
    """Seconds: the first output's duration once made, else the plan's scene targets."""
    for entry in row.outputs:
        if entry.get("aspect") and entry.get("duration"):
            return round(float(entry["duration"]), 2)
    scenes = row.plan.get("scenes") or []
    return round(sum(float(s.get("target_duration") or 0.0) for s in scenes), 2)
