"""Policy and router: pure decisions over provider profiles. Depends on `providers` only."""

from routing.eligibility import exclusion_reasons
from routing.explain import PolicyExplanation, explain_policy
from routing.health import HealthSnapshot, ProviderHealth, snapshot
from routing.policy import FailureRules, Policy, PolicyError, parse_policy
from routing.router import Choice, Exclusion, Plan, RoutingDecision, plan, route
from routing.scene import SceneSpec
from routing.scoring import Score, score

__all__ = [
    "Choice",
    "Exclusion",
    "FailureRules",
    "HealthSnapshot",
    "Plan",
    "Policy",
    "PolicyError",
    "PolicyExplanation",
    "ProviderHealth",
    "RoutingDecision",
    "SceneSpec",
    "Score",
    "exclusion_reasons",
    "explain_policy",
    "parse_policy",
    "plan",
    "route",
    "score",
    "snapshot",
]
