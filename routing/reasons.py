"""Exclusion reason codes in plain words, for people reading a plan, a policy or a disclosure.

The codes themselves (`routing.eligibility`) are the contract; this only phrases them. Families
carry their detail after a colon or a dot (`sourcing.unknown:price`,
`allegation.unauthorized-distillation:alleged`) and are phrased with it.
"""

from __future__ import annotations

from routing.eligibility import SOURCING_STALE, SOURCING_UNKNOWN

_PLAIN: dict[str, str] = {
    "not_configured": "not configured on this server (no credentials)",
    "health.open_circuit": "temporarily failing (circuit breaker open)",
    "lifecycle.retired": "retired by its vendor",
    "policy.only": "not in the policy's `only` list",
    "policy.ignore": "in the policy's `ignore` list",
    "policy.models": "model excluded by the policy's `models` rule",
    "policy.max_price": "price per second above the policy's `max_price`",
    "sourcing.official_api": "reached through a reseller; the policy requires the official API",
    "sourcing.training_data": "discloses less about its training data than the policy requires",
    "sourcing.content_credentials": "emits none of the content credentials the policy requires",
    "sourcing.open_weights": "open-weights status differs from what the policy requires",
    "sourcing.jurisdiction": "headquartered in a jurisdiction the policy does not allow",
    "capability.duration": "cannot make a clip this long",
    "capability.aspect": "does not offer this aspect ratio",
    "capability.image_to_video": "can do neither text- nor image-to-video",
    "budget.exceeded": "this scene alone would exceed the per-video budget",
    "policy.allow_fallbacks": "eligible, but the policy disables fallbacks",
    "catalog.unknown_model": "not in the provider catalog",
}


def describe(code: str) -> str:
    """`code` in plain words; an unknown code is returned as it is."""
    if code in _PLAIN:
        return _PLAIN[code]
    family, _, detail = code.partition(":")
    if family == SOURCING_UNKNOWN:
        return f"its {detail.replace('_', ' ')} is unknown and the policy excludes unknowns"
    if family == SOURCING_STALE:
        return f"the evidence for its {detail.replace('_', ' ')} is older than the policy allows"
    if family.startswith("allegation."):
        topic = family.removeprefix("allegation.")
        status = f" ({detail})" if detail else ""
        return f"an allegation of {topic.replace('-', ' ')}{status}, which the policy excludes"
    return code
