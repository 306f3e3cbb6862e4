"""Properties of the router over random policies, health snapshots and scenes (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from providers.documents import deep_merge
from providers.profile import load_catalog
from providers.types import Aspect, SceneKind
from routing.eligibility import exclusion_reasons
from routing.health import HealthSnapshot, ProviderHealth
from routing.policy import Policy
from routing.router import RoutingDecision, route
from routing.scene import SceneSpec

CATALOG = load_catalog()
IDS = list(CATALOG.ids)
REFS = [f"{p.id}/{m.id}" for p in CATALOG.profiles for m in p.iter_models()]
TOPICS = ["unauthorized-distillation", "unlicensed-training-data", "other-topic"]

ids = st.lists(st.sampled_from(IDS), unique=True, max_size=4)
prices = st.none() | st.floats(min_value=0, max_value=1, allow_nan=False)

sourcing = st.fixed_dictionaries(
    {},
    optional={
        "official_api": st.booleans(),
        "min_training_data_disclosure": st.sampled_from(["none", "partial", "full"]),
        "require_content_credentials": st.booleans()
        | st.lists(st.sampled_from(["c2pa", "synthid", "visible-watermark"]), unique=True),
        "open_weights": st.none() | st.booleans(),
        "jurisdictions": st.fixed_dictionaries(
            {},
            optional={
                "allow": st.lists(st.sampled_from(["US", "CN", "EU", "DE"]), unique=True),
                "deny": st.lists(st.sampled_from(["US", "CN", "FR"]), unique=True),
            },
        ),
    },
)

policies = st.fixed_dictionaries(
    {"id": st.just("random")},
    optional={
        "only": st.none() | ids,
        "ignore": ids,
        "order": ids,
        "allow_fallbacks": st.booleans(),
        "sort": st.sampled_from(["quality", "price", "latency"]),
        "max_price": prices,
        "models": st.fixed_dictionaries(
            {},
            optional={
                "only": st.none() | st.lists(st.sampled_from(REFS), unique=True, max_size=6),
                "ignore": st.lists(st.sampled_from(REFS), unique=True, max_size=6),
            },
        ),
        "budget": st.fixed_dictionaries({"per_video_usd": prices}),
        "sourcing": sourcing,
        "allegations": st.fixed_dictionaries(
            {
                "exclude_topics": st.lists(st.sampled_from(TOPICS), unique=True),
                "min_status": st.sampled_from(["alleged", "disputed", "confirmed"]),
            }
        ),
        "unknown_facts": st.sampled_from(["allow", "exclude"]),
        "scene_kinds": st.dictionaries(
            st.sampled_from([k.value for k in SceneKind]),
            st.fixed_dictionaries(
                {}, optional={"only": st.none() | ids, "ignore": ids, "max_price": prices}
            ),
            max_size=3,
        ),
    },
)

# Mostly healthy, so that many models are eligible and the properties have something to bite.
healths = st.fixed_dictionaries(
    {
        pid: st.builds(
            ProviderHealth,
            configured=st.sampled_from([True, True, True, False]),
            circuit_open=st.sampled_from([False, False, False, True]),
        )
        for pid in IDS
    }
)

scenes = st.builds(
    SceneSpec,
    index=st.just(0),
    kind=st.sampled_from(list(SceneKind)),
    duration=st.floats(min_value=0.5, max_value=20, allow_nan=False),
    aspect=st.sampled_from(list(Aspect)),
    has_reference_image=st.booleans(),
)


def _ignore(p: dict[str, Any], pid: str) -> dict[str, Any]:
    return {**p, "ignore": [*p.get("ignore", []), pid]}


def _narrow_only(p: dict[str, Any], pid: str) -> dict[str, Any]:
    current = IDS if p.get("only") is None else p["only"]
    return {**p, "only": [i for i in current if i != pid]}


def _ignore_in_every_kind(p: dict[str, Any], pid: str) -> dict[str, Any]:
    kinds = dict(p.get("scene_kinds", {}))
    for kind in SceneKind:
        override = dict(kinds.get(kind.value, {}))
        override["ignore"] = [*override.get("ignore", []), pid]
        kinds[kind.value] = override
    return {**p, "scene_kinds": kinds}


def _cap(p: dict[str, Any], field: str, cap: float) -> dict[str, Any]:
    current = p.get(field)
    return {**p, field: cap if current is None else min(current, cap)}


def _budget(p: dict[str, Any], _: str) -> dict[str, Any]:
    budget = (p.get("budget") or {}).get("per_video_usd")
    return {**p, "budget": {"per_video_usd": 0.5 if budget is None else min(budget, 0.5)}}


def _sourcing(**rule: Any) -> Any:
    return lambda p, _: deep_merge(p, {"sourcing": rule})


def _sourcing_if_unset(field: str, value: Any, unset: tuple[Any, ...]) -> Any:
    # Only a rule that was off can be switched on; changing a set rule is not "stricter".
    def tighten(p: dict[str, Any], _: str) -> dict[str, Any]:
        if any((p.get("sourcing") or {}).get(field, None) is u for u in unset):
            merged: dict[str, Any] = deep_merge(p, {"sourcing": {field: value}})
            return merged
        return p

    return tighten


def _deny(p: dict[str, Any], _: str) -> dict[str, Any]:
    rules = (p.get("sourcing") or {}).get("jurisdictions") or {}
    denied = [*rules.get("deny", []), "CN"]
    merged: dict[str, Any] = deep_merge(p, {"sourcing": {"jurisdictions": {"deny": denied}}})
    return merged


# Each tightening takes a valid policy dict and a provider id and returns a stricter policy.
TIGHTENINGS: dict[str, Any] = {
    "ignore": _ignore,
    "narrow-only": _narrow_only,
    "ignore-in-every-kind": _ignore_in_every_kind,
    "budget": _budget,
    "max-price": lambda p, _: _cap(p, "max_price", 0.05),
    "official-api": _sourcing(official_api=True),
    "full-disclosure": _sourcing(min_training_data_disclosure="full"),
    "credentials": _sourcing_if_unset("require_content_credentials", True, (None, False)),
    "open-weights": _sourcing_if_unset("open_weights", True, (None,)),
    "deny-cn": _deny,
    "unknown-exclude": lambda p, _: {**p, "unknown_facts": "exclude"},
    "allegations": lambda p, _: {
        **p,
        "allegations": {"exclude_topics": TOPICS, "min_status": "alleged"},
    },
}


def eligible_refs(decision: RoutingDecision) -> set[str]:
    return {
        c.ref for c in ([decision.chosen] if decision.chosen else []) + list(decision.fallbacks)
    }


def reasons_of(
    spec: SceneSpec, policy: Policy, health: HealthSnapshot
) -> dict[str, tuple[str, ...]]:
    return {
        f"{p.id}/{m.id}": exclusion_reasons(p, m, spec, policy, health)
        for p in CATALOG.profiles
        for m in p.iter_models()
    }


@settings(max_examples=150, deadline=None)
@given(policy_data=policies, health=healths, spec=scenes)
def test_chosen_and_fallbacks_are_always_eligible(
    policy_data: dict[str, Any], health: HealthSnapshot, spec: SceneSpec
) -> None:
    policy = Policy.model_validate(policy_data)
    decision = route(spec, CATALOG.profiles, policy, health)
    reasons = reasons_of(spec, policy, health)
    assert all(reasons[ref] == () for ref in eligible_refs(decision))
    assert all(e.reasons for e in decision.exclusions)
    listed = sorted(
        eligible_refs(decision) | {f"{e.provider}/{e.model}" for e in decision.exclusions}
    )
    assert listed == sorted(REFS)
    assert len(decision.exclusions) + len(eligible_refs(decision)) == len(REFS)
    if decision.chosen is None:
        assert not any(r == () for r in reasons.values())
    if not policy.allow_fallbacks:
        assert decision.fallbacks == ()
    assert route(spec, CATALOG.profiles, policy, health) == decision


@pytest.mark.parametrize("tighten", TIGHTENINGS.values(), ids=TIGHTENINGS.keys())
@settings(max_examples=80, deadline=None)
@given(policy_data=policies, health=healths, spec=scenes, pid=st.sampled_from(IDS))
def test_a_stricter_rule_never_makes_an_excluded_model_eligible(
    tighten: Any,
    policy_data: dict[str, Any],
    health: HealthSnapshot,
    spec: SceneSpec,
    pid: str,
) -> None:
    loose = Policy.model_validate(policy_data)
    strict = Policy.model_validate(tighten(policy_data, pid))
    before = {ref for ref, r in reasons_of(spec, loose, health).items() if r == ()}
    after = {ref for ref, r in reasons_of(spec, strict, health).items() if r == ()}
    assert after <= before


@settings(max_examples=60, deadline=None)
@given(policy_data=policies, spec=scenes, pid=st.sampled_from(IDS))
def test_losing_health_never_makes_a_model_eligible(
    policy_data: dict[str, Any], spec: SceneSpec, pid: str
) -> None:
    policy = Policy.model_validate(policy_data)
    healthy = {i: ProviderHealth(configured=True) for i in IDS}
    tripped = {**healthy, pid: ProviderHealth(configured=True, circuit_open=True)}
    before = {r for r, why in reasons_of(spec, policy, healthy).items() if why == ()}
    after = {r for r, why in reasons_of(spec, policy, tripped).items() if why == ()}
    assert after <= before and not any(r.startswith(f"{pid}/") for r in after)
