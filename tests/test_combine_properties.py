"""The enforced policy binds: over random pairs of policies, health and scenes, nothing is
eligible under the combination that the enforced policy alone would exclude (hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import assume, given, settings

from app.errors import PolicyInvalid
from app.policies import combine_policies
from routing.eligibility import exclusion_reasons
from routing.health import HealthSnapshot
from routing.policy import Policy
from routing.scene import SceneSpec
from tests.test_router_properties import CATALOG, healths, policies, scenes

TODAY = dt.date(2026, 12, 4)


def eligible(policy: Policy, health: HealthSnapshot, scene: SceneSpec) -> set[str]:
    return {
        f"{p.id}/{m.id}"
        for p in CATALOG.profiles
        for m in p.iter_models()
        if not exclusion_reasons(p, m, scene, policy, health, TODAY)
    }


@settings(max_examples=300, deadline=None)
@given(policies, policies, healths, scenes)
def test_the_combination_never_widens_the_enforced_policy(
    enforced_body: dict[str, Any],
    chosen_body: dict[str, Any],
    health: HealthSnapshot,
    scene: SceneSpec,
) -> None:
    enforced = Policy.model_validate({**enforced_body, "id": "agency"})
    chosen = Policy.model_validate({**chosen_body, "id": "mine"})
    try:
        combined = combine_policies(enforced, chosen)
    except PolicyInvalid:
        assume(False)  # refused outright: nothing is routed at all
        return
    assert eligible(combined, health, scene) <= eligible(enforced, health, scene)
    for kind_rules in (combined.rules_for(scene.kind),):
        enforced_rules = enforced.rules_for(scene.kind)
        assert kind_rules.ignore >= enforced_rules.ignore
