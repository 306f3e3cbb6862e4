"""`reelroute worker`: serve the Redis queue (REELROUTE_REDIS_URL) until SIGTERM."""

from __future__ import annotations

import asyncio

from app.cli.common import fail, fail_with, load_settings
from app.errors import ReelrouteError
from app.logs import configure_logging


def worker() -> None:
    """Run scene and composition jobs from the Redis queue (scale-out: start as many as you
    like, on any machine sharing the ledger, Redis and blob store). SIGTERM hands the steps in
    progress back to the queue and exits 0."""
    settings = load_settings()
    if not settings.redis_url:
        fail(
            "REELROUTE_REDIS_URL is not set: a worker serves the Redis queue (redis://host:port/db)"
        )
    configure_logging(settings.log_format or "json", settings.log_level)
    from app.queue.arq_queue import run_worker

    try:
        asyncio.run(run_worker(settings))
    except ReelrouteError as exc:
        fail_with(exc)
    except OSError as exc:  # Redis or the database cannot be reached
        fail(f"cannot serve the queue: {exc}")
