"""The render entry: requests as data, planning that spends nothing, pins and prefers, the
tenant's enforced policy, and execution that reports each attempt as it happens."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from app.cli import app as cli
from app.config import Settings
from app.context import load_effective_catalog
from app.errors import (
    InputError,
    PinForbidden,
    PlanError,
    PolicyInvalid,
    ReelrouteError,
    RenderFailed,
)
from app.ingest import ingest_text
from app.ingest.model import Script
from app.pipeline.events import RenderEvent, SceneState, Stage
from app.policies import FilePolicySource, combine_policies
from app.render.quality import Quality
from app.service.entry import (
    PlanEnv,
    build_render_env,
    execute_plan,
    plan_render,
)
from app.service.request import PolicyRef, RenderRequest, RenderSource, SceneEdit
from providers.local import LocalProvider
from providers.registry import Registry
from providers.types import Aspect
from routing.policy import parse_policy
from tests.fakes import ScriptedProvider, fake_catalog_data

SCRIPT = """A quiet harbour at dawn, boats resting on still water.

The fishing fleet heads out past the lighthouse as the sun rises.
"""
FAKES = ("refuser", "sleeper")
CHAIN = "id: failover\nonly: [refuser, sleeper, local]\norder: [refuser, sleeper, local]\n"


@pytest.fixture(autouse=True)
def catalog_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "my-catalog.json"
    path.write_text(json.dumps(fake_catalog_data(FAKES)), encoding="utf-8")
    monkeypatch.setenv("REELROUTE_CATALOG_PATH", str(path))
    return path


def request(**fields: Any) -> RenderRequest:
    base: dict[str, Any] = {
        "render_id": "r1",
        "source": RenderSource(kind="script", text=SCRIPT),
        "aspects": [Aspect.LANDSCAPE],
        "quality": Quality.DRAFT,
    }
    return RenderRequest(**{**base, **fields})


def plan_env(providers: list[ScriptedProvider], enforced: Path | None = None) -> PlanEnv:
    catalog = load_effective_catalog(Settings())
    return PlanEnv(
        catalog=catalog,
        registry=Registry([LocalProvider(), *providers]),
        policies=FilePolicySource(catalog, enforced),
        words_per_minute=150.0,
    )


def write_policy(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_request_round_trips_through_json() -> None:
    req = request(
        policy=PolicyRef(body={"id": "inline", "ignore": ["sleeper"]}),
        voice="espeak",
        music_mood="calm",
        edits={1: SceneEdit(narration="New words.", pin="local/local-motion-1")},
        parent_id="r0",
    )
    data = json.loads(json.dumps(req.model_dump(mode="json")))
    assert RenderRequest.model_validate(data) == req
    assert data["edits"] == {"1": {"narration": "New words.", "visual_prompt": None,
                                   "pin": "local/local-motion-1", "prefer": None,
                                   "take": None}}  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"policy": {"id": "a", "body": {"id": "b"}}}, "exactly one of"),
        ({"edits": {0: {"pin": "no-slash"}}}, "provider/model"),
        ({"render_id": "../escape"}, "letters, digits"),
        ({"aspects": []}, "at least one aspect"),
        ({"source": {"kind": "url", "text": "x"}}, "needs `url`"),
        ({"surprise": 1}, "Extra inputs"),
    ],
)
def test_bad_requests_are_refused_naming_the_problem(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        request(**fields)


async def test_planning_applies_edits_pins_and_prefers_without_calling_anyone(
    tmp_path: Path,
) -> None:
    refuser, sleeper = ScriptedProvider("refuser"), ScriptedProvider("sleeper")
    policy = write_policy(tmp_path, "chain", CHAIN)
    req = request(
        policy=PolicyRef(id=str(policy)),
        edits={
            0: SceneEdit(narration="Gulls circle  the\nharbour.", prefer="local/local-motion-1"),
            1: SceneEdit(visual_prompt="A lighthouse at sunrise", pin="sleeper/m1"),
        },
    )
    planned = await plan_render(req, plan_env([refuser, sleeper]))

    first, second = planned.plan.decisions
    assert first.chosen is not None and first.chosen.ref == "local/local-motion-1"
    assert [c.ref for c in first.fallbacks] == ["refuser/m1", "sleeper/m1"]
    assert second.chosen is not None and second.chosen.ref == "sleeper/m1"
    assert second.fallbacks == ()  # a pin is hard
    assert planned.script.scenes[0].narration == "Gulls circle the harbour."
    assert planned.script.scenes[1].visual_prompt == "A lighthouse at sunrise"
    assert refuser.calls == [] and sleeper.calls == []
    as_json = planned.to_dict()
    assert as_json["scenes"][1]["chosen"] == "sleeper/m1"
    assert as_json["policy"]["id"] == "failover" and as_json["enforced_policy"] is None
    assert as_json["estimated_cost_usd"] == pytest.approx(
        sum(d.estimated_cost_usd or 0 for d in planned.plan.decisions)
    )


async def test_a_pin_the_policy_forbids_is_refused_with_its_reason_codes(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, "p", CHAIN.replace("only: [refuser, sleeper, local]",
                                                       "ignore: [sleeper]").replace(
        "order: [refuser, sleeper, local]", "order: [refuser, local]"))  # fmt: skip
    req = request(policy=PolicyRef(id=str(policy)), edits={1: SceneEdit(pin="sleeper/m1")})
    with pytest.raises(PinForbidden) as info:
        await plan_render(req, plan_env([ScriptedProvider("refuser"), ScriptedProvider("sleeper")]))
    assert info.value.reasons == ("policy.ignore",)
    assert (info.value.code, info.value.http_status, info.value.field) == (
        "pin_forbidden", 422, "edits.1.pin",
    )  # fmt: skip
    assert "policy.ignore" in info.value.message


async def test_a_prefer_that_is_not_eligible_leaves_the_routed_choice(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, "p", "id: p\nonly: [refuser, local]\norder: [refuser]\n")
    req = request(policy=PolicyRef(id=str(policy)), edits={0: SceneEdit(prefer="sleeper/m1")})
    planned = await plan_render(req, plan_env([ScriptedProvider("refuser")]))
    chosen = planned.plan.decisions[0].chosen
    assert chosen is not None and chosen.ref == "refuser/m1"


async def test_an_edit_of_a_missing_scene_and_a_url_source_are_input_errors() -> None:
    with pytest.raises(InputError, match="scene 5 does not exist") as info:
        await plan_render(request(edits={5: SceneEdit(narration="x")}), plan_env([]))
    assert info.value.field == "edits.5"
    url = request(source=RenderSource(kind="url", url="https://example.invalid/post"))
    with pytest.raises(InputError, match="URL sources"):
        await plan_render(url, plan_env([]))


# A creator's pick that tries, in every way the language has, to bring back `refuser`.
READMITTING = [
    {"id": "mine", "only": ["refuser", "local"], "order": ["refuser"]},
    {"id": "mine", "order": ["refuser", "sleeper"], "sort": "price"},
    {"id": "mine", "models": {"only": ["refuser/m1", "local/local-motion-1"]}},
    {"id": "mine", "scene_kinds": {"landscape": {"only": ["refuser", "local"]}}},
    {"id": "mine", "extends": "fail-fast", "order": ["refuser"]},
]


@pytest.mark.parametrize("body", READMITTING)
async def test_a_creators_policy_never_readmits_what_the_agency_excluded(
    tmp_path: Path, body: dict[str, Any]
) -> None:
    enforced = write_policy(tmp_path, "agency", "id: agency\nignore: [refuser]\n")
    refuser = ScriptedProvider("refuser")
    env = plan_env([refuser, ScriptedProvider("sleeper")], enforced=enforced)
    planned = await plan_render(request(policy=PolicyRef(body=body)), env, strict=False)

    for d in planned.plan.decisions:
        assert "refuser" not in {c.provider for c in d.chain}
        refused = {e.provider: e.reasons for e in d.exclusions}
        assert "policy.ignore" in refused["refuser"]
    assert planned.enforced_policy is not None and planned.enforced_policy.id == "agency"
    assert planned.chosen_policy.id == "mine" and "refuser" in planned.policy.ignore
    # What a manifest records re-parses, without the files, to the same policy.
    recorded = parse_policy(planned.policy.canonical_json(), "policy.body", env.catalog)
    assert recorded.sha256 == planned.policy.sha256
    with pytest.raises(PinForbidden, match=r"policy\.ignore"):
        await plan_render(
            request(policy=PolicyRef(body=body), edits={0: SceneEdit(pin="refuser/m1")}), env
        )
    assert refuser.calls == []


def test_combining_takes_the_stricter_of_every_hard_rule() -> None:
    catalog = load_effective_catalog(Settings())
    agency = parse_policy(
        "id: agency\nonly: [refuser, sleeper, local]\nmax_price: 0.5\n"
        "sourcing: {official_api: true, jurisdictions: {allow: [US, EU]}}\n"
        "allegations: {exclude_topics: [a], min_status: confirmed}\n"
        "budget: {per_video_usd: 10}\ndisclosure: {visible_label: true}\n",
        "agency.yaml",
        catalog,
    )
    mine = parse_policy(
        "id: mine\nonly: [sleeper, local]\nmax_price: 2\nsort: price\n"
        "sourcing: {official_api: false, jurisdictions: {allow: [US]}}\n"
        "allegations: {exclude_topics: [b], min_status: alleged}\n"
        "budget: {per_video_usd: 20}\ndisclosure: {visible_label: false}\n",
        "mine.yaml",
        catalog,
    )
    both = combine_policies(agency, mine)
    assert both.only == ("sleeper", "local") and both.max_price == 0.5
    assert both.sourcing.official_api is True
    assert both.sourcing.jurisdictions.allow == ("US",)
    assert both.allegations.exclude_topics == ("a", "b")
    assert both.allegations.min_status == "alleged"
    assert both.budget.per_video_usd == 10 and both.disclosure.visible_label is True
    assert both.sort.value == "price"  # a preference: the creator's
    assert combine_policies(None, mine) is mine
    assert parse_policy(both.canonical_json(), "policy.body", catalog).sha256 == both.sha256


async def test_a_combination_that_leaves_nothing_is_refused_naming_both(tmp_path: Path) -> None:
    enforced = write_policy(tmp_path, "agency", "id: agency\nignore: [refuser]\n")
    env = plan_env([ScriptedProvider("refuser")], enforced=enforced)
    only_refuser = PolicyRef(body={"id": "mine", "only": ["refuser"]})
    with pytest.raises(PolicyInvalid, match="mine within the enforced policy agency: only"):
        await plan_render(request(policy=only_refuser), env)
    us = write_policy(tmp_path, "us", "id: us\nsourcing: {jurisdictions: {allow: [US]}}\n")
    cn = PolicyRef(body={"id": "cn", "sourcing": {"jurisdictions": {"allow": ["CN"]}}})
    with pytest.raises(PolicyInvalid, match="no jurisdiction in common"):
        await plan_render(request(policy=cn), plan_env([], enforced=us))


@pytest.mark.slow
async def test_execution_reports_attempts_as_they_happen_and_records_both_policies(
    tmp_path: Path,
) -> None:
    enforced = write_policy(tmp_path, "agency", "id: agency\nignore: [sleeper]\n")
    refuser = ScriptedProvider("refuser", then="reject")
    env = plan_env([refuser, ScriptedProvider("sleeper")], enforced=enforced)
    body = {"id": "mine", "only": ["refuser", "sleeper", "local"], "order": ["refuser"]}
    req = request(policy=PolicyRef(body=body), voice="espeak", music_mood="calm", parent_id="r0")
    planned = await plan_render(req, env)

    events: list[RenderEvent] = []
    manifest_seen: list[bool] = []
    out = tmp_path / "out"

    async def sink(event: RenderEvent) -> None:
        events.append(event)
        manifest_seen.append((out / "manifest.json").exists())

    settings = Settings(voice="piper")
    render_env = build_render_env(settings, sink, catalog=env.catalog, registry=env.registry)
    result = await execute_plan(planned, render_env, out)
    manifest = json.loads(result.manifest_path.read_text())

    assert manifest["policy"]["id"] == "mine" and "sleeper" in manifest["policy"]["body"]["ignore"]
    assert manifest["policies"]["chosen"]["id"] == "mine"
    assert manifest["policies"]["chosen"]["body"]["ignore"] == []
    assert manifest["policies"]["enforced"]["id"] == "agency"
    assert manifest["parent_id"] == "r0"
    assert manifest["music"]["mood"] == "calm" and manifest["voice"]["engine"] == "espeak-ng"

    scene0 = [e for e in events if e.scene == 0]
    kinds = [(e.type, e.state or e.message) for e in scene0]
    assert kinds == [
        ("scene", SceneState.QUEUED),
        ("scene", SceneState.GENERATING),
        ("attempt", "failed"),
        ("scene", SceneState.FALLBACK),
        ("attempt", "succeeded"),
        ("scene", SceneState.DONE),
    ]
    failed = next(i for i, e in enumerate(events) if e.type == "attempt")
    assert events[failed].attempt is not None
    assert events[failed].attempt["error_class"] == "ContentRejected"
    made = next(e for e in scene0 if e.type == "attempt" and e.message == "succeeded")
    assert made.attempt is not None and made.attempt["provider_job_id"]
    # Delivered while the render was still generating: long before the manifest existed.
    generated = next(
        i for i, e in enumerate(events)
        if e.stage == Stage.GENERATE and e.done == e.total
    )  # fmt: skip
    assert failed < generated and not manifest_seen[failed]
    assert events[-1].stage == Stage.PUBLISH and events[-1].done == 1


@pytest.mark.slow
async def test_a_failed_render_leaves_the_output_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text('{"outputs": []}')
    (out / "mine.txt").write_text("keep me")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    failing = ScriptedProvider("refuser", then="failed")
    policy = write_policy(tmp_path, "p", "id: p\nonly: [refuser]\nretries: {backoff_s: 0}\n")
    env = plan_env([failing])
    planned = await plan_render(request(policy=PolicyRef(id=str(policy))), env)
    render_env = build_render_env(
        Settings(voice="espeak"), catalog=env.catalog, registry=env.registry
    )
    with pytest.raises(RenderFailed, match="could not be generated") as info:
        await execute_plan(planned, render_env, out)
    assert isinstance(info.value, ReelrouteError) and info.value.code == "render_failed"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert list((tmp_path / "data" / "work").iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if ".reelroute-new-" in p.name]


async def test_an_unroutable_plan_is_a_plan_error(tmp_path: Path) -> None:
    policy = write_policy(tmp_path, "p", "id: p\nonly: [refuser]\n")
    with pytest.raises(PlanError, match="no eligible provider") as info:
        await plan_render(request(policy=PolicyRef(id=str(policy))), plan_env([]))
    assert (info.value.code, info.value.http_status) == ("unroutable", 422)


async def test_a_source_writer_makes_url_scripts_and_may_pass_on_the_rest() -> None:
    seen: list[RenderSource] = []

    async def writer(source: RenderSource) -> tuple[Script, tuple[str, ...]] | None:
        seen.append(source)
        if source.kind != "url":
            return None  # ingest the text as given
        return ingest_text("Fetched words about a harbour.", source_name=source.url), ("short",)

    env = dataclasses.replace(plan_env([]), writer=writer)
    url = request(source=RenderSource(kind="url", url="https://example.invalid/a", minutes=2))
    planned = await plan_render(url, env)
    assert "harbour" in " ".join(s.narration for s in planned.script.scenes).lower()
    assert planned.script.source_kind.value == "prompt"  # what the writer's text made
    assert planned.notes == ("short",) and seen[0].minutes == 2
    plain = await plan_render(request(), env)
    assert len(plain.script.scenes) == 2 and plain.notes == ()


def test_a_bad_minutes_value_is_one_clear_line() -> None:
    result = CliRunner().invoke(cli, ["plan", "--prompt", "A harbour", "--minutes", "0"])
    assert result.exit_code == 1
    assert "error: minutes: Input should be greater than 0" in result.output
