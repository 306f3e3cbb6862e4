"""The scale-out queue: arq on Redis. Every arq import of the project is in this module.

arq is in maintenance mode and releases rarely, so it stays behind two small seams: the API's
`RenderQueue` (`RedisQueue.enqueue` rings the `start` job of a render) and the workers' doorbell
(`enqueue_step`). Liveness never comes from arq's job timeouts (a render takes minutes): the
ledger's leases say who holds a step (`app.queue.work`), and arq only carries doorbells. Job ids
are `<queue>:step:<render>:<step>:g<generation>[:r<n>]`, so a doorbell rung twice is one job;
the reaper's `r<n>` changes every few leases, so a job a dying worker took from the queue (and
never ran) cannot pin the step. No result is kept (`keep_result=0`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import uuid
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.worker import Worker as ArqWorker
from arq.worker import func

from app.api.app import build_service
from app.config import Settings
from app.queue import work
from app.queue.base import JobHandler
from app.queue.identity import configured_fingerprint
from app.store import leases
from providers.base import keep_remote_tasks_on_cancel

log = logging.getLogger(__name__)
JOB_TIMEOUT_S = 24 * 3600  # arq's own timeout is a last net; leases notice a dead worker


def _redis(url: str) -> RedisSettings:
    found = RedisSettings.from_dsn(url)
    found.conn_retries, found.conn_retry_delay = 3, 1
    return found


class RedisQueue:
    """`RenderQueue` for the API (enqueue only; workers run the jobs) and the workers'
    doorbell. A user's cancel is the ledger's state: the worker holding a step sees it at
    its next heartbeat and stops."""

    def __init__(self, url: str, name: str) -> None:
        self.url, self.name = url, name
        self._pool: ArqRedis | None = None

    async def connect(self) -> ArqRedis:
        if self._pool is None:
            self._pool = await create_pool(_redis(self.url), default_queue_name=self.name)
        return self._pool

    async def start(self, handler: JobHandler) -> None:
        await self.connect()  # the handler runs in `reelroute worker`, not in the API

    async def enqueue(self, render_id: str) -> None:
        pool = await self.connect()
        await pool.enqueue_job("start", render_id, _job_id=f"{self.name}:start:{render_id}")

    async def enqueue_step(
        self, render_id: str, step: int, generation: int, ring: str = ""
    ) -> None:
        pool = await self.connect()
        job_id = f"{self.name}:step:{render_id}:{step}:g{generation}{ring and ':' + ring}"
        await pool.enqueue_job("step", render_id, step, _job_id=job_id)

    async def cancel(self, render_id: str) -> bool:
        return False  # nothing runs here; the ledger's cancelled state stops the workers

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None


async def _start(ctx: dict[str, Any], render_id: str) -> None:
    await work.start_render(ctx["worker"], render_id)


async def _step(ctx: dict[str, Any], render_id: str, step: int) -> None:
    await work.run_step(ctx["worker"], render_id, step)


def worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


async def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """Serve the queue until SIGTERM/SIGINT: running steps are handed back, then return."""
    if not settings.redis_url:
        raise ValueError("REELROUTE_REDIS_URL is not set: there is no queue to serve")
    fingerprint = configured_fingerprint(settings)  # SetupError when no identity is configured
    service = build_service(settings)
    queue = RedisQueue(settings.redis_url, settings.queue_name)
    me = work.Worker(service, worker_id(), fingerprint, queue, settings.lease_s)
    await service.db.migrate()
    pool = await queue.connect()
    arq = ArqWorker(
        [func(_start, name="start"), func(_step, name="step")],
        redis_pool=pool, queue_name=settings.queue_name, ctx={"worker": me},
        handle_signals=False, max_jobs=settings.worker_jobs, job_timeout=JOB_TIMEOUT_S,
        keep_result=0, poll_delay=0.2, retry_jobs=False, max_tries=1000, burst=burst,
    )  # fmt: skip
    loop = asyncio.get_running_loop()

    def shut_down(sig: signal.Signals) -> None:
        log.info("worker %s: %s, handing running steps back", me.worker_id, sig.name)
        me.stopping = True
        keep_remote_tasks_on_cancel()  # vendor tasks keep running; the next worker resumes them
        arq.allow_pick_jobs = False
        for task in [*arq.tasks.values(), *me.beside]:
            task.cancel()
        if arq.main_task is not None:
            arq.main_task.cancel()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, shut_down, sig)
    alive = asyncio.create_task(work.keep_alive(me))
    log.info("worker %s serving queue %s", me.worker_id, settings.queue_name)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await arq.async_run()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*arq.tasks.values(), return_exceptions=True)
    finally:
        await work.stop_beside(me)  # draft steps still running are handed back
        alive.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await alive
        await leases.beat(service.db, me.worker_id, fingerprint, stopped=True)
        await queue.stop()
        await service.webhooks.close()
        await service.webhooks.client.aclose()
        await service.db.close()
