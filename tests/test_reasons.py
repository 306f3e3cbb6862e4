"""Every exclusion reason code has plain words (a new code without them fails here), and the
families carry their detail into the phrase."""

from __future__ import annotations

from routing.eligibility import REASON_CODES
from routing.reasons import describe


def test_every_reason_code_is_phrased() -> None:
    concrete = [c for c in REASON_CODES if c not in ("allegation", "sourcing.unknown",
                                                     "sourcing.stale")]  # fmt: skip
    unphrased = [c for c in concrete if describe(c) == c]
    assert unphrased == []


def test_families_name_their_detail() -> None:
    assert describe("sourcing.unknown:training_data") == (
        "its training data is unknown and the policy excludes unknowns"
    )
    assert "price" in describe("sourcing.stale:price")
    assert describe("allegation.unauthorized-distillation:disputed") == (
        "an allegation of unauthorized distillation (disputed), which the policy excludes"
    )
    assert describe("something.new") == "something.new"
