"""An agency's enforced policy combined with the policy a creator picked.

The rule is the one `extends` follows, made strict: whatever the creator picks can narrow the
enforced policy, never widen it. Every hard rule takes the stricter of the two (allow-lists
intersect, deny-lists accumulate, caps take the lower, requirements add up); soft preferences
(`order`, `sort`, retries, the label text) come from the creator's pick. So a creator's inline
policy that re-admits a provider the agency excluded still never routes to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from app.errors import PolicyInvalid
from providers.profile import CredentialKind
from routing.policy import (
    AllegationRules,
    Budget,
    DisclosureOptions,
    Jurisdictions,
    ModelFilter,
    Policy,
    SceneOverride,
    Sourcing,
    UnknownFacts,
    UnknownSubmit,
    expand_jurisdictions,
)

T = TypeVar("T")
_DISCLOSURE_RANK = {"none": 0, "partial": 1, "full": 2}
_STATUS_RANK = {"alleged": 0, "disputed": 1, "confirmed": 2}  # lower excludes more


def combine_policies(enforced: Policy | None, chosen: Policy) -> Policy:
    """The effective policy of a render: `chosen` within `enforced` (None: `chosen` alone)."""
    if enforced is None:
        return chosen
    combined = chosen.model_copy(
        update={
            "name": f"{chosen.name or chosen.id} (within {enforced.id})",
            "based_on": (*chosen.based_on, enforced.id),
            "only": _both_only(enforced.only, chosen.only),
            "ignore": _union(enforced.ignore, chosen.ignore),
            "allow_fallbacks": enforced.allow_fallbacks and chosen.allow_fallbacks,
            "max_price": _lower(enforced.max_price, chosen.max_price),
            "models": ModelFilter(
                only=_both_only(enforced.models.only, chosen.models.only),
                ignore=_union(enforced.models.ignore, chosen.models.ignore),
            ),
            "budget": Budget(
                per_video_usd=_lower(enforced.budget.per_video_usd, chosen.budget.per_video_usd),
                per_tenant_usd=_lower(enforced.budget.per_tenant_usd, chosen.budget.per_tenant_usd),
            ),
            "sourcing": _sourcing(enforced.sourcing, chosen.sourcing),
            "allegations": _allegations(enforced.allegations, chosen.allegations),
            "unknown_facts": (
                UnknownFacts.EXCLUDE
                if UnknownFacts.EXCLUDE in (enforced.unknown_facts, chosen.unknown_facts)
                else UnknownFacts.ALLOW
            ),
            "scene_kinds": _scene_kinds(enforced, chosen),
            "on_unknown_submit": (
                UnknownSubmit.FAIL
                if UnknownSubmit.FAIL in (enforced.on_unknown_submit, chosen.on_unknown_submit)
                else UnknownSubmit.FALLBACK
            ),
            "disclosure": _disclosure(enforced.disclosure, chosen.disclosure),
        }
    )
    return _tidy(combined)


def _tidy(p: Policy) -> Policy:
    """Drop what the combination made redundant (an allowed or preferred provider that is also
    ignored, a model both allowed and ignored, a video budget above the tenant's): the same
    eligibility, written so that the body recorded in a manifest re-parses without a
    contradiction."""
    ignored = frozenset(p.ignore)
    only = None if p.only is None else tuple(x for x in p.only if x not in ignored)
    budget = p.budget
    if budget.per_video_usd is not None and budget.per_tenant_usd is not None:
        budget = Budget(
            per_video_usd=min(budget.per_video_usd, budget.per_tenant_usd),
            per_tenant_usd=budget.per_tenant_usd,
        )
    models = p.models
    if models.only is not None:
        models = ModelFilter(
            only=tuple(m for m in models.only if m not in models.ignore), ignore=models.ignore
        )
    return p.model_copy(
        update={
            "only": only,
            "order": tuple(x for x in p.order if x not in ignored and _in(x, only)),
            "models": models,
            "budget": budget,
            "scene_kinds": {k: _tidy_kind(o, ignored, only) for k, o in p.scene_kinds.items()},
        }
    )


def _in(item: str, only: tuple[str, ...] | None) -> bool:
    return only is None or item in only


def _tidy_kind(
    o: SceneOverride, ignored: frozenset[str], top_only: tuple[str, ...] | None
) -> SceneOverride:
    gone = ignored | frozenset(o.ignore)
    only = o.only
    if only is not None:
        only = tuple(x for x in only if x not in gone and _in(x, top_only))
    order = o.order
    if order is not None:
        order = tuple(x for x in order if x not in gone and _in(x, only))
    return o.model_copy(update={"only": only, "order": order})


def _union(a: Iterable[T], b: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys([*a, *b]))


def _both_only(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if a is None or b is None:
        return b if a is None else a
    return tuple(x for x in a if x in b)  # may be empty: then nothing is eligible


def _lower(a: float | None, b: float | None) -> float | None:
    known = [x for x in (a, b) if x is not None]
    return min(known) if known else None


def _sourcing(e: Sourcing, c: Sourcing) -> Sourcing:
    disclosure = max(
        e.min_training_data_disclosure,
        c.min_training_data_disclosure,
        key=_DISCLOSURE_RANK.__getitem__,
    )
    ages = [x for x in (e.max_evidence_age_days, c.max_evidence_age_days) if x is not None]
    return Sourcing(
        official_api=e.official_api or c.official_api,
        min_training_data_disclosure=disclosure,
        require_content_credentials=_credentials(
            e.require_content_credentials, c.require_content_credentials
        ),
        open_weights=e.open_weights if e.open_weights is not None else c.open_weights,
        jurisdictions=_jurisdictions(e.jurisdictions, c.jurisdictions),
        max_evidence_age_days=min(ages) if ages else None,
    )


def _credentials(
    e: bool | tuple[CredentialKind, ...], c: bool | tuple[CredentialKind, ...]
) -> bool | tuple[CredentialKind, ...]:
    if not e or not c:  # False or (): no requirement on that side
        return e or c
    if isinstance(e, bool) or isinstance(c, bool):
        return c if e is True else e  # True = any kind; a list of kinds is narrower
    both = tuple(k for k in e if k in c)
    return both or e  # no kind both accept: the agency's requirement holds


def _jurisdictions(e: Jurisdictions, c: Jurisdictions) -> Jurisdictions:
    deny = _union(e.deny, c.deny)
    if not (e.allow and c.allow):
        allow = e.allow or c.allow
    else:
        # Allowed by both, as explicit country codes (an `EU` both allow whole stays `EU`).
        both = expand_jurisdictions(e.allow) & expand_jurisdictions(c.allow)
        allow = tuple(code for code in _union(e.allow, c.allow)
                      if expand_jurisdictions([code]) <= both)  # fmt: skip
        allow = _union(allow, sorted(both - expand_jurisdictions(allow)))
    denied = expand_jurisdictions(deny)
    kept = tuple(code for code in allow if not expand_jurisdictions([code]) <= denied)
    if (e.allow or c.allow) and not kept:  # an empty allow-list would mean "anywhere"
        raise PolicyInvalid(
            "the chosen policy and the enforced one allow no jurisdiction in common",
            field="sourcing.jurisdictions.allow",
        )
    return Jurisdictions(allow=kept, deny=deny)


def _allegations(e: AllegationRules, c: AllegationRules) -> AllegationRules:
    return AllegationRules(
        exclude_topics=_union(e.exclude_topics, c.exclude_topics),
        min_status=min(e.min_status, c.min_status, key=_STATUS_RANK.__getitem__),
    )


def _scene_kinds(e: Policy, c: Policy) -> dict[object, SceneOverride]:
    out: dict[object, SceneOverride] = {}
    for kind in dict.fromkeys([*e.scene_kinds, *c.scene_kinds]):
        a, b = e.scene_kinds.get(kind, SceneOverride()), c.scene_kinds.get(kind, SceneOverride())
        out[kind] = SceneOverride(
            only=_both_only(a.only, b.only),
            ignore=_union(a.ignore, b.ignore),
            order=b.order if b.order is not None else a.order,
            sort=b.sort or a.sort,
            max_price=_lower(a.max_price, b.max_price),
        )
    return out


def _disclosure(e: DisclosureOptions, c: DisclosureOptions) -> DisclosureOptions:
    if e.visible_label and not c.visible_label:
        return e  # the agency requires the visible label
    if e.visible_label and e.label_scope == "whole_video":
        return c.model_copy(update={"label_scope": "whole_video"})  # ... on every frame
    return c
