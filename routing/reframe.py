"""`reframe: generate`: which scenes ask their model for a clip per extra aspect, and the cost.

Pure: a function of the plan, the policy and the catalog's profiles. A model is only asked for
the aspects its profile offers; the extra cost is the scene's own estimate once per extra clip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from providers.profile import ProviderProfile
from providers.types import Aspect
from routing.policy import Policy, ReframeMode
from routing.router import Plan


@dataclass(frozen=True)
class AspectExtra:
    """Extra clips one scene would get: the same model, in each of `aspects`."""

    scene: int  # index of the scene
    provider: str
    model: str
    aspects: tuple[Aspect, ...]
    cost_usd: float | None  # None when the model's price is unknown

    def to_dict(self) -> dict[str, object]:
        return {
            "scene": self.scene,
            "provider": self.provider,
            "model": self.model,
            "aspects": [a.value for a in self.aspects],
            "cost_usd": self.cost_usd,
        }


def aspect_extras(
    plan: Plan, policy: Policy, profiles: Sequence[ProviderProfile], aspects: Sequence[Aspect]
) -> tuple[AspectExtra, ...]:
    """The extra clips `reframe: generate` asks for, scene by scene (the plan's aspect excluded)."""
    by_id = {p.id: p for p in profiles}
    extras = []
    for decision in plan.decisions:
        chosen = decision.chosen
        if chosen is None or policy.reframe_for(decision.scene.kind) is not ReframeMode.GENERATE:
            continue
        profile = by_id.get(chosen.provider)
        model = profile.models.get(chosen.model) if profile else None
        if model is None:
            continue
        wanted = tuple(a for a in aspects if a != decision.scene.aspect and a in model.aspects)
        if not wanted:
            continue
        cost = decision.estimated_cost_usd
        extras.append(
            AspectExtra(
                decision.scene.index, chosen.provider, chosen.model, wanted,
                None if cost is None else round(cost * len(wanted), 6),
            )
        )  # fmt: skip
    return tuple(extras)


def extra_cost(extras: Sequence[AspectExtra]) -> float:
    """The known extra cost (unknown prices count as 0, as in the plan's own estimate)."""
    return round(sum(e.cost_usd or 0.0 for e in extras), 6)


def extras_within_budget(plan: Plan, extras: Sequence[AspectExtra]) -> bool:
    """Whether the plan's estimate plus the extra clips stays within every budget."""
    total = plan.estimated_cost_usd + extra_cost(extras)
    if plan.budget_usd is not None and total > plan.budget_usd:
        return False
    remaining = plan.tenant_remaining_usd
    return remaining is None or total <= remaining
