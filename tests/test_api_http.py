"""Over real HTTP on loopback (uvicorn): SSE with a Last-Event-ID reconnect, a webhook
receiver that fails once and then checks the signature, and verify uploads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from app.api.webhooks import HEADER, WebhookDispatcher, verify_signature
from tests.api_harness import FAKES_POLICY, running_api
from tests.service_db import database_url  # noqa: F401  (fixture)
from tests.test_api_renders import create_body

pytestmark = pytest.mark.slow


@asynccontextmanager
async def serving(app: ASGIApp) -> AsyncIterator[str]:
    """`app` served by uvicorn on 127.0.0.1 (a free port); yields its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class Receiver:
    """A webhook endpoint that answers 500 to the first delivery (unless told not to), then 200."""

    def __init__(self, fail_first: bool = True) -> None:
        self.fail_first = fail_first
        self.seen: list[tuple[bytes, str]] = []
        self.app = Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> JSONResponse:
        self.seen.append((await request.body(), request.headers.get(HEADER, "")))
        failing = self.fail_first and len(self.seen) == 1
        return JSONResponse({}, status_code=500 if failing else 200)

    async def settled(self, webhooks: WebhookDispatcher, count: int) -> None:
        """Wait for `count` deliveries. A render's final state is readable a moment before
        its webhook is queued, so one drain right after seeing the state can come too early."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while len(self.seen) < count and loop.time() < deadline:
            await webhooks.drain()
            await asyncio.sleep(0.02)
        await webhooks.drain()  # the delivery that arrived last is recorded too


async def read_events(response: httpx.Response, stop_after: int | None) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if line.startswith(("id:", "event:", "data:")):
            key, _, value = line.partition(": ")
            current[key.rstrip(":")] = value
        elif line == "" and current:
            events.append(current)
            current = {}
            if current == {} and events[-1].get("event") == "end":
                break
            if stop_after is not None and sum("id" in e for e in events) >= stop_after:
                break
    return events


async def test_sse_reconnect_and_signed_webhook(tmp_path: Path, database_url: str) -> None:  # noqa: F811
    receiver = Receiver()
    async with (
        serving(receiver.app) as hooks_url,
        running_api(tmp_path, database_url) as api,
        serving(api.client._transport.app) as base,  # type: ignore[attr-defined]
        httpx.AsyncClient(base_url=base, timeout=60) as http,
    ):
        await api.policy("acme", FAKES_POLICY)
        admin = await api.key("acme", "agency_admin")
        hook = (
            await http.post(
                "/v1/webhooks",
                headers=admin,
                json={"url": f"{hooks_url}/hook", "events": ["render.succeeded"]},
            )
        ).json()
        creator = await api.key("acme", "creator")
        rid = (
            await http.post("/v1/renders", json=create_body(approve=True), headers=creator)
        ).json()["id"]
        url = f"/v1/renders/{rid}/events"
        async with http.stream("GET", url, headers=creator) as first:
            assert first.headers["content-type"].startswith("text/event-stream")
            before = await read_events(first, stop_after=3)
        last = max(int(e["id"]) for e in before if "id" in e)
        async with http.stream("GET", url, headers={**creator, "Last-Event-ID": str(last)}) as rest:
            after = await read_events(rest, stop_after=None)
        ids = [int(e["id"]) for e in before + after if "id" in e]
        assert ids == list(range(1, len(ids) + 1))  # nothing lost, nothing repeated
        assert after[-1]["event"] == "end"
        states = [json.loads(e["data"]).get("state") for e in after if e.get("event") == "state"]
        assert states[-2:] == ["composing", "succeeded"]
        kinds = {e.get("event") for e in before + after}
        assert {"stage", "scene", "attempt"} <= kinds

        await receiver.settled(api.service.webhooks, 2)
        assert len(receiver.seen) == 2  # failed once, retried
        body, signature = receiver.seen[-1]
        assert verify_signature(hook["secret"], signature, body)
        assert not verify_signature("whsec_wrong", signature, body)
        assert json.loads(body)["type"] == "render.succeeded"
        deliveries = (await http.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=admin)).json()
        assert [(d["attempt"], d["ok"], d["status_code"]) for d in deliveries] == [
            (2, True, 200),
            (1, False, 500),
        ]

        video = (await http.get(f"/v1/renders/{rid}/outputs/16x9", headers=creator)).content
        auditor = await api.key("acme", "auditor")
        good = await http.post(
            "/v1/verify", headers=auditor, files={"file": ("video.mp4", video, "video/mp4")}
        )
        assert good.status_code == 200 and good.json()["ok"], [
            c for c in good.json()["checks"] if c["verdict"] == "fail"
        ]
        assert [s["provider"] for s in good.json()["scenes"]] == ["fakea", "fakea"]
        tampered = bytearray(video)
        middle = len(tampered) // 2
        tampered[middle : middle + 64] = bytes(64)
        bad = await http.post(
            "/v1/verify",
            headers=auditor,
            files={"file": ("video.mp4", bytes(tampered), "video/mp4")},
        )
        assert bad.status_code == 200 and not bad.json()["ok"]
        failed = [c["name"] for c in bad.json()["checks"] if c["verdict"] == "fail"]
        assert failed, bad.json()
