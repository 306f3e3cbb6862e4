"""Regenerate one scene, re-route under another policy, cancel: counted by provider calls."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from providers.types import Clip, ClipRequest, ProgressCallback
from tests.api_harness import FAKES_POLICY, Api, running_api
from tests.test_api_renders import create_body

pytestmark = pytest.mark.slow


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(tmp_path, f"sqlite:///{tmp_path / 'ledger.db'}") as running:
        yield running


async def rendered(api: Api, headers: dict[str, str], pins: dict[int, str] | None = None) -> str:
    rid = (await api.client.post("/v1/renders", json=create_body(), headers=headers)).json()["id"]
    for index, pin in (pins or {}).items():
        r = await api.client.patch(
            f"/v1/renders/{rid}/scenes/{index}", json={"pin": pin}, headers=headers
        )
        assert r.status_code == 200, r.text
    await api.client.post(f"/v1/renders/{rid}/approve", headers=headers)
    done = await api.wait_state(rid, headers, "succeeded", "failed")
    assert done["state"] == "succeeded", done["error"]
    return rid


async def test_regenerate_one_scene_calls_one_provider_once(api: Api) -> None:
    await api.policy("acme", FAKES_POLICY)
    creator = await api.key("acme", "creator")
    parent = await rendered(api, creator)
    assert (api.calls("fakea"), api.calls("fakeb")) == (2, 0)
    same = await api.client.post(
        f"/v1/renders/{parent}/scenes/1/regenerate", json={"pin": "fakea/m1"}, headers=creator
    )
    assert same.status_code == 422 and same.json()["error"]["field"] == "pin"
    made = await api.client.post(
        f"/v1/renders/{parent}/scenes/1/regenerate", json={"pin": "fakeb/m1"}, headers=creator
    )
    assert made.status_code == 201, made.text
    child = made.json()
    assert child["parent_id"] == parent
    done = await api.wait_state(child["id"], creator, "succeeded", "failed")
    assert done["state"] == "succeeded", done["error"]
    assert (api.calls("fakea"), api.calls("fakeb")) == (2, 1)  # scene 0 reused its clip
    assert [s["provider"] for s in done["scenes"]] == ["fakea", "fakeb"]


async def test_reroute_regenerates_only_what_the_new_policy_excludes(api: Api) -> None:
    await api.policy("acme", FAKES_POLICY)
    creator = await api.key("acme", "creator")
    parent = await rendered(api, creator, pins={0: "fakeb/m1"})
    assert (api.calls("fakea"), api.calls("fakeb")) == (1, 1)
    made = await api.client.post(
        f"/v1/renders/{parent}/reroute",
        json={"policy": {"body": {"id": "b-only", "only": ["fakeb"]}}},
        headers=creator,
    )
    assert made.status_code == 201, made.text
    done = await api.wait_state(made.json()["id"], creator, "succeeded", "failed")
    assert done["state"] == "succeeded", done["error"]
    assert done["parent_id"] == parent
    # scene 0 (fakeb) is still allowed and reused; scene 1 (fakea) is excluded and made again
    assert (api.calls("fakea"), api.calls("fakeb")) == (1, 2)
    assert [s["provider"] for s in done["scenes"]] == ["fakeb", "fakeb"]


@dataclass
class Stuck:
    """A provider whose jobs never finish until cancelled."""

    pid: str = "fakea"
    started: asyncio.Event = field(default_factory=asyncio.Event)
    cancelled: int = 0

    @property
    def id(self) -> str:
        return self.pid

    def is_configured(self) -> bool:
        return True

    async def generate(
        self, request: ClipRequest, model: str, dest: Path, progress: ProgressCallback | None = None
    ) -> Clip:
        self.started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        raise AssertionError("unreachable")


async def test_cancel_stops_a_running_render(tmp_path: Path) -> None:
    stuck = Stuck()
    async with running_api(tmp_path, f"sqlite:///{tmp_path / 'l.db'}", replace=[stuck]) as api:
        await api.policy("acme", FAKES_POLICY)
        creator = await api.key("acme", "creator")
        body: dict[str, Any] = create_body(approve=True)
        rid = (await api.client.post("/v1/renders", json=body, headers=creator)).json()["id"]
        await asyncio.wait_for(stuck.started.wait(), 60)
        cancelled = await api.client.post(f"/v1/renders/{rid}/cancel", headers=creator)
        assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
        assert stuck.cancelled >= 1
        again = await api.client.post(f"/v1/renders/{rid}/cancel", headers=creator)
        assert again.status_code == 409
        files = await api.client.get(f"/v1/renders/{rid}/manifest", headers=creator)
        assert files.status_code == 409
        assert not (tmp_path / "data" / "work" / rid).exists()
