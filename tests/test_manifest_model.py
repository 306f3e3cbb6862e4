"""The typed manifest model: lossless over what earlier writers made, strict where it owns the
shape, open where other steps add blocks, and hostile to duplicate keys and escaping paths.

`data/manifest-before-typed-model.json` was written by the dict-based writer this model replaced
(a cached re-render, so `actual_cost_usd` is the int `0`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.provenance.canonical import canonical_json
from app.provenance.manifest_model import (
    SCHEMA,
    FileDigest,
    ManifestError,
    parse_manifest,
)
from app.provenance.signing import check_signature

FIXTURE = Path(__file__).parent / "data" / "manifest-before-typed-model.json"


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text())
    return data


def _parse(raw: dict[str, Any]) -> Any:
    return parse_manifest(json.dumps(raw))


def test_a_manifest_from_the_earlier_writer_reads_back_byte_for_byte() -> None:
    text = FIXTURE.read_text()
    manifest = parse_manifest(text)
    assert canonical_json(manifest.document()) == canonical_json(json.loads(text))
    assert manifest.to_json() == text, "the pretty file is the same too"
    assert check_signature(manifest.document()) is None
    assert manifest.core_sha256() == manifest.disclosure.core_sha256
    assert manifest.render.actual_cost_usd == 0 and type(manifest.render.actual_cost_usd) is int
    assert manifest.source is None and "source" not in manifest.document()
    assert manifest.disclosure.report is None and "report" not in manifest.document()["disclosure"]
    assert manifest.scenes[0].clip.ref == "local/local-motion-1"


def test_optional_blocks_round_trip_and_stay_out_when_absent() -> None:
    raw = _raw()
    raw["source"] = {"url": "https://example.org/a", "citations": [{"scene": 1, "quote": "q"}]}
    raw["scenes"][0]["reframing"] = {"9:16": {"x": 0.3, "mode": "subject"}}
    raw["disclosure"]["report"] = {"file": "report.html", "sha256": "sha256:00"}
    manifest = _parse(raw)
    assert manifest.source["citations"][0]["quote"] == "q"
    assert manifest.scenes[0].reframing == {"9:16": {"x": 0.3, "mode": "subject"}}
    assert manifest.scenes[1].reframing is None
    assert "reframing" not in manifest.document()["scenes"][1]
    assert manifest.disclosure.report == FileDigest(file="report.html", sha256="sha256:00")
    assert canonical_json(manifest.document()) == canonical_json(raw)
    # An explicit null is kept as read, so its signature still verifies.
    raw["source"] = None
    assert _parse(raw).document()["source"] is None


def test_open_blocks_keep_unknown_fields_and_closed_ones_refuse_them() -> None:
    raw = _raw()
    raw["scenes"][0]["attempts"][0]["vendor_error_code"] = "E42"
    raw["tenant_note"] = {"anything": [1, 2]}
    manifest = _parse(raw)
    assert manifest.document()["scenes"][0]["attempts"][0]["vendor_error_code"] == "E42"
    assert manifest.document()["tenant_note"] == {"anything": [1, 2]}
    raw["signature"]["note"] = "unsigned extra"
    with pytest.raises(ManifestError, match=r"signature\.note: Extra inputs are not permitted"):
        _parse(raw)


def test_duplicate_keys_are_an_error() -> None:
    text = FIXTURE.read_text().replace('"tenant": ', '"tenant": "someone-else",\n  "tenant": ', 1)
    assert json.loads(text)["tenant"] == "local", "a plain JSON reader keeps the last one"
    with pytest.raises(ManifestError, match="duplicate key 'tenant'"):
        parse_manifest(text)


@pytest.mark.parametrize(
    "name", ["../elsewhere.mp4", "/etc/passwd", "a/../../b.mp4", "a\\b.mp4", ""]
)
def test_file_names_that_leave_the_folder_are_refused(name: str) -> None:
    raw = _raw()
    raw["outputs"][0]["file"] = name
    with pytest.raises(ManifestError, match=r"outputs\.0\.file: .*not a file inside"):
        _parse(raw)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(schema="reelroute.manifest/2"), f"not a {SCHEMA} manifest"),
        (lambda r: r["render"].update(fps="30"), r"render\.fps: Input should be a valid integer$"),
        (lambda r: r["scenes"][0]["clip"].update(width=True), r"scenes\.0\.clip\.width"),
        (lambda r: r.pop("policy"), r"policy: Field required"),
    ],
)
def test_wrong_shapes_name_the_field(change: Any, message: str) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(ManifestError, match=message):
        _parse(raw)


def test_the_model_is_immutable() -> None:
    manifest = parse_manifest(FIXTURE.read_text())
    with pytest.raises(ValueError, match="frozen"):
        manifest.tenant = "x"


def test_deeply_nested_json_is_a_clear_error() -> None:
    with pytest.raises(ManifestError, match="nested too deeply"):
        parse_manifest("[" * 200_000 + "]" * 200_000)
