"""Routing every scene of a script before anything is spent, as the pipeline needs it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.errors import PlanError
from app.ingest.model import Script
from app.pipeline.health import CircuitBoard
from providers.profile import Catalog
from providers.registry import Registry
from providers.types import Aspect
from routing.health import ProviderHealth
from routing.policy import Policy
from routing.router import Plan, plan
from routing.scene import SceneSpec

DEFAULT_POLICY = Policy(id="default", name="Any configured provider, best fit first")


def health_snapshot(
    catalog: Catalog,
    registry: Registry,
    breakers: CircuitBoard | None = None,
    assume_configured: bool = False,
) -> dict[str, ProviderHealth]:
    """Configured = an adapter is registered and has what it needs to be called; a circuit is
    open while `breakers` has the provider cooling down. `assume_configured` simulates a setup
    where every catalog provider has credentials (a what-if for planning; never for rendering)."""
    configured = set(catalog.ids) if assume_configured else registry.configured()
    if breakers is not None:
        return breakers.health(catalog.ids, configured)
    return {p.id: ProviderHealth(configured=p.id in configured) for p in catalog.profiles}


def routing_date() -> dt.date:
    """The default date evidence is aged against: today, in UTC (the caller may pass another)."""
    return dt.datetime.now(dt.UTC).date()


def scene_specs(script: Script, aspect: Aspect) -> list[SceneSpec]:
    return [
        SceneSpec(
            index=s.index,
            kind=s.kind,
            duration=s.target_duration,
            aspect=aspect,
            has_reference_image=s.image_hint is not None,
        )
        for s in script.scenes
    ]


def plan_script(
    script: Script,
    policy: Policy,
    catalog: Catalog,
    registry: Registry,
    aspect: Aspect,
    *,
    today: dt.date | None = None,
    spent_usd: float = 0.0,
    breakers: CircuitBoard | None = None,
    assume_configured: bool = False,
) -> Plan:
    """Route the script. `today` defaults to the UTC date; `spent_usd` is what the tenant has
    already spent against `budget.per_tenant_usd`."""
    return plan(
        scene_specs(script, aspect),
        catalog.profiles,
        policy,
        health_snapshot(catalog, registry, breakers, assume_configured),
        today=today or routing_date(),
        spent_usd=spent_usd,
    )


def check_plan(result: Plan, scenes_total: int) -> None:
    """Raise PlanError naming every scene that cannot be routed, or the budget overrun."""
    problems: list[str] = []
    for decision in result.decisions:
        if decision.chosen is None:
            reasons = sorted({r for e in decision.exclusions for r in e.reasons})
            problems.append(
                f"scene {decision.scene.index + 1}: no eligible provider "
                f"(reasons seen: {', '.join(reasons) or 'none'})"
            )
    problems += result.budget_problems
    if problems:
        shown: Sequence[str] = problems[:20]
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise PlanError(
            f"cannot render {scenes_total} scenes under this policy:\n  "
            + "\n  ".join(shown)
            + more
        )
