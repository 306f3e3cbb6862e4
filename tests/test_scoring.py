"""Soft preferences: each score part, the sort weights, and the order bonus."""

from __future__ import annotations

from typing import Any

import pytest

from providers.types import SceneKind
from routing.scoring import (
    ORDER_STEP,
    REFERENCE_PENALTY,
    UNFIT_PENALTY,
    UNKNOWN_NEUTRAL,
    WEIGHTS,
    score,
)
from tests.test_eligibility import evidence, make_policy, make_profile, model_override, scene

PARTS = {"fitness", "unfit", "price", "latency", "order", "reference_image"}


def test_parts_are_named_and_sum_to_total() -> None:
    profile = make_profile()
    result = score(
        profile, profile.models["m1"], scene(), make_policy().rules_for(SceneKind.PEOPLE)
    )
    assert set(result.parts) == PARTS
    assert result.total == pytest.approx(sum(result.parts.values()))


@pytest.mark.parametrize(
    ("part", "overrides", "expected_raw"),
    [
        ("fitness", {"fitness": {"scores": {"people": 0.8}}}, 0.8),
        ("price", model_override(price_per_second_usd=evidence(0.1)), 0.5),
        ("price", model_override(price_per_second_usd=evidence(0)), 1.0),
        ("price", model_override(price_per_second_usd=evidence("unknown")), UNKNOWN_NEUTRAL),
        ("latency", model_override(typical_latency_s=60), 0.5),
        ("latency", model_override(typical_latency_s="unknown"), UNKNOWN_NEUTRAL),
    ],
)
def test_part_values_before_weighting(
    part: str, overrides: dict[str, Any], expected_raw: float
) -> None:
    profile = make_profile(**overrides)
    rules = make_policy().rules_for(SceneKind.PEOPLE)
    weights = dict(zip(("fitness", "price", "latency"), WEIGHTS[rules.sort], strict=True))
    result = score(profile, profile.models["m1"], scene(), rules)
    assert result.parts[part] == pytest.approx(weights[part] * expected_raw, abs=1e-6)


def test_model_fitness_adjust_is_added_and_clamped() -> None:
    profile = make_profile(
        fitness={"scores": {"people": 0.9}}, **model_override(fitness_adjust=0.3)
    )
    assert profile.models["m1"].fitness(profile, SceneKind.PEOPLE) == 1.0


def test_sort_changes_the_weights() -> None:
    cheap = make_profile("cheap", **model_override(price_per_second_usd=evidence(0.01)))
    good = make_profile(
        "good",
        fitness={"scores": {"people": 0.95}},
        **model_override(price_per_second_usd=evidence(0.5)),
    )
    for sort, winner in (("quality", "good"), ("price", "cheap")):
        rules = make_policy(sort=sort).rules_for(SceneKind.PEOPLE)
        totals = {p.id: score(p, p.models["m1"], scene(), rules).total for p in (cheap, good)}
        assert max(totals, key=lambda k: totals[k]) == winner, sort


def test_unfit_penalty_keeps_cheap_unsuitable_models_down() -> None:
    unfit = make_profile(fitness={"scores": {"people": 0.05}})
    rules = make_policy(sort="price").rules_for(SceneKind.PEOPLE)
    assert score(unfit, unfit.models["m1"], scene(), rules).parts["unfit"] == UNFIT_PENALTY
    fit = make_profile(fitness={"scores": {"people": 0.3}})
    assert score(fit, fit.models["m1"], scene(), rules).parts["unfit"] == 0.0


def test_order_bonus_follows_position() -> None:
    rules = make_policy(order=["b", "a"]).rules_for(SceneKind.PEOPLE)
    bonus = {
        pid: score(make_profile(pid), make_profile(pid).models["m1"], scene(), rules).parts["order"]
        for pid in ("a", "b", "c")
    }
    assert bonus == {"b": 2 * ORDER_STEP, "a": ORDER_STEP, "c": 0.0}


def test_order_dominates_every_other_part() -> None:
    best = make_profile(
        "best",
        fitness={"scores": {"people": 1.0}},
        **model_override(price_per_second_usd=evidence(0)),
    )
    worst = make_profile(
        "worst",
        fitness={"scores": {"people": 0.0}},
        **model_override(text_to_video=True, image_to_video=False, typical_latency_s=10_000),
    )
    for sort in ("quality", "price", "latency"):
        rules = make_policy(order=["worst"], sort=sort).rules_for(SceneKind.PEOPLE)
        s_best = score(best, best.models["m1"], scene(ref=True), rules).total
        s_worst = score(worst, worst.models["m1"], scene(ref=True), rules).total
        assert s_worst > s_best, sort


def test_reference_image_penalty_only_for_text_only_models() -> None:
    rules = make_policy().rules_for(SceneKind.PEOPLE)
    t2v = make_profile(**model_override(image_to_video=False))
    both = make_profile()
    assert score(t2v, t2v.models["m1"], scene(ref=True), rules).parts["reference_image"] == (
        REFERENCE_PENALTY
    )
    assert score(t2v, t2v.models["m1"], scene(ref=False), rules).parts["reference_image"] == 0.0
    assert score(both, both.models["m1"], scene(ref=True), rules).parts["reference_image"] == 0.0


def test_scene_kind_override_replaces_sort_and_order() -> None:
    policy = make_policy(sort="quality", order=["a"], scene_kinds={"data": {"sort": "price"}})
    data = policy.rules_for(SceneKind.DATA)
    assert data.sort.value == "price" and data.order == ("a",)
    policy = make_policy(order=["a"], scene_kinds={"data": {"order": ["b"]}})
    assert policy.rules_for(SceneKind.DATA).order == ("b",)
    assert policy.rules_for(SceneKind.TEXT).order == ("a",)


def test_score_is_deterministic() -> None:
    profile = make_profile()
    rules = make_policy().rules_for(SceneKind.PEOPLE)
    assert score(profile, profile.models["m1"], scene(), rules) == score(
        profile, profile.models["m1"], scene(), rules
    )
