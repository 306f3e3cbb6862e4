"""API bodies shaped for the agency's and auditor's pages: rules with their plain words,
plans as rows, and what changed between two plans of the same script."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from providers.types import SceneKind
from routing.reasons import describe

ALL_KINDS = len(SceneKind)


@dataclass(frozen=True)
class RuleRow:
    code: str
    text: str
    removes: list[tuple[str, list[str]]]  # ("every scene kind" or the kinds, provider/models)


@dataclass(frozen=True)
class KindRow:
    kind: str
    eligible: list[str]
    removed: int
    unavailable: int


@dataclass(frozen=True)
class ExplanationView:
    rules: list[RuleRow]
    kinds: list[KindRow]


def _kinds(kinds: list[str]) -> str:
    if len(kinds) >= ALL_KINDS:
        return "every scene kind"
    return ", ".join(k.replace("_", " ") for k in kinds)


def _by_kinds(refs: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """The models a rule removes, grouped by the scene kinds it removes them for."""
    groups: dict[str, list[str]] = {}
    for ref, kinds in refs.items():
        groups.setdefault(_kinds(kinds), []).append(ref)
    return list(groups.items())


def explanation_view(explained: dict[str, Any]) -> ExplanationView:
    rules = [
        RuleRow(code, describe(code), _by_kinds(refs))
        for code, refs in explained.get("rules", {}).items()
    ]
    kinds = [
        KindRow(
            kind.replace("_", " "),
            list(report["eligible"]),
            len(report["removed"]),
            len(report["unavailable"]),
        )
        for kind, report in explained.get("scene_kinds", {}).items()
    ]
    return ExplanationView(rules, kinds)


@dataclass(frozen=True)
class PlanRow:
    number: int
    kind: str
    narration: str
    chosen: str | None
    fallbacks: list[str]
    excluded: list[tuple[str, list[str]]]  # (provider/model, reasons in plain words)
    cost: float | None


@dataclass(frozen=True)
class PlanView:
    rows: list[PlanRow]
    total: float | None
    within_budget: bool
    policy: str


def plan_view(plan: dict[str, Any]) -> PlanView:
    rows = [
        PlanRow(
            number=int(s["index"]) + 1,
            kind=str(s["kind"]).replace("_", " "),
            narration=str(s["narration"]),
            chosen=s.get("chosen"),
            fallbacks=list(s.get("fallbacks", [])),
            excluded=[
                (f"{e['provider']}/{e['model']}", [describe(r) for r in e["reasons"]])
                for e in s.get("exclusions", [])
            ],
            cost=s.get("estimated_cost_usd"),
        )
        for s in plan.get("scenes", [])
    ]
    return PlanView(
        rows, plan.get("estimated_cost_usd"), bool(plan.get("within_budget", True)),
        str(plan.get("policy", {}).get("id", "")),
    )  # fmt: skip


@dataclass(frozen=True)
class PlanChanges:
    changed: list[tuple[int, str | None, str | None]] = field(default_factory=list)
    cost_before: float | None = None
    cost_after: float | None = None


def plan_changes(before: dict[str, Any], after: dict[str, Any]) -> PlanChanges:
    """Scenes whose chosen model differs (scene number, saved choice, draft choice)."""
    old = {int(s["index"]): s.get("chosen") for s in before.get("scenes", [])}
    changed = [
        (int(s["index"]) + 1, old.get(int(s["index"])), s.get("chosen"))
        for s in after.get("scenes", [])
        if old.get(int(s["index"])) != s.get("chosen")
    ]
    return PlanChanges(changed, before.get("estimated_cost_usd"), after.get("estimated_cost_usd"))
