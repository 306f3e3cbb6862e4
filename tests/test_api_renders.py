"""The render lifecycle over the API: plan (nothing spent), edit, approve, watch, download,
audit; idempotent create; forbidden pins; cancel; regenerate and reroute by provider calls."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.store import renders as render_store
from tests.api_harness import FAKES_POLICY, SCRIPT, Api, running_api
from tests.service_db import database_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture
async def api(tmp_path: Path, database_url: str) -> AsyncIterator[Api]:  # noqa: F811
    async with running_api(tmp_path, database_url) as running:
        yield running


def create_body(policy: Any = "fakes", **extra: Any) -> dict[str, Any]:
    return {
        "source": {"kind": "script", "text": SCRIPT},
        "policy": policy,
        "aspects": ["16:9"],
        "quality": "draft",
        "voice": "espeak",
        **extra,
    }


async def test_plan_edit_approve_watch_download_audit(api: Api) -> None:
    await api.policy("acme", FAKES_POLICY)
    creator = await api.key("acme", "creator")
    made = await api.client.post("/v1/renders", json=create_body(), headers=creator)
    assert made.status_code == 201, made.text
    render = made.json()
    assert render["state"] == "planned" and len(render["scenes"]) == 2
    assert [s["chosen"] for s in render["plan"]["scenes"]] == ["fakea/m1", "fakea/m1"]
    assert render["policy"]["name"] == "fakes" and render["policy"]["version"] == 1
    rid = render["id"]

    edited = await api.client.patch(
        f"/v1/renders/{rid}/scenes/1",
        headers=creator,
        json={"narration": "The fleet heads out at sunrise."},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["plan"]["scenes"][1]["narration"] == "The fleet heads out at sunrise."
    assert api.calls() == 0  # planning and editing never call a provider

    approved = await api.client.post(f"/v1/renders/{rid}/approve", headers=creator)
    assert approved.status_code == 200 and approved.json()["state"] in (
        "approved",
        "generating",
        "composing",
        "succeeded",
    )
    done = await api.wait_state(rid, creator, "succeeded", "failed")
    assert done["state"] == "succeeded", done["error"]
    assert api.calls("fakea") == 2
    assert [(s["provider"], s["model"], s["state"]) for s in done["scenes"]] == [
        ("fakea", "m1", "done"),
        ("fakea", "m1", "done"),
    ]
    assert done["cost_usd"] > 0
    attempts = await render_store.attempts_of(api.service.db, rid)
    assert sorted((a.scene_index, a.provider, a.outcome) for a in attempts) == [
        (0, "fakea", "succeeded"),
        (1, "fakea", "succeeded"),
    ]
    assert all(a.vendor_task_id and a.vendor_task_id.startswith("fakea-") for a in attempts)

    video = await api.client.get(f"/v1/renders/{rid}/outputs/16x9", headers=creator)
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"
    part = await api.client.get(
        f"/v1/renders/{rid}/outputs/16x9", headers={**creator, "Range": "bytes=100-199"}
    )
    assert part.status_code == 206 and part.content == video.content[100:200]
    manifest = (await api.client.get(f"/v1/renders/{rid}/manifest", headers=creator)).json()
    assert manifest["render_id"] == rid
    # The approval gate is recorded: a person approved this plan (C2PA: human_validated).
    assert manifest["approval"]["by"].startswith("key ") and manifest["approval"]["at"]
    srt = await api.client.get(f"/v1/renders/{rid}/captions.srt", headers=creator)
    assert srt.status_code == 200 and "-->" in srt.text
    for name in ("captions.vtt", "disclosure.vtt", "report"):
        got = await api.client.get(f"/v1/renders/{rid}/{name}", headers=creator)
        assert got.status_code == 200, name

    auditor = await api.key("acme", "auditor")
    found = await api.client.get("/v1/audit/scenes", params={"provider": "fakea"}, headers=auditor)
    assert [(i["render_id"], i["scene"]) for i in found.json()["items"]] == [(rid, 0), (rid, 1)]
    exported = await api.client.get("/v1/audit/scenes", params={"format": "csv"}, headers=auditor)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["provider"] for r in rows} == {"fakea"} and len(rows) == 2
    later = {"from": "2099-01-01T00:00:00Z"}
    none = await api.client.get("/v1/audit/scenes", params=later, headers=auditor)
    assert none.json()["items"] == []
    summary = (await api.client.get("/v1/audit/summary", headers=auditor)).json()
    assert summary["providers"][0]["provider"] == "fakea"
    assert summary["providers"][0]["scenes"] == 2

    stranger = await api.key("globex", "agency_admin")
    assert (await api.client.get(f"/v1/renders/{rid}", headers=stranger)).status_code == 404
    theirs = await api.client.get("/v1/audit/scenes", headers=await api.key("globex", "auditor"))
    assert theirs.json()["items"] == []


async def test_idempotent_create(api: Api) -> None:
    await api.policy("acme", FAKES_POLICY)
    creator = {**await api.key("acme", "creator"), "Idempotency-Key": "order-42"}
    first = await api.client.post("/v1/renders", json=create_body(), headers=creator)
    again = await api.client.post("/v1/renders", json=create_body(), headers=creator)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    listed = (await api.client.get("/v1/renders", headers=creator)).json()
    assert listed["total"] == 1
    planned = await api.client.get("/v1/renders", params={"state": "planned"}, headers=creator)
    assert [r["id"] for r in planned.json()["items"]] == [first.json()["id"]]
    done = await api.client.get("/v1/renders", params={"state": "succeeded"}, headers=creator)
    assert done.json()["total"] == 0
    other = await api.client.post("/v1/renders", json=create_body(aspects=["1:1"]), headers=creator)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"


async def test_a_forbidden_pin_is_422_with_the_reasons(api: Api) -> None:
    await api.policy("acme", "id: only-a\nonly: [fakea]\n")
    creator = await api.key("acme", "creator")
    rid = (
        await api.client.post("/v1/renders", json=create_body("only-a"), headers=creator)
    ).json()["id"]
    pinned = await api.client.patch(
        f"/v1/renders/{rid}/scenes/0", json={"pin": "fakeb/m1"}, headers=creator
    )
    assert pinned.status_code == 422
    error = pinned.json()["error"]
    assert error["code"] == "pin_forbidden" and "policy.only" in error["message"]
    plan = (await api.client.get(f"/v1/renders/{rid}", headers=creator)).json()["plan"]
    assert plan["scenes"][0]["chosen"] == "fakea/m1"  # the stored plan is unchanged
    assert api.calls() == 0
