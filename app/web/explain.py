"""Routing decisions in words: why a model was chosen, why others were left out.

Reason codes are the router's closed vocabulary (routing/eligibility.py); this is only their
reading for people, so an unknown code is shown as itself."""

from __future__ import annotations

from typing import Any

REASONS = {
    "not_configured": "no credentials are configured for this provider",
    "health.open_circuit": "the provider is failing right now (circuit open)",
    "lifecycle.retired": "the model was retired by its vendor",
    "policy.only": "the policy allows only other providers",
    "policy.ignore": "the policy ignores this provider",
    "policy.models": "the policy excludes this model",
    "policy.max_price": "it costs more per second than the policy's max_price",
    "policy.allow_fallbacks": "the policy disables fallbacks",
    "sourcing.official_api": "only reachable through a reseller; the policy wants the official API",
    "sourcing.training_data": "its training-data disclosure is below the policy's minimum",
    "sourcing.content_credentials": "it emits none of the content credentials the policy needs",
    "sourcing.open_weights": "its open-weights status differs from the policy's",
    "sourcing.jurisdiction": "its headquarters are outside the policy's jurisdictions",
    "capability.duration": "it cannot make a clip of this scene's length",
    "capability.aspect": "it does not offer this aspect ratio",
    "capability.image_to_video": "it can make neither text- nor image-to-video",
    "budget.exceeded": "this scene alone would exceed the per-video budget",
    "catalog.unknown_model": "it is not in the provider catalog",
}
PARTS = {
    "fitness": "fit for the scene kind",
    "price": "price",
    "latency": "speed",
    "order": "policy order",
    "unfit": "unfit penalty",
    "reference_image": "reference-image penalty",
}


def reason_text(code: str) -> str:
    """One reason code in words, e.g. `allegation.unauthorized-distillation:alleged`."""
    if code in REASONS:
        return REASONS[code]
    family, _, rest = code.partition(".")
    if family == "allegation":
        topic, _, status = rest.partition(":")
        return f"an allegation of {topic.replace('-', ' ')} ({status}) that the policy excludes"
    if family == "sourcing" and ":" in rest:
        rule, _, fact = rest.partition(":")
        what = "unknown" if rule == "unknown" else "older than the policy accepts"
        return f"its {fact.replace('_', ' ')} fact is {what}"
    return code


def why_chosen(scene: dict[str, Any], pinned: str | None) -> str:
    """Why the scene's chosen model: a pin, or the best score and what made it."""
    chosen = scene.get("chosen")
    if chosen is None:
        return "No model may make this scene under this policy."
    if pinned is not None and pinned == chosen:
        return "Pinned by you."
    scores: dict[str, Any] = scene.get("scores") or {}
    mine = scores.get(chosen)
    if not mine:
        return "The only eligible model."
    others = len(scores) - 1
    parts = [
        f"{PARTS.get(name, name)} {value:+.2f}"
        for name, value in sorted(mine["parts"].items(), key=lambda kv: -abs(kv[1]))
        if value
    ]
    lead = f"Best score ({mine['total']:.2f})"
    lead += f" of {others + 1} eligible models" if others else ", the only eligible model"
    return lead + (": " + ", ".join(parts) + "." if parts else ".")


def ranked_models(scene: dict[str, Any]) -> list[str]:
    """The eligible `provider/model`s, best score first."""
    scores: dict[str, Any] = scene.get("scores") or {}
    return sorted(scores, key=lambda ref: (-float(scores[ref]["total"]), ref))


def excluded_models(scene: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Each excluded `provider/model` with its reasons in words."""
    return [
        (f"{e['provider']}/{e['model']}", [reason_text(r) for r in e.get("reasons", [])])
        for e in scene.get("exclusions") or []
    ]
