"""/v1/renders/{id}/events: Server-Sent Events from the render's event log, resumable with
`Last-Event-ID` (the id is the event's sequence number in the ledger)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import StreamingResponse

from app.api.deps import PrincipalDep, ServiceDep, visible_render
from app.api.errors import documented
from app.api.state import Service
from app.store import renders as render_store
from app.store.models import EventRow
from app.store.renders import TERMINAL, RenderState

router = APIRouter(prefix="/v1/renders", tags=["renders"])
_KEEPALIVE_S = 15.0


def frame(event: EventRow) -> str:
    return f"id: {event.seq}\nevent: {event.type}\ndata: {json.dumps(event.data)}\n\n"


async def stream(service: Service, render_id: str, after: int) -> AsyncIterator[str]:
    """Every event after `after`, then new ones as they are written; ends after the render
    reaches a final state and its last event was sent."""
    yield "retry: 1000\n\n"
    idle = 0.0
    while True:
        events = await render_store.events_after(service.db, render_id, after)
        for event in events:
            after = event.seq
            yield frame(event)
        if events:
            idle = 0.0
            continue
        row = await render_store.get_render(service.db, render_id)
        if row is None or RenderState(row.state) in TERMINAL:
            if not await render_store.events_after(service.db, render_id, after, limit=1):
                yield "event: end\ndata: {}\n\n"
                return
            continue
        await service.hub.wait(render_id, service.sse_poll_s)
        idle += service.sse_poll_s
        if idle >= _KEEPALIVE_S:
            idle = 0.0
            yield ": keep-alive\n\n"


@router.get(
    "/{render_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
            "description": "`id:` is the event's sequence number; `event:` stage, scene, "
            "attempt, state or plan; `data:` JSON. The stream ends with `event: end`.",
        },
        **documented(401, 404, 422),
    },
)
async def render_events(
    service: ServiceDep,
    principal: PrincipalDep,
    render_id: Annotated[str, Path(max_length=64)],
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
    after: Annotated[int | None, Query(ge=0, description="same as Last-Event-ID")] = None,
) -> StreamingResponse:
    """Per-stage, per-scene and per-attempt progress as it happens."""
    row = await visible_render(service, principal, render_id)
    start = after or 0
    if last_event_id and last_event_id.strip().isdigit():
        start = int(last_event_id.strip())
    return StreamingResponse(
        stream(service, row.id, start),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
