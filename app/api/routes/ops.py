"""Operations: `/healthz` (the process is alive), `/readyz` (its dependencies answer) and
`/metrics` (Prometheus). No key is needed: probes and scrapers carry none, so expose these
only to the internal network (docs/deploy.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from app.api.deps import ServiceDep
from app.api.metrics import read_snapshot, render_text
from app.api.readiness import run_checks

router = APIRouter(tags=["operations"])

_CHECK = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "ok": {"type": "boolean"},
        "detail": {"type": "string"},
        "seconds": {"type": "number"},
    },
    "required": ["name", "ok", "detail", "seconds"],
}
_READY = {
    "type": "object",
    "properties": {"ready": {"type": "boolean"}, "checks": {"type": "array", "items": _CHECK}},
    "required": ["ready", "checks"],
}
_READY_EXAMPLE = {
    "ready": False,
    "checks": [
        {"name": "database", "ok": True, "detail": "postgresql", "seconds": 0.004},
        {"name": "redis", "ok": False, "detail": "ConnectionError: …", "seconds": 0.002},
    ],
}


def _json(description: str, schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema, "example": example}},
    }


@router.get(
    "/healthz",
    responses={
        200: _json(
            "the process answers",
            {
                "type": "object",
                "properties": {"status": {"type": "string", "enum": ["ok"]}},
                "required": ["status"],
            },
            {"status": "ok"},
        )
    },
)
async def healthz() -> dict[str, str]:
    """Liveness: answers without touching any dependency."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_class=JSONResponse,
    responses={
        200: _json("every check passed", _READY, {**_READY_EXAMPLE, "ready": True}),
        503: _json("some check failed", _READY, _READY_EXAMPLE),
    },
)
async def readyz(service: ServiceDep) -> JSONResponse:
    """Readiness: the database, Redis (when configured), the bucket or blob folder, ffmpeg,
    and any check another part of the service registered. 503 when one fails."""
    results = await run_checks(service)
    ready = all(r.ok for r in results)
    body = {"ready": ready, "checks": [r.to_dict() for r in results]}
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {
            "description": "Prometheus text exposition format",
            "content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}},
        }
    },
)
async def metrics(service: ServiceDep) -> Response:
    """Renders by state, scene attempts, failures and latency per provider, queue depth and
    spend, read from the ledger (the same for every API replica)."""
    body = render_text(await read_snapshot(service.db))
    return Response(body, media_type=CONTENT_TYPE_LATEST)
