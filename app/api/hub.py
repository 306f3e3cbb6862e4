"""Wakes SSE streams when a render's event log grows (in this process). Streams also re-read
the ledger on a timer, so events written by another process arrive too, a little later."""

from __future__ import annotations

import asyncio
import contextlib


class EventHub:
    def __init__(self) -> None:
        self._waiters: dict[str, asyncio.Event] = {}

    def notify(self, render_id: str) -> None:
        waiter = self._waiters.pop(render_id, None)
        if waiter is not None:
            waiter.set()

    async def wait(self, render_id: str, timeout: float) -> None:
        """Return when `render_id` has news, or after `timeout` seconds."""
        waiter = self._waiters.setdefault(render_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiter.wait(), timeout)
