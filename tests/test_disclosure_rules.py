"""Issue 15, the pure rules: source types per element and for the whole output, where the label
is shown, the label scope in policies (hash-stable default, combined strictly), and the approval
a render request carries."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.context import load_effective_catalog
from app.policies import combine_policies
from app.provenance.label_scope import label_ranges, labelled_scenes
from app.provenance.source_types import (
    ALGORITHMIC,
    COMPOSITE,
    COMPOSITE_SYNTHETIC,
    COMPOSITE_TRAINED,
    TRAINED,
    music_source_type,
    visual_source_type,
    voice_source_type,
    whole_source_type,
)
from app.provenance.upstream_marks import upstream_marks
from app.service.entry import manifest_approval
from app.service.request import RenderRequest
from routing.policy import parse_policy


def test_each_element_gets_the_source_type_of_its_maker() -> None:
    assert visual_source_type("local") == ALGORITHMIC
    assert visual_source_type("runway") == TRAINED
    assert voice_source_type("espeak-ng") == ALGORITHMIC
    assert voice_source_type("piper") == TRAINED
    assert voice_source_type("some-cloud-tts") == TRAINED  # unknown engines never claim less
    assert music_source_type("reelroute procedural music generator v1") == ALGORITHMIC
    assert music_source_type("Artlist: Morning Light (licensed)") == COMPOSITE


@pytest.mark.parametrize(
    ("parts", "whole"),
    [
        ([ALGORITHMIC, TRAINED, ALGORITHMIC], COMPOSITE_TRAINED),
        ([ALGORITHMIC, ALGORITHMIC], COMPOSITE_SYNTHETIC),
        ([ALGORITHMIC, COMPOSITE], COMPOSITE),
        ([COMPOSITE, TRAINED], COMPOSITE_TRAINED),
    ],
)
def test_the_whole_outputs_type_follows_the_vocabulary(parts: list[str], whole: str) -> None:
    assert whole_source_type(parts) == whole


def test_label_shows_over_trained_scenes_or_the_whole_video() -> None:
    providers = ["local", "runway", "kling", "local", "veo"]
    spans = [(0.0, 4.0), (4.0, 8.0), (8.0, 11.5), (11.5, 15.0), (15.0, 19.0)]
    shown = labelled_scenes(providers, "trained_scenes")
    assert shown == {1, 2, 4}
    assert label_ranges(spans, shown) == [(4.0, 11.5), (15.0, 19.0)]
    everything = labelled_scenes(providers, "whole_video")
    assert label_ranges(spans, everything) == [(0.0, 19.0)]


def test_label_scope_default_leaves_policy_hashes_alone_and_enforced_whole_video_wins() -> None:
    catalog = load_effective_catalog(Settings())
    plain = parse_policy("id: p\n", "p.yaml", catalog)
    spelled = parse_policy("id: p\ndisclosure: {label_scope: trained_scenes}\n", "p.yaml", catalog)
    assert plain.sha256 == spelled.sha256
    assert "label_scope" not in plain.canonical_json()
    agency = parse_policy("id: a\ndisclosure: {label_scope: whole_video}\n", "a.yaml", catalog)
    assert agency.sha256 != plain.sha256
    assert combine_policies(agency, plain).disclosure.label_scope == "whole_video"
    assert combine_policies(plain, agency).disclosure.label_scope == "whole_video"


def test_watermark_evidence_comes_from_the_catalog_or_is_unknown() -> None:
    catalog = load_effective_catalog(Settings())
    veo = upstream_marks(catalog, "veo", "veo-3.1-generate-preview", "2026-12-04")
    assert veo.watermark.value == "synthid" and veo.watermark.basis == "primary"
    assert "[G2]" in veo.watermark.source and veo.survival == "unknown"
    runway = upstream_marks(catalog, "runway", "gen4.5", "2026-12-04")
    assert runway.watermark.value == "unknown" and runway.survival == "unknown"
    local = upstream_marks(catalog, "local", "local-motion-1", "2026-12-04")
    assert local.survival == "not_applicable"


def test_a_render_request_carries_an_approval_into_the_manifest_form() -> None:
    request = RenderRequest.model_validate({
        "render_id": "r1", "source": {"kind": "script", "text": "Hello there."},
        "approval": {"by": "editor@example.org", "at": "2026-12-04T10:30:00+01:00"},
    })  # fmt: skip
    approval = manifest_approval(request)
    assert approval is not None
    assert (approval.by, approval.at) == ("editor@example.org", "2026-12-04T09:30:00Z")
    bare = RenderRequest.model_validate(
        {"render_id": "r2", "source": {"kind": "script", "text": "Hello there."}}
    )
    assert manifest_approval(bare) is None
    with pytest.raises(ValueError, match="approval"):
        RenderRequest.model_validate({
            "render_id": "r3", "source": {"kind": "script", "text": "Hello there."},
            "approval": {"by": "", "at": "2026-12-04T10:30:00"},
        })  # fmt: skip
