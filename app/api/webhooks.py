"""Signed outbound webhooks: `Reelroute-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>." + body>` with the webhook's secret. Retried with exponential backoff; every attempt is
recorded as a delivery."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from app.store import webhooks as webhook_store
from app.store.db import Database
from app.store.keys import now
from app.store.models import DeliveryRow, WebhookRow

log = logging.getLogger(__name__)
HEADER = "Reelroute-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, header: str, body: bytes, *, tolerance_s: float = 300, at: float | None = None
) -> bool:
    """What a receiver does: the v1 MAC matches and the timestamp is recent (no replays)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((at if at is not None else time.time()) - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


class WebhookDispatcher:
    def __init__(
        self,
        db: Database,
        client: httpx.AsyncClient,
        *,
        attempts: int,
        backoff_s: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.db, self.client = db, client
        self.attempts, self.backoff_s, self.sleep = attempts, backoff_s, sleep
        self._tasks: set[asyncio.Task[None]] = set()

    async def emit(self, tenant: str, event: str, render_id: str, data: dict[str, Any]) -> None:
        """Queue a delivery to every tenant webhook subscribed to `event` (never blocks the
        caller on the receiver)."""
        for hook in await webhook_store.list_webhooks(self.db, tenant):
            if event not in hook.events:
                continue
            body = json.dumps(
                {
                    "type": event,
                    "render_id": render_id,
                    "created_at": now().isoformat(),
                    "data": data,
                },
                sort_keys=True,
            ).encode()
            task = asyncio.create_task(self._deliver(hook, event, render_id, body))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _deliver(self, hook: WebhookRow, event: str, render_id: str, body: bytes) -> None:
        for attempt in range(1, self.attempts + 1):
            status, error = await self._post(hook, body)
            ok = status is not None and 200 <= status < 300
            await webhook_store.record_delivery(
                self.db,
                DeliveryRow(
                    webhook_id=hook.id,
                    event=event,
                    render_id=render_id,
                    attempt=attempt,
                    status_code=status,
                    error=error,
                    ok=ok,
                    created_at=now(),
                ),
            )
            if ok:
                return
            if attempt < self.attempts:
                await self.sleep(self.backoff_s * 2 ** (attempt - 1))
        log.warning("webhook %s gave up on %s after %d attempts", hook.id, event, self.attempts)

    async def _post(self, hook: WebhookRow, body: bytes) -> tuple[int | None, str | None]:
        headers = {
            "Content-Type": "application/json",
            HEADER: sign(hook.secret, int(time.time()), body),
        }
        try:
            response = await self.client.post(hook.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        error = None if response.is_success else f"HTTP {response.status_code}"
        return response.status_code, error

    async def drain(self) -> None:
        """Wait for every pending delivery (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
