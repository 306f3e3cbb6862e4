"""route() and plan(): choice, fallbacks, exclusions, determinism, budget, offline routing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.policies import load_policy
from providers.profile import Catalog, load_catalog
from providers.types import Aspect, SceneKind
from routing.eligibility import exclusion_reasons
from routing.health import snapshot
from routing.router import Choice, RoutingDecision, plan, route
from routing.scene import SceneSpec
from tests.test_eligibility import (
    evidence,
    make_policy,
    make_profile,
    model_override,
    provider_data,
    scene,
)

EXAMPLES = Path(__file__).parent.parent / "examples" / "policies"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def all_refs(catalog: Catalog) -> list[str]:
    return [f"{p.id}/{m.id}" for p in catalog.profiles for m in p.iter_models()]


def covered(decision: RoutingDecision) -> list[str]:
    chosen = [decision.chosen.ref] if decision.chosen else []
    return (
        chosen
        + [c.ref for c in decision.fallbacks]
        + [f"{e.provider}/{e.model}" for e in decision.exclusions]
    )


def every_scene(duration: float = 6.0, aspect: Aspect = Aspect.LANDSCAPE) -> list[SceneSpec]:
    return [SceneSpec(i, kind, duration, aspect) for i, kind in enumerate(SceneKind)]


@pytest.mark.parametrize("aspect", list(Aspect))
def test_only_local_configured_routes_everything_to_local(catalog: Catalog, aspect: Aspect) -> None:
    result = plan(every_scene(aspect=aspect), catalog.profiles, make_policy(), snapshot(["local"]))
    assert result.ok and result.estimated_cost_usd == 0.0
    for decision in result.decisions:
        assert decision.chosen == Choice("local", "local-motion-1")
        assert decision.fallbacks == ()
        others = {f"{e.provider}/{e.model}" for e in decision.exclusions}
        assert others == set(all_refs(catalog)) - {"local/local-motion-1"}
        assert all("not_configured" in e.reasons for e in decision.exclusions)


def test_exclusions_list_every_reason_not_just_the_first(catalog: Catalog) -> None:
    decision = route(scene(aspect=Aspect.FOUR_FIVE), catalog.profiles, make_policy(), {})
    reasons = {f"{e.provider}/{e.model}": e.reasons for e in decision.exclusions}
    assert decision.chosen is None
    assert reasons["sora/sora-2"] == ("not_configured", "lifecycle.retired", "capability.aspect")
    assert reasons["local/local-motion-1"] == ("not_configured",)


def test_decision_covers_every_model_exactly_once(catalog: Catalog) -> None:
    for spec in every_scene():
        decision = route(spec, catalog.profiles, make_policy(), snapshot(catalog.ids))
        assert sorted(covered(decision)) == sorted(all_refs(catalog))


def test_chosen_and_fallbacks_are_eligible_and_ordered(catalog: Catalog) -> None:
    policy = make_policy()
    health = snapshot(catalog.ids)
    decision = route(scene(kind=SceneKind.ACTION), catalog.profiles, policy, health)
    assert decision.chosen is not None
    chain = [decision.chosen, *decision.fallbacks]
    for choice in chain:
        profile = catalog.get(choice.provider)
        model = profile.models[choice.model]
        assert exclusion_reasons(profile, model, scene(kind=SceneKind.ACTION), policy, health) == ()
    totals = [decision.scores[c.ref].total for c in chain]
    assert totals == sorted(totals, reverse=True)
    assert set(decision.scores) == {c.ref for c in chain}


def test_no_fallbacks_when_disallowed(catalog: Catalog) -> None:
    decision = route(
        scene(), catalog.profiles, make_policy(allow_fallbacks=False), snapshot(catalog.ids)
    )
    assert decision.chosen is not None and decision.fallbacks == ()
    held_back = [e for e in decision.exclusions if e.reasons == ("policy.allow_fallbacks",)]
    assert held_back and sorted(covered(decision)) == sorted(all_refs(catalog))


def test_ties_break_by_provider_then_model() -> None:
    body = provider_data()["models"]["m1"]
    profiles = [
        make_profile("zeta"),
        make_profile("beta", models={"m0": body}),
        make_profile("alpha"),
    ]
    health = snapshot(["zeta", "alpha", "beta"])
    decision = route(scene(), profiles, make_policy(), health)
    chain = [decision.chosen, *decision.fallbacks]
    assert [c.ref for c in chain if c] == ["alpha/m1", "beta/m0", "beta/m1", "zeta/m1"]


def test_routing_is_deterministic(catalog: Catalog) -> None:
    policy = load_policy(EXAMPLES / "premium-quality.yaml", catalog)
    health = snapshot(catalog.ids, ["kling"])
    first = plan(every_scene(7.3), catalog.profiles, policy, health)
    second = plan(every_scene(7.3), tuple(reversed(catalog.profiles)), policy, health)
    assert json.dumps(first.to_dict()) == json.dumps(second.to_dict())


def test_order_is_honoured(catalog: Catalog) -> None:
    policy = make_policy(order=["pika", "luma"])
    decision = route(scene(kind=SceneKind.PEOPLE), catalog.profiles, policy, snapshot(catalog.ids))
    assert decision.chosen is not None and decision.chosen.provider == "pika"
    assert decision.fallbacks[0].provider == "luma"


def test_duplicate_provider_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate provider ids"):
        route(scene(), [make_profile(), make_profile()], make_policy(), snapshot(["acme"]))


def test_to_dict_is_json_ready(catalog: Catalog) -> None:
    decision = route(scene(), catalog.profiles, make_policy(), snapshot(["local", "veo"]))
    data = json.loads(json.dumps(decision.to_dict()))
    assert data["scene"] == {
        "index": 0,
        "kind": "people",
        "duration": 5.0,
        "aspect": "16:9",
        "has_reference_image": False,
    }
    assert data["chosen"]["provider"] == "veo"
    assert list(data["scores"]) == sorted(data["scores"])
    excluded = [(e["provider"], e["model"]) for e in data["exclusions"]]
    assert excluded == sorted(excluded)


def test_plan_reports_unroutable_scenes(catalog: Catalog) -> None:
    policy = load_policy(EXAMPLES / "disclosed-and-credentialed.yaml", catalog)
    result = plan(every_scene(), catalog.profiles, policy, snapshot(catalog.ids))
    assert result.unroutable == tuple(range(len(SceneKind)))
    assert not result.ok
    assert all(d.estimated_cost_usd is None for d in result.decisions)


def test_plan_checks_the_budget() -> None:
    acme = make_profile()  # $0.10/s, 5 or 10 s clips
    scenes = [scene(duration=10, index=i) for i in range(3)]
    within = plan(scenes, [acme], make_policy(budget={"per_video_usd": 3.0}), snapshot(["acme"]))
    assert within.estimated_cost_usd == pytest.approx(3.0) and within.within_budget
    over = plan(scenes, [acme], make_policy(budget={"per_video_usd": 2.5}), snapshot(["acme"]))
    assert over.estimated_cost_usd == pytest.approx(3.0)
    assert not over.within_budget and not over.ok and over.unroutable == ()


def test_plan_lists_unpriced_scenes() -> None:
    acme = make_profile(**model_override(price_per_second_usd=evidence("unknown")))
    result = plan([scene()], [acme], make_policy(), snapshot(["acme"]))
    assert result.unpriced == (0,) and result.estimated_cost_usd == 0.0


def test_estimated_cost_uses_billed_duration(catalog: Catalog) -> None:
    policy = make_policy(models={"only": ["pika/pika-v2.2"]})
    decision = route(scene(duration=7.3), catalog.profiles, policy, snapshot(catalog.ids))
    assert decision.estimated_cost_usd == pytest.approx(0.04 * 10)


def test_examples_route_as_their_comments_say(catalog: Catalog) -> None:
    health = snapshot(catalog.ids)
    scenes = every_scene()

    def chosen(name: str) -> set[str]:
        result = plan(scenes, catalog.profiles, load_policy(EXAMPLES / name, catalog), health)
        return {d.chosen.provider for d in result.decisions if d.chosen}

    assert chosen("offline-only.yaml") == {"local"}
    assert "hailuo" not in chosen("no-distillation-allegations.yaml")
    assert not chosen("us-eu-only.yaml") & {"kling", "hailuo", "seedance", "pika"}
    decision = route(
        scene(),
        catalog.profiles,
        load_policy(EXAMPLES / "no-distillation-allegations.yaml", catalog),
        health,
    )
    hailuo = [e for e in decision.exclusions if e.provider == "hailuo"]
    assert hailuo and all(
        e.reasons == ("allegation.unauthorized-distillation:alleged",) for e in hailuo
    )
