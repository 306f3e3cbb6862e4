"""The API under test: the real app on a fresh ledger (SQLite or PostgreSQL), real renders with
espeak at draft quality, and counting fake providers registered through the real registry."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from app.api.app import Overrides, create_app
from app.api.state import Service
from app.config import Settings
from app.queue.base import JobHandler
from app.store.keys import Role, create_key
from providers.local import LocalProvider
from providers.registry import Registry
from tests.fakes import ScriptedProvider, fake_catalog_data

FAKES = ("fakea", "fakeb")
SCRIPT = (
    "A quiet harbour at dawn, boats resting on still water.\n\n"
    "The fishing fleet heads out past the lighthouse as the sun rises."
)
# fakeb carries an allegation, so audit queries by topic have something to find
ALLEGATION = {
    "topic": "unauthorized-distillation", "by": "a test fixture", "status": "alleged",
    "summary": "made up for the tests", "source": "tests/api_harness.py", "as_of": "2026-11-01",
}  # fmt: skip
FAKES_POLICY = "id: fakes\nonly: [fakea, fakeb]\norder: [fakea, fakeb]\n"


@dataclass
class Api:
    client: httpx.AsyncClient
    service: Service
    fakes: dict[str, ScriptedProvider]
    secrets: dict[tuple[str, str], str] = field(default_factory=dict)

    async def key(self, tenant: str, role: str, name: str = "") -> dict[str, str]:
        """Bearer headers for a key (created once per tenant/role/name)."""
        slot = (tenant, f"{role}{name}")
        if slot not in self.secrets:
            made = await create_key(self.service.db, tenant, Role(role))
            self.secrets[slot] = made.secret
        return {"Authorization": f"Bearer {self.secrets[slot]}"}

    def calls(self, pid: str | None = None) -> int:
        return sum(len(f.calls) for k, f in self.fakes.items() if pid in (None, k))

    async def wait_state(
        self, render_id: str, headers: dict[str, str], *states: str, timeout: float = 240
    ) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            got = (await self.client.get(f"/v1/renders/{render_id}", headers=headers)).json()
            if got["state"] in states or loop.time() > deadline:
                return dict(got)
            await asyncio.sleep(0.2)

    async def policy(self, tenant: str, text: str) -> dict[str, Any]:
        headers = {**await self.key(tenant, "agency_admin"), "Content-Type": "application/yaml"}
        response = await self.client.post("/v1/policies", content=text, headers=headers)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())


class RecordingQueue:
    """A queue that accepts jobs and runs none (the renders are tested elsewhere)."""

    def __init__(self) -> None:
        self.queued: list[str] = []

    async def start(self, handler: JobHandler) -> None:
        return None

    async def enqueue(self, render_id: str) -> None:
        self.queued.append(render_id)

    async def cancel(self, render_id: str) -> bool:
        return render_id in self.queued

    async def stop(self) -> None:
        return None


def api_settings(tmp_path: Path, database_url: str, **extra: Any) -> Settings:
    catalog = tmp_path / "catalog.json"
    data = fake_catalog_data(FAKES)
    data["providers"]["fakeb"]["sourcing"]["allegations"] = [ALLEGATION]
    catalog.write_text(json.dumps(data), encoding="utf-8")
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "voice": "espeak",
        "catalog_path": catalog,
        "webhook_backoff_s": 0.05,
        **extra,
    }
    return Settings(**values)


@asynccontextmanager
async def running_api(
    tmp_path: Path,
    database_url: str,
    *,
    webhook_client: httpx.AsyncClient | None = None,
    replace: list[Any] | None = None,
    queue: Any = None,
    **extra: Any,
) -> AsyncIterator[Api]:
    """`replace`: providers registered over the counting fakes (same ids)."""
    fakes = {pid: ScriptedProvider(pid, real_video=True) for pid in FAKES}
    registry = Registry([LocalProvider(), *fakes.values(), *(replace or [])])
    overrides = Overrides(
        registry=registry, sse_poll_s=0.1, webhook_client=webhook_client, queue=queue
    )
    app = create_app(api_settings(tmp_path, database_url, **extra), overrides)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://api.test") as client,
    ):
        yield Api(client, app.state.service, fakes)
