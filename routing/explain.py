"""What a policy does to a catalog: which rule removes which model, per scene kind.

`explain_policy` is pure, like the router: every provider counts as configured and healthy, and
each scene kind is judged on a representative scene (`SAMPLE_SECONDS` long, 16:9, no image), so
what it reports is the policy's own effect, not today's outages. Capability and lifecycle
reasons are listed apart from the policy's rules because no policy can change them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from providers.profile import ProviderProfile
from providers.types import Aspect, SceneKind
from routing.eligibility import REASON_CODES, exclusion_reasons, reason_family
from routing.health import snapshot
from routing.policy import Policy
from routing.scene import SceneSpec

SAMPLE_SECONDS = 5.0
NOT_POLICY = ("capability.", "lifecycle.", "health.", "not_configured")


@dataclass(frozen=True)
class KindReport:
    eligible: tuple[str, ...]  # `provider/model` refs the policy leaves, in catalog order
    removed: dict[str, tuple[str, ...]]  # ref -> the policy's reasons
    unavailable: dict[str, tuple[str, ...]]  # ref -> capability/lifecycle reasons only


@dataclass(frozen=True)
class PolicyExplanation:
    policy: Policy
    today: dt.date
    kinds: dict[SceneKind, KindReport]

    def by_rule(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """reason code -> ref -> the scene kinds where that rule removes that ref."""
        out: dict[str, dict[str, list[str]]] = {}
        for kind, report in self.kinds.items():
            for ref, reasons in report.removed.items():
                for reason in reasons:
                    out.setdefault(reason, {}).setdefault(ref, []).append(kind.value)
        return {
            code: {ref: tuple(kinds) for ref, kinds in sorted(refs.items())}
            for code, refs in sorted(out.items(), key=lambda item: _order(item[0]))
        }

    def to_dict(self) -> dict[str, object]:
        return {
            "policy": {"id": self.policy.id, "sha256": self.policy.sha256},
            "based_on": list(self.policy.based_on),
            "today": self.today.isoformat(),
            "sample_scene": {"duration": SAMPLE_SECONDS, "aspect": Aspect.LANDSCAPE.value},
            "rules": {
                code: {ref: list(kinds) for ref, kinds in refs.items()}
                for code, refs in self.by_rule().items()
            },
            "scene_kinds": {
                kind.value: {
                    "eligible": list(r.eligible),
                    "removed": {ref: list(v) for ref, v in r.removed.items()},
                    "unavailable": {ref: list(v) for ref, v in r.unavailable.items()},
                }
                for kind, r in self.kinds.items()
            },
            "on_failure": {
                "retries": self.policy.retries.model_dump(),
                "cooldown": self.policy.cooldown.model_dump(),
                "rate_limit_wait_budget_s": self.policy.rate_limit_wait_budget_s,
                "allow_fallbacks": self.policy.allow_fallbacks,
            },
        }


def explain_policy(
    policy: Policy, profiles: tuple[ProviderProfile, ...], today: dt.date
) -> PolicyExplanation:
    """Judge every model of `profiles` for every scene kind under `policy` on `today`."""
    health = snapshot(p.id for p in profiles)
    kinds: dict[SceneKind, KindReport] = {}
    for kind in SceneKind:
        spec = SceneSpec(0, kind, SAMPLE_SECONDS, Aspect.LANDSCAPE)
        eligible: list[str] = []
        removed: dict[str, tuple[str, ...]] = {}
        unavailable: dict[str, tuple[str, ...]] = {}
        for profile in sorted(profiles, key=lambda p: p.id):
            for model in profile.iter_models():
                ref = f"{profile.id}/{model.id}"
                reasons = exclusion_reasons(profile, model, spec, policy, health, today)
                ours = tuple(r for r in reasons if not r.startswith(NOT_POLICY))
                if ours:
                    removed[ref] = ours
                elif reasons:
                    unavailable[ref] = reasons
                else:
                    eligible.append(ref)
        kinds[kind] = KindReport(tuple(eligible), removed, unavailable)
    return PolicyExplanation(policy, today, kinds)


def _order(code: str) -> tuple[int, str]:
    family = reason_family(code)
    return (REASON_CODES.index(family) if family in REASON_CODES else len(REASON_CODES), code)
