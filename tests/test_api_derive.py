"""Regenerate one scene, re-route under another policy, cancel: counted by provider calls."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from providers.types import Clip, ClipRequest, ProgressCallback
from tests.api_harness import FAKES_POLICY, Api, running_api
from tests.fakes import ScriptedProvider
from tests.service_db import database_url  # noqa: F401  (fixture)
from tests.test_api_http import Receiver, serving
from tests.test_api_renders import create_body

pytestmark = pytest.mark.slow


@pytest.fixture
async def api(tmp_path: Path, database_url: str) -> AsyncIterator[Api]:  # noqa: F811
    async with running_api(tmp_path, database_url) as running:
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


async def regenerated(api: Api, headers: dict[str, str], parent: str, n: int) -> dict[str, Any]:
    made = await api.client.post(f"/v1/renders/{parent}/scenes/{n}/regenerate", headers=headers)
    assert made.status_code == 201, made.text
    done = await api.wait_state(made.json()["id"], headers, "succeeded", "failed")
    assert done["state"] == "succeeded", done["error"]
    return done


async def test_regenerate_without_a_pin_makes_a_new_take_by_the_same_model(api: Api) -> None:
    await api.policy("acme", FAKES_POLICY)
    creator = await api.key("acme", "creator")
    parent = await rendered(api, creator)
    assert (api.calls("fakea"), api.calls("fakeb")) == (2, 0)
    child = await regenerated(api, creator, parent, 1)
    # one new call, for scene 1 only, by the model that made it; scene 0 reused its clip
    assert (api.calls("fakea"), api.calls("fakeb")) == (3, 0)
    assert [s["provider"] for s in child["scenes"]] == ["fakea", "fakea"]
    *firsts, retake = api.fakes["fakea"].requests
    first = next(r for r in firsts if r.prompt == retake.prompt)  # scene 1's first take
    assert retake.seed != first.seed and retake.idempotency_key != first.idempotency_key
    grandchild = await regenerated(api, creator, child["id"], 1)  # take 3, counted from take 2
    assert (api.calls("fakea"), api.calls("fakeb")) == (4, 0)
    seeds = {r.seed for r in api.fakes["fakea"].requests}
    assert len(seeds) == 4  # two scenes' first takes, then takes 2 and 3 of scene 1
    assert grandchild["parent_id"] == child["id"]
    manifest = await api.client.get(f"/v1/renders/{grandchild['id']}/manifest", headers=creator)
    assert manifest.status_code == 200


async def test_reroute_regenerates_only_what_the_new_policy_excludes(api: Api) -> None:
    await api.policy("acme", FAKES_POLICY)
    creator = await api.key("acme", "creator")
    parent = await rendered(api, creator, pins={0: "fakeb/m1"})
    assert (api.calls("fakea"), api.calls("fakeb")) == (1, 1)
    topic = {"allegation_topic": "unauthorized-distillation"}
    auditor = await api.key("acme", "auditor")
    accused = (await api.client.get("/v1/audit/scenes", params=topic, headers=auditor)).json()
    assert [(i["render_id"], i["scene"], i["provider"]) for i in accused["items"]] == [
        (parent, 0, "fakeb")
    ]
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


async def test_cancel_stops_a_running_render_and_keeps_made_clips(tmp_path: Path) -> None:
    stuck = Stuck()
    async with running_api(tmp_path, f"sqlite:///{tmp_path / 'l.db'}", replace=[stuck]) as api:
        await api.policy("acme", FAKES_POLICY)
        creator = await api.key("acme", "creator")
        rid = (await api.client.post("/v1/renders", json=create_body(), headers=creator)).json()[
            "id"
        ]
        pinned = await api.client.patch(
            f"/v1/renders/{rid}/scenes/0", json={"pin": "fakeb/m1"}, headers=creator
        )
        assert pinned.status_code == 200
        await api.client.post(f"/v1/renders/{rid}/approve", headers=creator)
        await asyncio.wait_for(stuck.started.wait(), 60)
        deadline = asyncio.get_running_loop().time() + 120
        while True:  # scene 0 (fakeb) finishes while scene 1 (fakea) never does
            scenes = (await api.client.get(f"/v1/renders/{rid}", headers=creator)).json()["scenes"]
            if scenes[0]["state"] == "done":
                break
            assert asyncio.get_running_loop().time() < deadline, f"scene 0 never done: {scenes}"
            await asyncio.sleep(0.1)
        cancelled = await api.client.post(f"/v1/renders/{rid}/cancel", headers=creator)
        assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
        assert stuck.cancelled >= 1 and api.calls("fakeb") == 1
        again = await api.client.post(f"/v1/renders/{rid}/cancel", headers=creator)
        assert again.status_code == 409
        files = await api.client.get(f"/v1/renders/{rid}/manifest", headers=creator)
        assert files.status_code == 409
        assert not list((tmp_path / "data" / "work").glob(f"*{rid}*"))
        cached = list(api.service.settings.clip_cache_dir.rglob("*.mp4"))
        assert len(cached) == 1  # the clip made before the cancel stays cached


async def test_a_restarted_server_resumes_approved_renders(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    stuck = Stuck()
    async with running_api(tmp_path, url, replace=[stuck]) as api:
        await api.policy("acme", FAKES_POLICY)
        creator = await api.key("acme", "creator")
        body = create_body(approve=True)
        rid = (await api.client.post("/v1/renders", json=body, headers=creator)).json()["id"]
        await asyncio.wait_for(stuck.started.wait(), 60)  # generating when the server stops
        secrets = dict(api.secrets)
    async with running_api(tmp_path, url) as api:  # the server restarts; the provider works now
        api.secrets.update(secrets)
        done = await api.wait_state(rid, await api.key("acme", "creator"), "succeeded", "failed")
        assert done["state"] == "succeeded", done["error"]
        assert api.calls("fakea") == 2


async def test_a_render_every_provider_refuses_fails_with_a_reason(tmp_path: Path) -> None:
    refusers = [ScriptedProvider(pid, then="reject") for pid in ("fakea", "fakeb")]
    receiver = Receiver(fail_first=False)
    async with (
        serving(receiver.app) as hooks,
        running_api(tmp_path, f"sqlite:///{tmp_path / 'l.db'}", replace=refusers) as api,
    ):
        await api.policy("acme", FAKES_POLICY)
        admin = await api.key("acme", "agency_admin")
        await api.client.post("/v1/webhooks", json={"url": f"{hooks}/hook"}, headers=admin)
        creator = await api.key("acme", "creator")
        body = create_body(approve=True)
        rid = (await api.client.post("/v1/renders", json=body, headers=creator)).json()["id"]
        done = await api.wait_state(rid, creator, "succeeded", "failed")
        assert done["state"] == "failed"
        assert done["error"]["code"] == "render_failed" and done["error"]["message"]
        assert {s["state"] for s in done["scenes"]} == {"failed"}
        await receiver.settled(api.service.webhooks, 2)
        sent = [json.loads(body) for body, _ in receiver.seen]
        assert [(e["type"], e["render_id"]) for e in sent] == [
            ("render.planned", rid),
            ("render.failed", rid),
        ]
        assert sent[1]["data"]["error"]["code"] == "render_failed"
