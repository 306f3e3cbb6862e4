"""The vendor's task id reaches the ledger as soon as the vendor accepted the job, while it
still runs: a real vendor adapter (Runway's) submits to its loopback fake, which holds the job
in RUNNING until the test lets it finish."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.store.renders import attempts_of
from providers.media import run_ffmpeg
from providers.settings import RunwaySettings
from providers.types import Clip, ClipRequest, ProgressCallback
from providers.vendors.runway import RunwayProvider
from tests.api_harness import FAKES_POLICY, Api, running_api
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.server import Reply, serve
from tests.service_db import database_url  # noqa: F401  (fixture)
from tests.test_api_renders import create_body

pytestmark = pytest.mark.slow
KEY = "rw-secret-key"


class HeldRunway(RunwayFake):
    """Every task reports RUNNING until `release` is set, then its final status."""

    def __init__(self, video: bytes) -> None:
        super().__init__(video, key=KEY)
        self.release = threading.Event()

    def _status(self, tid: str) -> Reply:
        task = self.tasks.get(tid)
        if task is None or self.release.is_set():
            return super()._status(tid) if task is None else Reply(200, task.steps[-1])
        return Reply(200, {"id": tid, "status": "RUNNING", "progress": 0.3})


@dataclass
class RunwayAsFakea:
    """The catalog's `fakea`, played by the real Runway adapter (submit, poll, download)."""

    runway: RunwayProvider

    @property
    def id(self) -> str:
        return "fakea"

    def is_configured(self) -> bool:
        return True

    async def generate(
        self, request: ClipRequest, model: str, dest: Path, progress: ProgressCallback | None = None
    ) -> Clip:
        clip = await self.runway.generate(request, "gen4.5", dest, progress)
        return replace(clip, provider_id="fakea", model_id=model)


async def _video(tmp_path: Path) -> bytes:
    """Long enough for a scene's slot, so the held render can also finish and compose."""
    out = tmp_path / "vendor.mp4"
    args = ["-f", "lavfi", "-i", "testsrc=size=320x180:rate=24:duration=8"]
    await run_ffmpeg([*args, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)])
    return out.read_bytes()


@pytest.fixture
async def held(tmp_path: Path) -> AsyncIterator[HeldRunway]:
    fake = HeldRunway(await _video(tmp_path))
    with serve(fake) as url:
        fake.base_url = url
        yield fake
    fake.release.set()


async def _submitted_rows(api: Api, rid: str, want: int) -> list[tuple[int, str, str | None]]:
    for _ in range(600):
        rows = [(a.scene_index, a.outcome or "", a.vendor_task_id)
                for a in await attempts_of(api.service.db, rid)]  # fmt: skip
        if len(rows) >= want:
            return sorted(rows)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no submitted attempts recorded for {rid}")


async def test_the_ledger_has_the_vendor_task_id_while_the_job_runs(
    tmp_path: Path,
    database_url: str,  # noqa: F811
    held: HeldRunway,
) -> None:
    runway = RunwayProvider(RunwaySettings(api_key=SecretStr(KEY), base_url=held.base_url))
    async with running_api(tmp_path, database_url, replace=[RunwayAsFakea(runway)]) as api:
        await api.policy("acme", FAKES_POLICY)
        creator = await api.key("acme", "creator")
        body = create_body(approve=True)
        rid = (await api.client.post("/v1/renders", json=body, headers=creator)).json()["id"]
        running = await _submitted_rows(api, rid, want=2)
        assert [(i, outcome) for i, outcome, _ in running] == [(0, "submitted"), (1, "submitted")]
        assert {task for _, _, task in running} == set(held.tasks)  # the vendor's own ids
        state = (await api.client.get(f"/v1/renders/{rid}", headers=creator)).json()["state"]
        assert state == "generating"  # the jobs are still running at the vendor

        held.release.set()
        done = await api.wait_state(rid, creator, "succeeded", "failed")
        assert done["state"] == "succeeded", done["error"]
        ended = await _submitted_rows(api, rid, want=2)
        # the same rows, completed: one row per attempt, the task id kept
        assert [(i, o) for i, o, _ in ended] == [(0, "succeeded"), (1, "succeeded")]
        assert {task for _, _, task in ended} == set(held.tasks)
