"""Hard rules: may this provider/model make this scene under this policy, right now?

`exclusion_reasons` returns every reason that applies (not just the first), in the order of the
table below; an empty tuple means eligible. Reason codes are a closed vocabulary, recorded in
manifests and re-checked by `verify`, so they never change meaning:

    not_configured                   no credentials/settings for the provider (health snapshot)
    health.open_circuit              the provider's circuit breaker is open
    lifecycle.retired                the model was shut down by its vendor
    policy.only                      provider not in `only` (top level or scene-kind override)
    policy.ignore                    provider in `ignore`
    policy.models                    model excluded by `models.only` / `models.ignore`
    policy.max_price                 price per second above `max_price`
    sourcing.official_api            reached through a reseller while `official_api` is required
    sourcing.training_data           training-data disclosure below the policy's minimum
    sourcing.content_credentials     emits none of the required content credentials
    sourcing.open_weights            open-weights status differs from the policy's
    sourcing.jurisdiction            headquarters not allowed, or denied
    sourcing.unknown:<fact>          a fact a rule needs is unknown and `unknown_facts: exclude`;
                                     <fact> in: training_data, content_credentials,
                                     open_weights, headquarters, price
    sourcing.stale:<fact>            a fact a rule needs is older than
                                     `sourcing.max_evidence_age_days` on `today`; <fact> in:
                                     access_kind, training_data, content_credentials,
                                     open_weights, headquarters, price
    allegation.<topic>:<status>      an allegation on an excluded topic at/above `min_status`
    capability.duration              no accepted duration covers the scene
    capability.aspect                the scene's aspect is not offered
    capability.image_to_video        the model can do neither text- nor image-to-video (an
                                     image-only model is fine: the pipeline makes a still)
    budget.exceeded                  this scene alone would cost more than the per-video budget
    policy.allow_fallbacks           (router only) eligible, but fallbacks are disabled

Facts whose value is unknown never exclude under `unknown_facts: allow`.

Routing stays pure: the date the evidence is aged against is an input (`today`), never read
from a clock here. `route`/`plan` refuse (ValueError) to decide under a policy with
`max_evidence_age_days` without a date; `exclusion_reasons` called without one (a re-check that
has no date, e.g. an old manifest) leaves the evidence-age rule out rather than guessing a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from providers.profile import (
    ALLEGATION_RANK,
    DISCLOSURE_RANK,
    UNKNOWN,
    AccessKind,
    AllegationStatus,
    CredentialKind,
    Disclosure,
    LifecycleStatus,
    ModelProfile,
    ProviderProfile,
)
from routing.health import HealthSnapshot
from routing.policy import Policy, SceneRules, UnknownFacts, expand_jurisdictions
from routing.scene import SceneSpec

NOT_CONFIGURED = "not_configured"
HEALTH_OPEN_CIRCUIT = "health.open_circuit"
LIFECYCLE_RETIRED = "lifecycle.retired"
POLICY_ONLY = "policy.only"
POLICY_IGNORE = "policy.ignore"
POLICY_MODELS = "policy.models"
POLICY_MAX_PRICE = "policy.max_price"
POLICY_NO_FALLBACKS = "policy.allow_fallbacks"
SOURCING_OFFICIAL_API = "sourcing.official_api"
SOURCING_TRAINING_DATA = "sourcing.training_data"
SOURCING_CONTENT_CREDENTIALS = "sourcing.content_credentials"
SOURCING_OPEN_WEIGHTS = "sourcing.open_weights"
SOURCING_JURISDICTION = "sourcing.jurisdiction"
SOURCING_UNKNOWN = "sourcing.unknown"
SOURCING_STALE = "sourcing.stale"
CAPABILITY_DURATION = "capability.duration"
CAPABILITY_ASPECT = "capability.aspect"
CAPABILITY_IMAGE_TO_VIDEO = "capability.image_to_video"
BUDGET_EXCEEDED = "budget.exceeded"

# The closed vocabulary, in the documented order. Two are families: `sourcing.unknown:<fact>`
# and `allegation.<topic>:<status>`; `reason_family` maps a concrete code onto this list.
REASON_CODES: tuple[str, ...] = (
    NOT_CONFIGURED,
    HEALTH_OPEN_CIRCUIT,
    LIFECYCLE_RETIRED,
    POLICY_ONLY,
    POLICY_IGNORE,
    POLICY_MODELS,
    POLICY_MAX_PRICE,
    SOURCING_OFFICIAL_API,
    SOURCING_TRAINING_DATA,
    SOURCING_CONTENT_CREDENTIALS,
    SOURCING_OPEN_WEIGHTS,
    SOURCING_JURISDICTION,
    SOURCING_UNKNOWN,
    SOURCING_STALE,
    "allegation",
    CAPABILITY_DURATION,
    CAPABILITY_ASPECT,
    CAPABILITY_IMAGE_TO_VIDEO,
    BUDGET_EXCEEDED,
    POLICY_NO_FALLBACKS,
)
UNKNOWN_FACTS = ("training_data", "content_credentials", "open_weights", "headquarters", "price")
STALE_FACTS = ("access_kind", *UNKNOWN_FACTS)

# A clip may fall this much short of the scene: the composer holds its last frame. Without it a
# 10.2 s scene could never use a model whose longest clip is 10 s.
DURATION_SLACK_S = 0.5


def exclusion_reasons(
    profile: ProviderProfile,
    model: ModelProfile,
    scene: SceneSpec,
    policy: Policy,
    health: HealthSnapshot,
    today: dt.date | None = None,
) -> tuple[str, ...]:
    """Every reason `model` of `profile` may not make `scene`; () when it is eligible.

    `today` is the date evidence is aged against; without it the evidence-age rule
    (`sourcing.max_evidence_age_days`) is not evaluated."""
    rules = policy.rules_for(scene.kind)
    reasons = [
        *_availability(profile, model, health),
        *_selection(profile, model, rules, policy),
        *_sourcing(profile, policy),
        *_stale(profile, model, rules, policy, today),
        *_allegations(profile, policy),
        *_capability(model, scene),
        *_budget(model, scene, policy),
    ]
    return tuple(dict.fromkeys(reasons))  # de-duplicate, keep the documented order


def stale(fact: str) -> str:
    """The reason code for evidence on `fact` that is too old."""
    return f"{SOURCING_STALE}:{fact}"


def relevant_facts(
    profile: ProviderProfile, model: ModelProfile, rules: SceneRules, policy: Policy
) -> Iterator[tuple[str, dt.date]]:
    """(fact, as_of) for every sourcing fact some rule of `policy` needs, in STALE_FACTS order."""
    wanted, facts = policy.sourcing, profile.sourcing
    if wanted.official_api:
        yield "access_kind", facts.access_kind.as_of
    if wanted.min_training_data_disclosure != "none":
        yield "training_data", facts.training_data.as_of
    if wanted.require_content_credentials not in (False, ()):
        yield "content_credentials", facts.content_credentials.as_of
    if wanted.open_weights is not None:
        yield "open_weights", facts.open_weights.as_of
    home = profile.headquarters.value
    if (wanted.jurisdictions.allow or wanted.jurisdictions.deny) and home != "n/a":
        yield "headquarters", profile.headquarters.as_of
    if rules.max_price is not None or policy.budget.per_video_usd is not None:
        yield "price", model.price_per_second_usd.as_of


def _stale(
    profile: ProviderProfile,
    model: ModelProfile,
    rules: SceneRules,
    policy: Policy,
    today: dt.date | None,
) -> list[str]:
    max_age = policy.sourcing.max_evidence_age_days
    if max_age is None or today is None:
        return []
    oldest = today - dt.timedelta(days=max_age)
    return [stale(fact) for fact, as_of in relevant_facts(profile, model, rules, policy)
            if as_of < oldest]  # fmt: skip


def reason_family(code: str) -> str:
    """The `REASON_CODES` entry of a concrete code: `allegation.x:alleged` -> `allegation`."""
    if code.startswith("allegation."):
        return "allegation"
    return code.split(":", 1)[0]


def unknown(fact: str) -> str:
    """The reason code for an unknown `fact`."""
    return f"{SOURCING_UNKNOWN}:{fact}"


def _if_strict(policy: Policy, fact: str) -> list[str]:
    return [unknown(fact)] if policy.unknown_facts is UnknownFacts.EXCLUDE else []


def _availability(
    profile: ProviderProfile, model: ModelProfile, health: HealthSnapshot
) -> list[str]:
    state = health.get(profile.id)
    out = []
    if state is None or not state.configured:
        out.append(NOT_CONFIGURED)
    if state is not None and state.circuit_open:
        out.append(HEALTH_OPEN_CIRCUIT)
    if model.lifecycle.status is LifecycleStatus.RETIRED:
        out.append(LIFECYCLE_RETIRED)
    return out


def _selection(
    profile: ProviderProfile, model: ModelProfile, rules: SceneRules, policy: Policy
) -> list[str]:
    out = []
    if rules.only is not None and profile.id not in rules.only:
        out.append(POLICY_ONLY)
    if profile.id in rules.ignore:
        out.append(POLICY_IGNORE)
    ref = f"{profile.id}/{model.id}"
    filt = policy.models
    if (filt.only is not None and ref not in filt.only) or ref in filt.ignore:
        out.append(POLICY_MODELS)
    if rules.max_price is not None:
        price = model.price_per_second_usd.value
        if price == UNKNOWN:
            out += _if_strict(policy, "price")
        elif price > rules.max_price:
            out.append(POLICY_MAX_PRICE)
    return out


def _sourcing(profile: ProviderProfile, policy: Policy) -> list[str]:
    wanted = policy.sourcing
    out = []
    if wanted.official_api and profile.sourcing.access_kind.value is AccessKind.RESELLER:
        out.append(SOURCING_OFFICIAL_API)
    out += _training_data(profile, policy)
    out += _credentials(profile, policy)
    if wanted.open_weights is not None:
        has = profile.sourcing.open_weights.value
        if has == UNKNOWN:
            out += _if_strict(policy, "open_weights")
        elif has is not wanted.open_weights:
            out.append(SOURCING_OPEN_WEIGHTS)
    out += _jurisdiction(profile, policy)
    return out


def _training_data(profile: ProviderProfile, policy: Policy) -> list[str]:
    minimum = Disclosure(policy.sourcing.min_training_data_disclosure)
    if minimum is Disclosure.NONE:
        return []
    level = profile.sourcing.training_data.value
    if level is Disclosure.UNKNOWN:
        return _if_strict(policy, "training_data")
    return [SOURCING_TRAINING_DATA] if DISCLOSURE_RANK[level] < DISCLOSURE_RANK[minimum] else []


def _credentials(profile: ProviderProfile, policy: Policy) -> list[str]:
    required = policy.sourcing.require_content_credentials
    if required is False or required == ():
        return []
    emitted = profile.sourcing.content_credentials.value
    if emitted == UNKNOWN:
        return _if_strict(policy, "content_credentials")
    accepted = frozenset(CredentialKind) if required is True else frozenset(required)
    return [] if accepted & frozenset(emitted) else [SOURCING_CONTENT_CREDENTIALS]


def _jurisdiction(profile: ProviderProfile, policy: Policy) -> list[str]:
    rules = policy.sourcing.jurisdictions
    if not rules.allow and not rules.deny:
        return []
    home = profile.headquarters.value
    if home == "n/a":  # self-hosted: runs wherever the user runs it
        return []
    if home == UNKNOWN:
        return _if_strict(policy, "headquarters")
    allowed = not rules.allow or home in expand_jurisdictions(rules.allow)
    denied = home in expand_jurisdictions(rules.deny)
    return [] if allowed and not denied else [SOURCING_JURISDICTION]


def _allegations(profile: ProviderProfile, policy: Policy) -> list[str]:
    topics = frozenset(policy.allegations.exclude_topics)
    floor = ALLEGATION_RANK[policy.min_allegation_status]
    return sorted(
        f"allegation.{a.topic}:{a.status.value}"
        for a in profile.sourcing.allegations
        if a.topic in topics
        and a.status is not AllegationStatus.CLEARED
        and ALLEGATION_RANK[a.status] >= floor
    )


def _capability(model: ModelProfile, scene: SceneSpec) -> list[str]:
    out = []
    if model.billed_seconds(scene.duration, DURATION_SLACK_S) is None:
        out.append(CAPABILITY_DURATION)
    if scene.aspect not in model.aspects:
        out.append(CAPABILITY_ASPECT)
    if not (model.text_to_video or model.image_to_video):
        out.append(CAPABILITY_IMAGE_TO_VIDEO)
    return out


def _budget(model: ModelProfile, scene: SceneSpec, policy: Policy) -> list[str]:
    budget = policy.budget.per_video_usd
    if budget is None:
        return []
    if model.price_per_second_usd.value == UNKNOWN:
        return _if_strict(policy, "price")
    cost = model.cost_usd(scene.duration, DURATION_SLACK_S)
    return [BUDGET_EXCEEDED] if cost is not None and cost > budget else []
