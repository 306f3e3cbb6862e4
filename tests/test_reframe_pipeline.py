"""Per scene and aspect: the built-in renderer makes a clip per aspect, a vendor clip is
reframed, or (`reframe: generate`, within budget) the vendor is asked for each aspect. The
manifest records which, and `verify` re-hashes every clip made for an aspect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.context import load_effective_catalog
from app.ingest import ingest_text
from app.provenance.credentials import load_trust_anchors
from app.provenance.verify import VerifyInputs, verify_path
from providers.local import LocalProvider
from providers.registry import Registry
from providers.types import Aspect, SceneKind
from routing.policy import PolicyError, ReframeMode, parse_policy
from routing.reframe import aspect_extras, extra_cost, extras_within_budget
from routing.router import plan
from routing.scene import SceneSpec
from tests import rendering
from tests.fakes import FakeTime, ScriptedProvider, fake_catalog_data
from tests.rendering import make_env

SCRIPT = """# A harbour

Do the simple things well, every single day.

A quiet harbour at dawn, boats resting on still water.
"""
ASPECTS = (Aspect.LANDSCAPE, Aspect.PORTRAIT, Aspect.SQUARE)


@pytest.fixture
def catalog_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "my-catalog.json"
    path.write_text(json.dumps(fake_catalog_data(["vend"], price=0.01)), encoding="utf-8")
    monkeypatch.setenv("REELROUTE_CATALOG_PATH", str(path))
    return path


def policy_text(extra: str = "") -> str:
    return (
        "id: mixed\nonly: [vend, local]\n"
        "scene_kinds:\n  text: {only: [local]}\n  landscape: {only: [vend]" + extra + "}\n"
    )


async def render(vendor: ScriptedProvider, policy: str, budget: str = "") -> dict[str, Any]:
    settings = Settings(voice="espeak")
    catalog = load_effective_catalog(settings)
    time = FakeTime()
    env = make_env(
        settings, Registry([LocalProvider(), vendor]),
        clock=time.clock, sleep=time.sleep, monotonic=time.monotonic,
    )  # fmt: skip
    script = ingest_text(SCRIPT, title="Harbour")
    result = await rendering.render(
        script, env, Path("out"), parse_policy(policy + budget, "mixed.yaml", catalog), ASPECTS
    )
    manifest = json.loads(result.manifest_path.read_text())
    inputs = VerifyInputs(load_trust_anchors(settings), settings.clip_cache_dir, catalog)
    checks = {c.name: c for c in verify_path(result.out_dir, inputs)}
    manifest["_checks"] = checks
    return manifest


def scene_of(manifest: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(s for s in manifest["scenes"] if s["kind"] == kind)


@pytest.mark.slow
@pytest.mark.usefixtures("catalog_file")
async def test_local_scenes_are_native_and_vendor_clips_are_reframed() -> None:
    vendor = ScriptedProvider("vend", real_video=True)
    manifest = await render(vendor, policy_text())
    text, harbour = scene_of(manifest, "text"), scene_of(manifest, "landscape")
    assert {a: e["method"] for a, e in text["reframing"].items()} == {
        "16:9": "native", "9:16": "native", "1:1": "native"
    }  # fmt: skip
    # the built-in scene's other aspects are drawn in the compositor's graph from a recipe
    assert text["reframing"]["9:16"]["provider"] == "local"
    assert text["reframing"]["9:16"]["recipe"]["aspect"] == "9:16"
    assert text["reframing"]["9:16"]["recipe_sha256"].startswith("sha256:")
    assert len(vendor.calls) == 1  # the vendor was asked once: its clip is reframed
    assert harbour["reframing"]["16:9"] == {"method": "native"}
    for aspect in ("9:16", "1:1"):
        assert harbour["reframing"][aspect]["method"] in {"tracked_crop", "centre_crop"}
    checks = manifest["_checks"]
    for aspect in ("9:16", "1:1"):
        name = f"scene[{text['index'] + 1}].reframing[{aspect}].recipe_sha256"
        assert checks[name].verdict == "pass", checks[name]


@pytest.mark.slow
@pytest.mark.usefixtures("catalog_file")
async def test_reframe_generate_asks_the_vendor_per_aspect_within_budget() -> None:
    vendor = ScriptedProvider("vend", real_video=True)
    manifest = await render(vendor, policy_text(", reframe: generate"))
    harbour = scene_of(manifest, "landscape")
    assert len(vendor.calls) == 3
    assert {e["method"] for e in harbour["reframing"].values()} == {"native"}
    assert harbour["reframing"]["1:1"]["provider"] == "vend"
    assert manifest["render"]["actual_cost_usd"] == pytest.approx(0.15)  # 3 vendor clips


@pytest.mark.slow
@pytest.mark.usefixtures("catalog_file")
async def test_reframe_generate_over_budget_reframes_instead() -> None:
    vendor = ScriptedProvider("vend", real_video=True)
    # one clip of ~4 s at $0.01/s fits a $0.08 budget; three don't
    manifest = await render(
        vendor, policy_text(", reframe: generate"), "budget: {per_video_usd: 0.08}\n"
    )
    assert len(vendor.calls) == 1
    methods = {e["method"] for e in scene_of(manifest, "landscape")["reframing"].values()}
    assert methods <= {"native", "tracked_crop", "centre_crop"} and len(methods) > 1


def test_the_extra_cost_of_a_clip_per_aspect_is_estimated_before_spending() -> None:
    catalog = load_effective_catalog(Settings())
    text = "id: gen\nreframe: generate\nscene_kinds:\n  data: {reframe: crop}\n"
    policy = parse_policy(text, "gen.yaml", catalog)
    assert policy.reframe_for(SceneKind.LANDSCAPE) is ReframeMode.GENERATE
    assert policy.reframe_for(SceneKind.DATA) is ReframeMode.CROP
    scenes = [
        SceneSpec(0, SceneKind.LANDSCAPE, 5.0, Aspect.LANDSCAPE),
        SceneSpec(1, SceneKind.DATA, 5.0, Aspect.LANDSCAPE),
    ]
    health = {p.id: _configured() for p in catalog.profiles}
    routed = plan(scenes, catalog.profiles, policy, health)
    extras = aspect_extras(routed, policy, catalog.profiles, ASPECTS)
    assert [e.scene for e in extras] == ([0] if routed.decisions[0].chosen else [])
    for extra in extras:
        decision = routed.decisions[extra.scene]
        assert Aspect.LANDSCAPE not in extra.aspects
        if decision.estimated_cost_usd is not None:
            assert extra.cost_usd == pytest.approx(decision.estimated_cost_usd * len(extra.aspects))
    assert extra_cost(extras) == pytest.approx(sum(e.cost_usd or 0 for e in extras))
    assert extras_within_budget(routed, extras)


def test_a_bad_reframe_mode_is_named() -> None:
    catalog = load_effective_catalog(Settings())
    with pytest.raises(PolicyError, match="reframe"):
        parse_policy("id: bad\nscene_kinds:\n  text: {reframe: stretch}\n", "bad.yaml", catalog)


def _configured() -> Any:
    from routing.health import ProviderHealth

    return ProviderHealth(configured=True)
