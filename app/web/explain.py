"""Routing decisions in words: why a model was chosen, why others were left out.

Reason codes are the router's closed vocabulary (routing/eligibility.py); this is only their
reading for people, so an unknown code is shown as itself."""

from __future__ import annotations

from typing import Any

from routing.reasons import describe

PARTS = {
    "fitness": "fit for the scene kind",
    "price": "price",
    "latency": "speed",
    "order": "policy order",
    "unfit": "unfit penalty",
    "reference_image": "reference-image penalty",
}


def reason_text(code: str) -> str:
    """One reason code in words, e.g. `allegation.unauthorized-distillation:alleged` (one table
    for the API, the web and the disclosure: `routing.reasons`)."""
    return describe(code)


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
