"""The agency's and auditor's views over the API: a draft policy's issues (field and line),
what it does and the plan it gives a script (nothing stored or spent); the renders each policy
version made; budgets and spend; a finished render's disclosure, freshly verified."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.api_harness import FAKES_POLICY, SCRIPT, Api, RecordingQueue, running_api
from tests.test_api_renders import create_body

BAD = "id: strict\nsourcing:\n  official_apii: true\nsort: cheapest\n"


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    async with running_api(
        tmp_path, f"sqlite:///{tmp_path / 'l.db'}", queue=RecordingQueue(), max_words=60
    ) as running:
        yield running


async def preview(api: Api, source: str, script: str | None = None) -> dict[str, Any]:
    admin = await api.key("acme", "agency_admin")
    got = await api.client.post(
        "/v1/policies/preview", json={"source": source, "script": script}, headers=admin
    )
    assert got.status_code == 200, got.text
    return dict(got.json())


async def test_a_draft_names_each_error_with_field_and_line(api: Api) -> None:
    bad = await preview(api, BAD, SCRIPT)
    assert bad["valid"] is False and bad["plan"] is None and bad["explanation"] is None
    assert [(i["line"], i["field"]) for i in bad["issues"]] == [
        (3, "sourcing.official_apii"),
        (4, "sort"),
    ]
    assert bad["issues"][0]["message"] == "unknown field"
    syntax = await preview(api, "id: x\n  only: [\n")
    assert [(i["line"], i["field"]) for i in syntax["issues"]] == [(2, None)]
    assert "invalid YAML" in syntax["issues"][0]["message"]
    base = await preview(api, "id: x\nextends: nowhere\n")
    assert [(i["line"], i["field"]) for i in base["issues"]] == [(2, "extends")]
    empty = await preview(api, "  \n")
    assert empty["issues"] == [
        {"line": 1, "field": None, "message": "the policy document is empty"}
    ]


async def test_a_draft_shows_what_it_removes_and_the_plan_it_gives(api: Api) -> None:
    only = await preview(api, FAKES_POLICY, SCRIPT)
    assert only["valid"] and only["issues"] == [] and only["policy"]["id"] == "fakes"
    landscape = only["explanation"]["scene_kinds"]["landscape"]
    assert landscape["eligible"] == ["fakea/m1", "fakeb/m1"]
    assert landscape["removed"]["local/local-motion-1"] == ["policy.only"]
    assert {s["chosen"] for s in only["plan"]["scenes"]} == {"fakea/m1"}
    assert len(only["plan"]["scenes"]) == 2
    changed = await preview(api, FAKES_POLICY.replace("[fakea, fakeb]\n", "[fakeb]\n"), SCRIPT)
    assert {s["chosen"] for s in changed["plan"]["scenes"]} == {"fakeb/m1"}
    fb = "\nallegations:\n  exclude_topics: [unauthorized-distillation]\n  min_status: alleged\n"
    strict = await preview(api, "id: no-fb\norder: [fakeb, fakea]" + fb, SCRIPT)
    assert {s["chosen"] for s in strict["plan"]["scenes"]} == {"fakea/m1"}
    excluded = strict["plan"]["scenes"][0]["exclusions"]
    reason = "allegation.unauthorized-distillation:alleged"
    assert {"provider": "fakeb", "model": "m1", "reasons": [reason]} in excluded
    # nothing was stored, queued or spent
    admin = await api.key("acme", "agency_admin")
    assert (await api.client.get("/v1/policies", headers=admin)).json() == []
    assert (await api.client.get("/v1/renders", headers=admin)).json()["total"] == 0
    assert api.calls() == 0


async def test_a_script_that_cannot_be_planned_says_why_beside_the_explanation(
    api: Api,
) -> None:
    long = " ".join(["word"] * 61) + "."
    out = await preview(api, FAKES_POLICY, long)
    assert out["valid"] and out["explanation"] is not None and out["plan"] is None
    assert (
        out["plan_error"]["code"] == "limit_exceeded" and "60 words" in out["plan_error"]["message"]
    )
    creator = await api.key("acme", "creator")
    refused = await api.client.post(
        "/v1/policies/preview", json={"source": FAKES_POLICY}, headers=creator
    )
    assert refused.status_code == 403


async def test_each_version_lists_the_renders_made_under_it(api: Api) -> None:
    await api.policy("acme", FAKES_POLICY)
    creator = await api.key("acme", "creator")
    rid = (await api.client.post("/v1/renders", json=create_body(), headers=creator)).json()["id"]
    assert (await api.client.post(f"/v1/renders/{rid}/approve", headers=creator)).status_code == 200
    await api.policy("acme", FAKES_POLICY + "sort: price\n")
    admin = await api.key("acme", "agency_admin")
    versions = (await api.client.get("/v1/policies/fakes/versions", headers=admin)).json()
    assert [(v["version"], [r["id"] for r in v["renders"]]) for v in versions] == [
        (1, [rid]),
        (2, []),
    ]
    assert versions[0]["renders"][0]["state"] == "approved"
    other = await api.key("acme", "creator", "2")
    theirs = (await api.client.get("/v1/policies/fakes/versions", headers=other)).json()
    assert theirs[0]["renders"] == []  # another creator's render stays theirs


async def test_spend_against_the_enforced_budget(api: Api) -> None:
    admin = await api.key("acme", "agency_admin")
    none = (await api.client.get("/v1/spend", headers=admin)).json()
    assert none["enforced_policy"] is None and none["remaining_usd"] is None
    assert none["renders"] == 0 and none["by_month"] == []
    await api.policy("acme", FAKES_POLICY + "budget:\n  per_tenant_usd: 50\n  per_video_usd: 5\n")
    put = await api.client.put("/v1/policies/enforced", json={"policy_id": "fakes"}, headers=admin)
    assert put.status_code == 200
    creator = await api.key("acme", "creator")
    made = await api.client.post("/v1/renders", json=create_body(), headers=creator)
    assert made.status_code == 201, made.text
    spend = (await api.client.get("/v1/spend", headers=admin)).json()
    assert (spend["per_tenant_usd"], spend["per_video_usd"]) == (50, 5)
    assert (spend["spent_usd"], spend["remaining_usd"], spend["renders"]) == (0, 50, 1)
    month = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    assert [(m["group"], m["renders"]) for m in spend["by_month"]] == [(month, 1)]
    assert spend["by_month"][0]["estimated_usd"] == made.json()["estimated_cost_usd"] > 0
    assert len(spend["by_key"]) == 1
    auditor = await api.key("acme", "auditor")
    assert (await api.client.get("/v1/spend", headers=auditor)).status_code == 200
    assert (await api.client.get("/v1/spend", headers=creator)).status_code == 403
    globex = await api.key("globex", "agency_admin")
    assert (await api.client.get("/v1/spend", headers=globex)).json()["renders"] == 0
