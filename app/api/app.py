"""`create_app`: the FastAPI application with its service (ledger, blobs, queue, webhooks)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from app import __version__, web
from app.api import errors, jobs
from app.api.limits import BodyLimit
from app.api.readiness import default_checks
from app.api.routes import (
    audit,
    disclosure,
    drafts,
    events,
    files,
    keys,
    ops,
    policies,
    providers,
    renders,
    spend,
    verify,
    webhooks,
)
from app.api.state import Service
from app.api.webhooks import WebhookDispatcher
from app.config import Settings
from app.context import build_registry, load_effective_catalog
from app.queue.base import RenderQueue
from app.queue.inprocess import InProcessQueue
from app.store.blobs import BlobStore, build_blob_store
from app.store.db import Database, default_url
from providers.profile import Catalog
from providers.registry import Registry

ROUTERS = (renders, events, drafts, files, policies, providers, audit, verify, webhooks, keys, ops)
AUDIT_ROUTERS = (spend, disclosure)  # agency and auditor views over the same ledger


@dataclass
class Overrides:
    """Collaborators a test or an embedding swaps in (a registry of fakes, another queue)."""

    registry: Registry | None = None
    catalog: Catalog | None = None
    queue: RenderQueue | None = None
    blobs: BlobStore | None = None
    webhook_client: httpx.AsyncClient | None = None
    sse_poll_s: float = 1.0


def build_service(settings: Settings, overrides: Overrides | None = None) -> Service:
    o = overrides or Overrides()
    db = Database(settings.database_url or default_url(settings.data_dir))
    client = o.webhook_client or httpx.AsyncClient(timeout=10.0, follow_redirects=False)
    return Service(
        settings=settings,
        db=db,
        blobs=o.blobs or build_blob_store(settings),
        queue=o.queue or _queue(settings),
        registry=o.registry or build_registry(settings),
        catalog=o.catalog or load_effective_catalog(settings),
        webhooks=WebhookDispatcher(
            db, client, attempts=settings.webhook_attempts, backoff_s=settings.webhook_backoff_s
        ),
        sse_poll_s=o.sse_poll_s,
        readiness=default_checks(settings),
    )


def _queue(settings: Settings) -> RenderQueue:
    """The in-process runner (embedded), or the Redis queue that `reelroute worker`s serve."""
    if settings.redis_url:
        from app.queue.arq_queue import RedisQueue

        return RedisQueue(settings.redis_url, settings.queue_name)
    return InProcessQueue(settings.workers)


def create_app(settings: Settings | None = None, overrides: Overrides | None = None) -> FastAPI:
    settings = settings or Settings()
    service = build_service(settings, overrides)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await service.db.migrate()
        await service.queue.start(jobs.handler(service))
        if not settings.redis_url:  # workers own in-flight renders; their reapers resume them
            await jobs.resume_interrupted(service)
        try:
            yield
        finally:
            service.stopping = True
            await service.queue.stop()
            await service.webhooks.close()
            await service.webhooks.client.aclose()
            await service.db.close()

    app = FastAPI(
        title="reelroute",
        version=__version__,
        description="Plan, approve, watch and audit multi-model AI video renders. "
        "Authenticate with `Authorization: Bearer <key>` (`reelroute keys create`).",
        lifespan=lifespan,
    )
    app.state.service = service
    errors.install(app)
    for module in (*ROUTERS, *AUDIT_ROUTERS):
        app.include_router(module.router)
    web.install(app, settings)  # the browser app at / (app/web)
    app.add_middleware(
        BodyLimit,
        cap=settings.max_body_bytes,
        upload_cap=settings.max_upload_bytes,
        upload_paths=("/v1/verify", "/verify"),  # the API's and the web page's upload
    )
    return app
