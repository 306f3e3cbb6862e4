"""The router: a pure function from (scene, profiles, policy, health) to a `RoutingDecision`.

Contracts
- `chosen` and every `fallbacks` entry are eligible (no exclusion reason); fallbacks follow the
  score order and are empty when the policy sets `allow_fallbacks: false`.
- `exclusions` lists every other provider/model with all of its reasons, so chosen + fallbacks
  + exclusions cover the whole catalog exactly once.
- Deterministic: equal scores are broken by provider id, then model id; `to_dict()` is ordered.
- `plan` routes every scene and compares the estimated cost with the budgets before anything
  is spent (per video; per tenant given what the tenant has already `spent_usd`); scenes with
  no eligible model are listed in `Plan.unroutable`.
- Every input is a parameter, the date included (`today`, for `max_evidence_age_days`).
- A decision carries the policy's `FailureRules` (retries, backoff, rate-limit wait budget,
  circuit breaker) so the pipeline walks the chain as the policy says; it is not part of
  `to_dict()` because the policy body in the manifest already records it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from providers.profile import ModelProfile, ProviderProfile
from routing.eligibility import DURATION_SLACK_S, POLICY_NO_FALLBACKS, exclusion_reasons
from routing.health import HealthSnapshot
from routing.policy import FailureRules, Policy
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
    failure: FailureRules = field(default_factory=FailureRules)  # how to walk the chain

    @property
    def chain(self) -> tuple[Choice, ...]:
        """Chosen, then the fallbacks: the only models the pipeline may call for this scene."""
        return (self.chosen, *self.fallbacks) if self.chosen is not None else ()

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
    today: dt.date | None = None,
) -> RoutingDecision:
    """Decide which model makes `scene`, which may stand in for it, and why the rest may not.

    `today` ages the evidence when the policy sets `sourcing.max_evidence_age_days`."""
    if today is None and policy.sourcing.max_evidence_age_days is not None:
        raise ValueError("sourcing.max_evidence_age_days needs the routing date (`today`)")
    rules = policy.rules_for(scene.kind)
    eligible: list[tuple[Choice, Score, ModelProfile]] = []
    excluded: list[Exclusion] = []
    for profile, model in _pairs(catalog_profiles):
        reasons = exclusion_reasons(profile, model, scene, policy, health, today)
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
        failure=policy.failure_rules(),
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
    within_budget: bool  # False when the known cost exceeds either budget
    tenant_budget_usd: float | None = None
    spent_usd: float = 0.0  # what the tenant had spent before this render

    @property
    def tenant_remaining_usd(self) -> float | None:
        """What the tenant may still spend before this render; None without a tenant budget."""
        if self.tenant_budget_usd is None:
            return None
        return round(max(self.tenant_budget_usd - self.spent_usd, 0.0), 6)

    @property
    def budget_problems(self) -> tuple[str, ...]:
        """Human-readable overruns, empty when within every budget."""
        out = []
        if self.budget_usd is not None and self.estimated_cost_usd > self.budget_usd:
            out.append(
                f"estimated cost ${self.estimated_cost_usd:.2f} exceeds the per-video budget "
                f"${self.budget_usd:.2f}"
            )
        remaining = self.tenant_remaining_usd
        if remaining is not None and self.estimated_cost_usd > remaining:
            out.append(
                f"estimated cost ${self.estimated_cost_usd:.2f} exceeds the tenant's remaining "
                f"budget ${remaining:.2f} (${self.spent_usd:.2f} of "
                f"${self.tenant_budget_usd:.2f} spent)"
            )
        return tuple(out)

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
            "tenant_budget_usd": self.tenant_budget_usd,
            "spent_usd": self.spent_usd,
            "unroutable": list(self.unroutable),
            "unpriced": list(self.unpriced),
        }


def plan(
    scenes: Sequence[SceneSpec],
    profiles: Sequence[ProviderProfile],
    policy: Policy,
    health: HealthSnapshot,
    today: dt.date | None = None,
    spent_usd: float = 0.0,
) -> Plan:
    """Route every scene and check the budgets before any money is spent.

    `spent_usd` is what the tenant has already spent against `budget.per_tenant_usd`."""
    if spent_usd < 0:
        raise ValueError(f"spent_usd must be >= 0, got {spent_usd}")
    decisions = tuple(route(scene, profiles, policy, health, today) for scene in scenes)
    total = round(sum(d.estimated_cost_usd or 0.0 for d in decisions), 6)
    result = Plan(
        decisions=decisions,
        estimated_cost_usd=total,
        budget_usd=policy.budget.per_video_usd,
        within_budget=True,
        tenant_budget_usd=policy.budget.per_tenant_usd,
        spent_usd=round(spent_usd, 6),
    )
    return replace(result, within_budget=not result.budget_problems)
