"""The embedded queue: jobs run as asyncio tasks in the server's own process."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.queue.base import JobHandler

log = logging.getLogger(__name__)


class InProcessQueue:
    """At most `concurrency` renders at once; the rest wait their turn in arrival order."""

    def __init__(self, concurrency: int = 1) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._handler: JobHandler | None = None

    async def start(self, handler: JobHandler) -> None:
        self._handler = handler

    async def enqueue(self, render_id: str) -> None:
        if self._handler is None:
            raise RuntimeError("the queue has not been started")
        if render_id in self._tasks:
            return
        task = asyncio.create_task(self._run(render_id, self._handler), name=f"render-{render_id}")
        self._tasks[render_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(render_id, None))

    async def _run(self, render_id: str, handler: JobHandler) -> None:
        async with self._slots:
            try:
                await handler(render_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # the handler records failures in the ledger; this is a last net
                log.exception("render job %s crashed", render_id)

    async def cancel(self, render_id: str) -> bool:
        task = self._tasks.get(render_id)
        if task is None:
            return False
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return True

    async def stop(self) -> None:
        for render_id in list(self._tasks):
            await self.cancel(render_id)

    async def wait_idle(self) -> None:
        """Wait until every job has finished (tests and graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
