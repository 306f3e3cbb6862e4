"""Policies over the API (YAML/JSON, errors with field and line, immutable used versions,
explain, the agency's enforced policy) and the API's limits (413/422/429)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.api.jobs import run_render
from tests.api_harness import FAKES_POLICY, SCRIPT, Api, RecordingQueue, running_api
from tests.test_api_renders import create_body


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(
        tmp_path,
        f"sqlite:///{tmp_path / 'l.db'}",
        max_in_flight=1,
        max_words=60,
        max_body_bytes=4096,
        max_upload_bytes=2048,
    ) as running:
        yield running


async def test_policy_errors_name_the_field_and_line(api: Api) -> None:
    admin = await api.key("acme", "agency_admin")
    bad = await api.client.post(
        "/v1/policies",
        content="id: strict\nsourcing:\n  official_apii: true\n",
        headers={**admin, "Content-Type": "application/yaml"},
    )
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["code"] == "invalid_policy"
    assert error["field"] == "sourcing.official_apii" and ":3:" in error["message"]
    control = await api.client.post(
        "/v1/policies",
        content="id: x\nsort: \x01\n",
        headers={**admin, "Content-Type": "application/yaml"},
    )
    assert control.status_code == 422 and "policy:2:" in control.json()["error"]["message"]
    as_json = await api.client.post(
        "/v1/policies", json={"id": "j", "sort": "cheapest"}, headers=admin
    )
    assert as_json.status_code == 422 and as_json.json()["error"]["field"] == "sort"


async def test_versions_are_immutable_once_used_and_explain(api: Api) -> None:
    first = await api.policy("acme", FAKES_POLICY)
    assert (first["id"], first["version"], first["used"]) == ("fakes", 1, False)
    assert (await api.policy("acme", FAKES_POLICY + "sort: price\n"))["version"] == 1
    creator = await api.key("acme", "creator")
    rid = (await api.client.post("/v1/renders", json=create_body(), headers=creator)).json()["id"]
    stuck = await api.client.post(f"/v1/renders/{rid}/approve", headers=creator)
    assert stuck.status_code == 200
    changed = await api.policy("acme", FAKES_POLICY)
    assert changed["version"] == 2
    versions = (await api.client.get("/v1/policies/fakes/versions", headers=creator)).json()
    assert [(v["version"], v["used"]) for v in versions] == [(1, True), (2, False)]
    explained = (await api.client.get("/v1/policies/fakes/explain", headers=creator)).json()
    assert "policy.only" in str(explained)
    await api.client.post(f"/v1/renders/{rid}/cancel", headers=creator)


async def test_the_enforced_policy_binds_creators(api: Api) -> None:
    await api.policy("acme", "id: no-a\nignore: [fakea]\n")
    admin = await api.key("acme", "agency_admin")
    put = await api.client.put("/v1/policies/enforced", json={"policy_id": "no-a"}, headers=admin)
    assert put.status_code == 200
    creator = await api.key("acme", "creator")
    wider = {"body": {"id": "mine", "only": ["fakea", "fakeb"], "order": ["fakea", "fakeb"]}}
    plan = (await api.client.post("/v1/renders", json=create_body(wider), headers=creator)).json()[
        "plan"
    ]
    assert {s["chosen"] for s in plan["scenes"]} == {"fakeb/m1"}
    assert plan["enforced_policy"]["id"] == "no-a"
    pinned = await api.client.patch(
        f"/v1/renders/{plan['render_id']}/scenes/0", json={"pin": "fakea/m1"}, headers=creator
    )
    assert pinned.status_code == 422 and pinned.json()["error"]["code"] == "pin_forbidden"
    assert api.calls() == 0


async def test_limits_state_the_limit(api: Api) -> None:
    creator = await api.key("acme", "creator")
    huge = await api.client.post(
        "/v1/renders", headers=creator, json={"source": {"kind": "script", "text": "word " * 2000}}
    )
    assert huge.status_code == 413 and "4096-byte limit" in huge.json()["error"]["message"]

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        for _ in range(10):
            yield b"x" * 1000

    admin = await api.key("acme", "agency_admin")
    streamed = await api.client.post("/v1/policies", content=chunks(), headers=admin)
    assert streamed.status_code == 413 and "4096-byte limit" in streamed.text
    wordy = await api.client.post(
        "/v1/renders", headers=creator, json={"source": {"kind": "script", "text": "word " * 61}}
    )
    assert wordy.status_code == 422 and "limit is 60 words" in wordy.json()["error"]["message"]
    upload = await api.client.post(
        "/v1/verify", headers=creator, files={"file": ("x.mp4", b"0" * 4096, "video/mp4")}
    )
    assert upload.status_code == 413 and "2048" in upload.json()["error"]["message"]
    await api.policy("acme", FAKES_POLICY)
    first = (
        await api.client.post("/v1/renders", json=create_body(approve=True), headers=creator)
    ).json()
    second = await api.client.post("/v1/renders", json=create_body(approve=True), headers=creator)
    assert second.status_code == 429
    assert "1 renders in flight" in second.json()["error"]["message"]
    listed = (await api.client.get("/v1/renders", headers=creator)).json()
    assert listed["total"] == 1  # the refused render was not stored
    await api.client.post(f"/v1/renders/{first['id']}/cancel", headers=creator)


async def test_too_many_scenes_is_422(tmp_path: Path) -> None:
    async with running_api(tmp_path, f"sqlite:///{tmp_path / 'l.db'}", max_scenes=1) as api:
        creator = await api.key("acme", "creator")
        made = await api.client.post(
            "/v1/renders", headers=creator, json={"source": {"kind": "script", "text": SCRIPT}}
        )
        assert made.status_code == 422
        assert "limit is 1 scenes" in made.json()["error"]["message"]


@pytest.mark.slow
async def test_tenant_spend_feeds_the_tenant_budget(tmp_path: Path) -> None:
    async with running_api(tmp_path, f"sqlite:///{tmp_path / 'l.db'}") as api:
        await api.policy("acme", FAKES_POLICY + "budget: {per_tenant_usd: 0.15}\n")
        creator = await api.key("acme", "creator")
        rid = (
            await api.client.post("/v1/renders", json=create_body(approve=True), headers=creator)
        ).json()["id"]
        done = await api.wait_state(rid, creator, "succeeded", "failed")
        assert done["state"] == "succeeded" and done["cost_usd"] > 0
        over = await api.client.post("/v1/renders", json=create_body(), headers=creator)
        assert over.status_code == 422 and over.json()["error"]["code"] == "unroutable"


async def test_an_enforced_policy_replaced_after_approval_stops_the_render(
    tmp_path: Path,
) -> None:
    queue = RecordingQueue()
    async with running_api(tmp_path, f"sqlite:///{tmp_path / 'l.db'}", queue=queue) as api:
        await api.policy("acme", FAKES_POLICY)
        admin = await api.key("acme", "agency_admin")
        await api.client.put("/v1/policies/enforced", json={"policy_id": "fakes"}, headers=admin)
        creator = await api.key("acme", "creator")
        body = create_body(approve=True)
        rid = (await api.client.post("/v1/renders", json=body, headers=creator)).json()["id"]
        assert queue.queued == [rid]
        newer = await api.policy("acme", FAKES_POLICY + "max_price: 0.5\n")
        assert newer["version"] == 2  # v1 is in use by an approved render: immutable
        await run_render(api.service, rid)
        done = (await api.client.get(f"/v1/renders/{rid}", headers=creator)).json()
        assert done["state"] == "failed" and "changed after approval" in done["error"]["message"]
        assert api.calls() == 0
