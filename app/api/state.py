"""The service's collaborators, built once per app (the composition root of `serve`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from app.api.hub import EventHub
from app.api.readiness import ReadinessCheck
from app.api.webhooks import WebhookDispatcher
from app.api.written import WrittenScripts
from app.config import Settings
from app.queue.base import RenderQueue
from app.store import renders as render_store
from app.store.blobs import BlobStore
from app.store.db import Database
from providers.profile import Catalog
from providers.registry import Registry


@dataclass
class Service:
    settings: Settings
    db: Database
    blobs: BlobStore
    queue: RenderQueue
    registry: Registry
    catalog: Catalog
    webhooks: WebhookDispatcher
    hub: EventHub = field(default_factory=EventHub)
    sse_poll_s: float = 1.0  # how often a stream re-reads the ledger without a wake-up
    stopping: bool = False  # the server is shutting down (not a user's cancel)
    # URL and LLM-written scripts, kept from planning to execution (app.api.written)
    written: WrittenScripts | None = None
    # what /readyz checks (app.api.readiness); parts of the service may add their own
    readiness: list[ReadinessCheck] = field(default_factory=list)
    _append_locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def announce(
        self, render_id: str, type_: str, data: dict[str, Any], *, webhook: str | None = None
    ) -> int:
        """Append to the render's event log, wake its streams, and send `webhook` (an event
        name like `render.succeeded`) to the tenant's subscribers. Returns the event's id."""
        lock = self._append_locks.setdefault(render_id, asyncio.Lock())
        async with lock:  # sequence numbers are per render: one writer at a time here
            seq = await render_store.append_event(self.db, render_id, type_, data)
        self.hub.notify(render_id)
        if webhook is not None:
            row = await render_store.get_render(self.db, render_id)
            if row is not None:
                await self.webhooks.emit(
                    row.tenant_id, webhook, render_id, {"state": row.state, **data}
                )
        return seq
