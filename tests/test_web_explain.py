"""The plan in words: reason codes and why a model was chosen."""

from __future__ import annotations

from app.web.explain import excluded_models, ranked_models, reason_text, why_chosen

SCENE = {
    "chosen": "fakea/m1",
    "scores": {
        "fakea/m1": {"total": 0.9, "parts": {"fitness": 0.6, "price": 0.23, "order": 0.0}},
        "local/local-motion-1": {"total": 0.5, "parts": {"fitness": 0.5}},
    },
    "exclusions": [
        {"provider": "kling", "model": "v2", "reasons": ["not_configured", "policy.only"]},
        {
            "provider": "x",
            "model": "y",
            "reasons": ["allegation.unauthorized-distillation:alleged"],
        },
    ],
}


def test_reason_codes_read_as_words_and_unknown_ones_as_themselves() -> None:
    assert reason_text("policy.ignore") == "in the policy's `ignore` list"
    assert reason_text("allegation.unauthorized-distillation:alleged") == (
        "an allegation of unauthorized distillation (alleged), which the policy excludes"
    )
    assert reason_text("sourcing.stale:price") == (
        "the evidence for its price is older than the policy allows"
    )
    assert reason_text("sourcing.unknown:headquarters") == (
        "its headquarters is unknown and the policy excludes unknowns"
    )
    assert reason_text("catalog.unknown_model") == "not in the provider catalog"
    assert reason_text("something.new") == "something.new"


def test_why_names_the_score_and_its_parts_or_the_pin() -> None:
    assert why_chosen(SCENE, None) == (
        "Best score (0.90) of 2 eligible models: fit for the scene kind +0.60, price +0.23."
    )
    assert why_chosen(SCENE, "fakea/m1") == "Pinned by you."
    assert why_chosen({**SCENE, "chosen": None}, None).startswith("No model may make")
    only = {"chosen": "a/b", "scores": {"a/b": {"total": 1.0, "parts": {}}}}
    assert why_chosen(only, None) == "Best score (1.00), the only eligible model."


def test_models_are_ranked_and_exclusions_explained() -> None:
    assert ranked_models(SCENE) == ["fakea/m1", "local/local-motion-1"]
    assert excluded_models(SCENE)[0] == (
        "kling/v2",
        [
            "not configured on this server (no credentials)",
            "not in the policy's `only` list",
        ],
    )
