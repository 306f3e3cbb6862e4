"""The router: a pure function from (scene, profiles, policy, health) to a `RoutingDecision`.

Contracts
- `chosen` and every `fallbacks` entry are eligible (no exclusion reason); fallbacks follow the
  score order and are empty when the policy sets `allow_fallbacks: false`.
- `exclusions` lists every other provider/model with all of its reasons, so chosen + fallbacks
  + exclusions cover the whole catalog exactly once.
- Deterministic: equal scores are broken by provider id, then model id; `to_dict()` is ordered.
- `plan` routes every scene and compares the estimated cost with the budget before anything
  is spent; scenes with no eligible model are listed in `Plan.unroutable`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from providers.profile import ModelProfile, ProviderProfile
from routing.eligibility import DURATION_SLACK_S, POLICY_NO_FALLBACKS, exclusion_reasons
from routing.health import HealthSnapshot
from routing.policy import Policy
from routing.scene import SceneSpec
from routing.scoring import Score, score


@dataclass(frozen=True, order=True)
class Choice:
    provider: str
    model: str

    @property
    def ref(self) -> str:
        """`provider/model`, the form policies use."""
        return f"{self.provider}/{self.model}"

    def to_dict(self) -> dict[str, str]:
        return {"provider": self.provider, "model": self.model}


@dataclass(frozen=True)
class Exclusion:
    provider: str
    model: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"provider": self.provider, "model": self.model, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class RoutingDecision:
    scene: SceneSpec
    chosen: Choice | None
    fallbacks: tuple[Choice, ...]
    exclusions: tuple[Exclusion, ...]  # sorted by (provider, model)
    scores: dict[str, Score]  # `provider/model` -> score, for every eligible model
    estimated_cost_usd: float | None  # cost of `chosen`; None if unroutable or price unknown

    @property
    def routable(self) -> bool:
        return self.chosen is not None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready, deterministic order: what the manifest records for the scene."""
        return {
            "scene": self.scene.to_dict(),
            "chosen": self.chosen.to_dict() if self.chosen else None,
            "fallbacks": [c.to_dict() for c in self.fallbacks],
            "exclusions": [e.to_dict() for e in self.exclusions],
            "scores": {k: self.scores[k].to_dict() for k in sorted(self.scores)},
            "estimated_cost_usd": self.estimated_cost_usd,
        }


def route(
    scene: SceneSpec,
    catalog_profiles: Iterable[ProviderProfile],
    policy: Policy,
    health: HealthSnapshot,
) -> RoutingDecision:
    """Decide which model makes `scene`, which may stand in for it, and why the rest may not."""
    rules = policy.rules_for(scene.kind)
    eligible: list[tuple[Choice, Score, ModelProfile]] = []
    excluded: list[Exclusion] = []
    for profile, model in _pairs(catalog_profiles):
        reasons = exclusion_reasons(profile, model, scene, policy, health)
        if reasons:
            excluded.append(Exclusion(profile.id, model.id, reasons))
        else:
            choice = Choice(profile.id, model.id)
            eligible.append((choice, score(profile, model, scene, rules), model))
    eligible.sort(key=lambda item: (-item[1].total, item[0]))
    chosen = eligible[0] if eligible else None
    rest = [c for c, _, _ in eligible[1:]]
    if not policy.allow_fallbacks:
        excluded += [Exclusion(c.provider, c.model, (POLICY_NO_FALLBACKS,)) for c in rest]
        rest = []
    return RoutingDecision(
        scene=scene,
        chosen=chosen[0] if chosen else None,
        fallbacks=tuple(rest),
        exclusions=tuple(sorted(excluded, key=lambda e: (e.provider, e.model))),
        scores={c.ref: s for c, s, _ in eligible},
        estimated_cost_usd=chosen[2].cost_usd(scene.duration, DURATION_SLACK_S) if chosen else None,
    )


def _pairs(profiles: Iterable[ProviderProfile]) -> list[tuple[ProviderProfile, ModelProfile]]:
    ordered = sorted(profiles, key=lambda p: p.id)
    ids = [p.id for p in ordered]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate provider ids in catalog: {ids}")
    return [(p, m) for p in ordered for m in p.iter_models()]


@dataclass(frozen=True)
class Plan:
    decisions: tuple[RoutingDecision, ...]
    estimated_cost_usd: float  # sum of the known costs of the chosen models
    budget_usd: float | None
    within_budget: bool  # False only when the known cost exceeds the budget

    @property
    def unroutable(self) -> tuple[int, ...]:
        """Indices of scenes with no eligible model; the app refuses to render these."""
        return tuple(d.scene.index for d in self.decisions if d.chosen is None)

    @property
    def unpriced(self) -> tuple[int, ...]:
        """Indices of routed scenes whose chosen model has an unknown price."""
        return tuple(
            d.scene.index for d in self.decisions if d.chosen and d.estimated_cost_usd is None
        )

    @property
    def ok(self) -> bool:
        """Every scene routed and the known cost within budget."""
        return not self.unroutable and self.within_budget

    def to_dict(self) -> dict[str, object]:
        return {
            "decisions": [d.to_dict() for d in self.decisions],
            "estimated_cost_usd": self.estimated_cost_usd,
            "budget_usd": self.budget_usd,
            "within_budget": self.within_budget,
            "unroutable": list(self.unroutable),
            "unpriced": list(self.unpriced),
        }


def plan(
    scenes: Sequence[SceneSpec],
    profiles: Sequence[ProviderProfile],
    policy: Policy,
    health: HealthSnapshot,
) -> Plan:
    """Route every scene and check the per-video budget before any money is spent."""
    decisions = tuple(route(scene, profiles, policy, health) for scene in scenes)
    total = round(sum(d.estimated_cost_usd or 0.0 for d in decisions), 6)
    budget = policy.budget.per_video_usd
    return Plan(
        decisions=decisions,
        estimated_cost_usd=total,
        budget_usd=budget,
        within_budget=budget is None or total <= budget,
    )
