"""Table tests: one row per hard rule and reason code of routing.eligibility.

The builders at the top (`make_profile`, `make_policy`, `scene`) are shared with the scoring and
router tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from providers.documents import deep_merge
from providers.profile import ProviderProfile
from providers.types import Aspect, SceneKind
from routing.eligibility import (
    REASON_CODES,
    STALE_FACTS,
    UNKNOWN_FACTS,
    exclusion_reasons,
    reason_family,
)
from routing.health import HealthSnapshot, ProviderHealth, snapshot
from routing.policy import Policy
from routing.router import route
from routing.scene import SceneSpec


def evidence(value: Any) -> dict[str, Any]:
    return {"value": value, "basis": "primary", "source": "test fixture", "as_of": "2026-01-01"}


def provider_data(pid: str = "acme") -> dict[str, Any]:
    """A complete, valid provider body with one model `m1` that passes every default rule."""
    return {
        "id": pid,
        "vendor": "Acme Video",
        "headquarters": evidence("US"),
        "access": {"via": "test", "base_url": "https://acme.invalid"},
        "sourcing": {
            "access_kind": evidence("official_api"),
            "training_data": evidence("partial"),
            "content_credentials": evidence(["c2pa"]),
            "open_weights": evidence(False),
            "allegations": [],
        },
        "fitness": {
            "source": "test editorial",
            "as_of": "2026-01-01",
            "scores": {k.value: 0.5 for k in SceneKind},
        },
        "models": {
            "m1": {
                "label": "Model 1",
                "text_to_video": True,
                "image_to_video": True,
                "durations": [5, 10],
                "aspects": [a.value for a in Aspect],
                "resolutions": ["720p"],
                "audio": False,
                "price_per_second_usd": evidence(0.1),
                "typical_latency_s": 60,
                "source": "test fixture",
            }
        },
    }


def make_profile(pid: str = "acme", **overrides: Any) -> ProviderProfile:
    """`provider_data(pid)` deep-merged with `overrides` (None deletes a key)."""
    return ProviderProfile.model_validate(deep_merge(provider_data(pid), overrides))


def make_policy(**fields: Any) -> Policy:
    return Policy.model_validate({"id": "test", **fields})


def scene(
    kind: SceneKind = SceneKind.PEOPLE,
    duration: float = 5.0,
    aspect: Aspect = Aspect.LANDSCAPE,
    ref: bool = False,
    index: int = 0,
) -> SceneSpec:
    return SceneSpec(index, kind, duration, aspect, ref)


def model_override(**fields: Any) -> dict[str, Any]:
    return {"models": {"m1": fields}}


def sourcing(**fields: Any) -> dict[str, Any]:
    return {"sourcing": {k: evidence(v) for k, v in fields.items()}}


ALLEGED = {"topic": "x-topic", "by": "someone", "summary": "s", "source": "src"}


def allegation(status: str) -> dict[str, Any]:
    return {"sourcing": {"allegations": [{**ALLEGED, "status": status, "as_of": "2026-01-01"}]}}


CONFIGURED: HealthSnapshot = snapshot(["acme"])
STRICT = {"unknown_facts": "exclude"}
TODAY = dt.date(2026, 11, 22)  # provider_data's evidence is dated 2026-01-01: 325 days before
EVERY_FACT_RULE = {
    "max_price": 1.0,
    "sourcing": {
        "official_api": True,
        "min_training_data_disclosure": "partial",
        "require_content_credentials": True,
        "open_weights": False,
        "jurisdictions": {"allow": ["US"]},
        "max_evidence_age_days": 300,
    },
}

# (case id, profile overrides, policy fields, scene, health, expected reasons)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], SceneSpec, HealthSnapshot, tuple[str, ...]]]
CASES = [
    ("eligible", {}, {}, scene(), CONFIGURED, ()),
    ("missing-from-health", {}, {}, scene(), {}, ("not_configured",)),
    (
        "not-configured",
        {},
        {},
        scene(),
        {"acme": ProviderHealth(configured=False)},
        ("not_configured",),
    ),
    ("open-circuit", {}, {}, scene(), snapshot(["acme"], ["acme"]), ("health.open_circuit",)),
    (
        "retired",
        model_override(lifecycle={"status": "retired", "date": "2026-01-01", "source": "s"}),
        {},
        scene(),
        CONFIGURED,
        ("lifecycle.retired",),
    ),
    ("only", {}, {"only": ["other"]}, scene(), CONFIGURED, ("policy.only",)),
    ("ignore", {}, {"ignore": ["acme"]}, scene(), CONFIGURED, ("policy.ignore",)),
    ("models-only", {}, {"models": {"only": ["acme/m2"]}}, scene(), CONFIGURED, ("policy.models",)),
    (
        "models-ignore",
        {},
        {"models": {"ignore": ["acme/m1"]}},
        scene(),
        CONFIGURED,
        ("policy.models",),
    ),
    ("max-price", {}, {"max_price": 0.05}, scene(), CONFIGURED, ("policy.max_price",)),
    ("max-price-equal", {}, {"max_price": 0.1}, scene(), CONFIGURED, ()),
    (
        "max-price-unknown-allowed",
        model_override(price_per_second_usd=evidence("unknown")),
        {"max_price": 0.05},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "max-price-unknown-strict",
        model_override(price_per_second_usd=evidence("unknown")),
        {"max_price": 0.05, **STRICT},
        scene(),
        CONFIGURED,
        ("sourcing.unknown:price",),
    ),
    (
        "reseller",
        sourcing(access_kind="reseller"),
        {"sourcing": {"official_api": True}},
        scene(),
        CONFIGURED,
        ("sourcing.official_api",),
    ),
    (
        "self-hosted-is-direct",
        sourcing(access_kind="self_hosted"),
        {"sourcing": {"official_api": True}},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "training-data-too-low",
        {},
        {"sourcing": {"min_training_data_disclosure": "full"}},
        scene(),
        CONFIGURED,
        ("sourcing.training_data",),
    ),
    (
        "training-data-enough",
        {},
        {"sourcing": {"min_training_data_disclosure": "partial"}},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "training-data-unknown-allowed",
        sourcing(training_data="unknown"),
        {"sourcing": {"min_training_data_disclosure": "partial"}},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "training-data-unknown-strict",
        sourcing(training_data="unknown"),
        {"sourcing": {"min_training_data_disclosure": "partial"}, **STRICT},
        scene(),
        CONFIGURED,
        ("sourcing.unknown:training_data",),
    ),
    (
        "unknown-irrelevant-when-no-rule",
        sourcing(training_data="unknown", content_credentials="unknown", open_weights="unknown"),
        STRICT,
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "credentials-none",
        sourcing(content_credentials=[]),
        {"sourcing": {"require_content_credentials": True}},
        scene(),
        CONFIGURED,
        ("sourcing.content_credentials",),
    ),
    (
        "credentials-wrong-kind",
        sourcing(content_credentials=["synthid"]),
        {"sourcing": {"require_content_credentials": ["c2pa"]}},
        scene(),
        CONFIGURED,
        ("sourcing.content_credentials",),
    ),
    (
        "credentials-any-of",
        sourcing(content_credentials=["synthid"]),
        {"sourcing": {"require_content_credentials": ["c2pa", "synthid"]}},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "credentials-unknown-strict",
        sourcing(content_credentials="unknown"),
        {"sourcing": {"require_content_credentials": True}, **STRICT},
        scene(),
        CONFIGURED,
        ("sourcing.unknown:content_credentials",),
    ),
    (
        "open-weights-mismatch",
        {},
        {"sourcing": {"open_weights": True}},
        scene(),
        CONFIGURED,
        ("sourcing.open_weights",),
    ),
    (
        "open-weights-unknown-strict",
        sourcing(open_weights="unknown"),
        {"sourcing": {"open_weights": False}, **STRICT},
        scene(),
        CONFIGURED,
        ("sourcing.unknown:open_weights",),
    ),
    (
        "jurisdiction-not-allowed",
        {},
        {"sourcing": {"jurisdictions": {"allow": ["EU"]}}},
        scene(),
        CONFIGURED,
        ("sourcing.jurisdiction",),
    ),
    (
        "jurisdiction-eu-member",
        {"headquarters": evidence("DE")},
        {"sourcing": {"jurisdictions": {"allow": ["EU"]}}},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "jurisdiction-denied",
        {"headquarters": evidence("CN")},
        {"sourcing": {"jurisdictions": {"deny": ["cn"]}}},
        scene(),
        CONFIGURED,
        ("sourcing.jurisdiction",),
    ),
    (
        "jurisdiction-self-hosted",
        {"headquarters": evidence("n/a")},
        {"sourcing": {"jurisdictions": {"allow": ["US"]}}, **STRICT},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "jurisdiction-unknown-strict",
        {"headquarters": evidence("unknown")},
        {"sourcing": {"jurisdictions": {"allow": ["US"]}}, **STRICT},
        scene(),
        CONFIGURED,
        ("sourcing.unknown:headquarters",),
    ),
    (
        "allegation-alleged",
        allegation("alleged"),
        {"allegations": {"exclude_topics": ["x-topic"]}},
        scene(),
        CONFIGURED,
        ("allegation.x-topic:alleged",),
    ),
    (
        "allegation-below-min-status",
        allegation("alleged"),
        {"allegations": {"exclude_topics": ["x-topic"], "min_status": "disputed"}},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "allegation-confirmed-above-min",
        allegation("confirmed"),
        {"allegations": {"exclude_topics": ["x-topic"], "min_status": "disputed"}},
        scene(),
        CONFIGURED,
        ("allegation.x-topic:confirmed",),
    ),
    (
        "allegation-cleared-never-excludes",
        allegation("cleared"),
        {"allegations": {"exclude_topics": ["x-topic"]}},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "allegation-other-topic",
        allegation("confirmed"),
        {"allegations": {"exclude_topics": ["another"]}},
        scene(),
        CONFIGURED,
        (),
    ),
    ("duration-too-long", {}, {}, scene(duration=30), CONFIGURED, ("capability.duration",)),
    ("duration-within-slack", {}, {}, scene(duration=10.4), CONFIGURED, ()),
    ("duration-short-is-trimmed", {}, {}, scene(duration=1.0), CONFIGURED, ()),
    (
        "duration-range",
        model_override(durations={"min": 2, "max": 8, "step": 1}),
        {},
        scene(duration=9),
        CONFIGURED,
        ("capability.duration",),
    ),
    (
        "aspect",
        model_override(aspects=["16:9"]),
        {},
        scene(aspect=Aspect.FOUR_FIVE),
        CONFIGURED,
        ("capability.aspect",),
    ),
    (
        "neither-t2v-nor-i2v",
        model_override(text_to_video=False, image_to_video=False),
        {},
        scene(),
        CONFIGURED,
        ("capability.image_to_video",),
    ),
    (
        "image-only-without-image-is-fine",
        model_override(text_to_video=False),
        {},
        scene(ref=False),
        CONFIGURED,
        (),
    ),
    (
        "budget",
        {},
        {"budget": {"per_video_usd": 0.5}},
        scene(duration=10),
        CONFIGURED,
        ("budget.exceeded",),
    ),
    ("budget-fits", {}, {"budget": {"per_video_usd": 1.0}}, scene(duration=10), CONFIGURED, ()),
    (
        "budget-unknown-price-strict",
        model_override(price_per_second_usd=evidence("unknown")),
        {"budget": {"per_video_usd": 1.0}, "max_price": 1.0, **STRICT},
        scene(),
        CONFIGURED,
        ("sourcing.unknown:price",),  # reported once even though two rules need the price
    ),
    (
        "stale-access-kind",
        {},
        {"sourcing": {"official_api": True, "max_evidence_age_days": 100}},
        scene(),
        CONFIGURED,
        ("sourcing.stale:access_kind",),
    ),
    (
        "stale-fresh-enough",
        {},
        {"sourcing": {"official_api": True, "max_evidence_age_days": 325}},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "stale-fact-no-rule-needs",
        {},
        {"sourcing": {"max_evidence_age_days": 0}},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "stale-price-for-budget",
        {},
        {"budget": {"per_video_usd": 10}, "sourcing": {"max_evidence_age_days": 30}},
        scene(),
        CONFIGURED,
        ("sourcing.stale:price",),
    ),
    (
        "stale-every-relevant-fact",
        {},
        EVERY_FACT_RULE,
        scene(),
        CONFIGURED,
        tuple(f"sourcing.stale:{f}" for f in STALE_FACTS),
    ),
    (
        "stale-self-hosted-headquarters-never",
        {"headquarters": evidence("n/a")},
        {"sourcing": {"jurisdictions": {"allow": ["US"]}, "max_evidence_age_days": 1}},
        scene(),
        CONFIGURED,
        (),
    ),
    (
        "stale-and-failing-both-listed",
        sourcing(access_kind="reseller"),
        {"sourcing": {"official_api": True, "max_evidence_age_days": 10}},
        scene(),
        CONFIGURED,
        ("sourcing.official_api", "sourcing.stale:access_kind"),
    ),
    (
        "scene-kind-override-ignores",
        {},
        {"scene_kinds": {"data": {"ignore": ["acme"]}}},
        scene(kind=SceneKind.DATA),
        CONFIGURED,
        ("policy.ignore",),
    ),
    (
        "scene-kind-override-other-kind",
        {},
        {"scene_kinds": {"data": {"ignore": ["acme"]}}},
        scene(kind=SceneKind.TEXT),
        CONFIGURED,
        (),
    ),
    (
        "scene-kind-override-lower-max-price",
        {},
        {"max_price": 1.0, "scene_kinds": {"data": {"max_price": 0.05}}},
        scene(kind=SceneKind.DATA),
        CONFIGURED,
        ("policy.max_price",),
    ),
    (
        "all-reasons-listed",
        {
            **model_override(
                lifecycle={"status": "retired", "date": "2026-01-01", "source": "s"},
                aspects=["16:9"],
            ),
            **sourcing(access_kind="reseller"),
        },
        {"ignore": ["acme"], "sourcing": {"official_api": True}},
        scene(aspect=Aspect.SQUARE, duration=30),
        {},
        (
            "not_configured",
            "lifecycle.retired",
            "policy.ignore",
            "sourcing.official_api",
            "capability.duration",
            "capability.aspect",
        ),
    ),
]


@pytest.mark.parametrize(
    ("overrides", "policy_fields", "spec", "health", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_exclusion_reasons(
    overrides: dict[str, Any],
    policy_fields: dict[str, Any],
    spec: SceneSpec,
    health: HealthSnapshot,
    expected: tuple[str, ...],
) -> None:
    profile = make_profile(**overrides)
    model = profile.models["m1"]
    policy = make_policy(**policy_fields)
    assert exclusion_reasons(profile, model, spec, policy, health, TODAY) == expected


def test_every_documented_reason_code_is_exercised() -> None:
    produced = {reason_family(reason) for case in CASES for reason in case[-1]}
    # policy.allow_fallbacks is the router's; it is exercised in test_router.
    assert set(REASON_CODES) - produced == {"policy.allow_fallbacks"}
    assert produced <= set(REASON_CODES)


def test_unknown_fact_codes_name_the_fact() -> None:
    produced = {r for case in CASES for r in case[-1] if r.startswith("sourcing.unknown:")}
    assert {r.split(":", 1)[1] for r in produced} == set(UNKNOWN_FACTS)


def test_stale_fact_codes_name_the_fact() -> None:
    produced = {r for case in CASES for r in case[-1] if r.startswith("sourcing.stale:")}
    assert {r.split(":", 1)[1] for r in produced} == set(STALE_FACTS)


def test_evidence_age_rule_needs_a_date() -> None:
    profile = make_profile()
    policy = make_policy(sourcing={"official_api": True, "max_evidence_age_days": 10})
    with pytest.raises(ValueError, match="today"):
        route(scene(), [profile], policy, CONFIGURED)
    # A re-check without a date (an old manifest) leaves the age rule out instead of guessing.
    model = profile.models["m1"]
    assert exclusion_reasons(profile, model, scene(), policy, CONFIGURED) == ()
    assert exclusion_reasons(profile, model, scene(), policy, CONFIGURED, TODAY) == (
        "sourcing.stale:access_kind",
    )
