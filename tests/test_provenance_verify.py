"""Signed manifests, C2PA credentials, report.html and `verify`, on one real draft render.

The render (espeak, 2 scenes, 16:9 only) is made once per module; each tampering test works on
its own copy of the render folder.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.config import Settings
from app.context import build_registry, load_effective_catalog
from app.ingest import ingest_text
from app.pipeline.plan import DEFAULT_POLICY
from app.provenance.credentials import (
    CA_FILE,
    TRUSTED,
    CredentialError,
    CredentialSpec,
    IngredientSpec,
    TrustAnchors,
    create_local_chain,
    embed_credentials,
    load_identity,
    load_trust_anchors,
    read_credentials,
    trust_anchors,
)
from app.provenance.manifest_model import parse_manifest
from app.provenance.report import render_report
from app.provenance.signing import check_signature, load_or_create_key, sign_manifest
from app.provenance.verify import Check, Verdict, VerifyInputs, verify_path
from app.render.quality import Quality
from providers.media import run_ffmpeg, sha256_file
from providers.profile import load_catalog
from providers.types import Aspect
from routing.policy import parse_policy
from tests.rendering import make_env, render

pytestmark = pytest.mark.slow

SCRIPT = """A quiet harbour at dawn, boats resting on still water.

Sales grew 42% in 2025, from 1.2 million to 1.7 million cups.
"""


@dataclass(frozen=True)
class Rendered:
    folder: Path
    settings: Settings
    video: str  # the 16:9 output's file name


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rendered]:
    root = tmp_path_factory.mktemp("render")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("REELROUTE_"):
                mp.delenv(name)
        settings = Settings(data_dir=root / "data", voice="espeak")
        env = make_env(settings, build_registry(settings))
        script = ingest_text(SCRIPT, title="Harbour")
        result = asyncio.run(
            render(script, env, root / "out", DEFAULT_POLICY, (Aspect.LANDSCAPE,), Quality.DRAFT)
        )
        yield Rendered(result.out_dir, settings, result.outputs[0].path.name)


@pytest.fixture
def copy(rendered: Rendered, tmp_path: Path) -> Path:
    """A private copy of the render folder to tamper with."""
    return Path(shutil.copytree(rendered.folder, tmp_path / "copy"))


def _inputs(settings: Settings, **kw: Any) -> VerifyInputs:
    base: dict[str, Any] = dict(
        anchors=TrustAnchors.from_pem((settings.keys_dir / CA_FILE).read_text()),
        clip_dir=settings.clip_cache_dir,
        catalog=load_effective_catalog(settings),
    )
    base.update(kw)
    return VerifyInputs(**base)


def _verdicts(checks: list[Check]) -> dict[str, Verdict]:
    return {c.name: c.verdict for c in checks}


def _failures(checks: list[Check]) -> set[str]:
    return {c.name for c in checks if c.verdict is Verdict.FAIL}


def _load(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return data


def _save(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


# --- an untouched render ---------------------------------------------------------------------


def test_untouched_render_passes_every_check(rendered: Rendered) -> None:
    checks = verify_path(rendered.folder, _inputs(rendered.settings))
    assert _failures(checks) == set(), [c for c in checks if c.verdict is not Verdict.PASS]
    verdicts = _verdicts(checks)
    for name in (
        "manifest.schema", "manifest.signature", "manifest.signing_key",
        "manifest.disclosure_core", "disclosure.vtt", "output[16:9].sha256",
        "output[16:9].c2pa.trust", "output[16:9].c2pa.binding", "output[16:9].c2pa.ingredients",
        "scene[1].clip.sha256", "scene[2].clip.sha256", "policy.body", "catalog",
        "scene[1].policy", "scene[2].policy", "report.html", "folder.unlisted",
    ):  # fmt: skip
        assert verdicts[name] is Verdict.PASS, name
    # One output MP4 alone verifies against the manifest beside it.
    alone = verify_path(rendered.folder / rendered.video, _inputs(rendered.settings))
    assert _failures(alone) == set()


def test_manifest_is_signed_and_records_final_output_hashes(rendered: Rendered) -> None:
    manifest = _load(rendered.folder)
    sig = manifest["signature"]
    assert sig["alg"] == "Ed25519" and sig["key_id"].startswith("sha256:")
    assert check_signature(manifest) is None
    (out,) = manifest["outputs"]
    assert out["sha256"] == "sha256:" + sha256_file(rendered.folder / out["file"])
    assert manifest["disclosure"]["core_sha256"].startswith("sha256:")
    key_file = rendered.settings.keys_dir / "manifest-ed25519.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_c2pa_manifest_reads_back_trusted_with_one_ingredient_per_scene(
    rendered: Rendered,
) -> None:
    anchors = (rendered.settings.keys_dir / CA_FILE).read_text()
    readout = read_credentials(rendered.folder / rendered.video, anchors)
    assert readout is not None
    assert readout.state == TRUSTED, readout.failures
    manifest = _load(rendered.folder)
    assert [i["title"] for i in readout.ingredients] == [
        f"scene {s['index'] + 1}: {s['clip']['provider']}/{s['clip']['model']}"
        for s in manifest["scenes"]
    ]
    assert {i["relationship"] for i in readout.ingredients} == {"componentOf"}
    created = [a for a in readout.actions if a["action"] == "c2pa.created"]
    # Procedural scenes, eSpeak and procedural music: all synthetic, no trained model.
    assert created[0]["digitalSourceType"].endswith("/compositeSynthetic")
    placed = [a for a in readout.actions if a["action"] == "c2pa.placed"]
    assert [a["softwareAgent"]["name"] for a in placed] == ["local/local-motion-1"] * 2
    assert readout.disclosure is not None
    assert readout.disclosure["render_id"] == manifest["render_id"]
    assert readout.disclosure["policy"]["sha256"] == manifest["policy"]["sha256"]
    assert readout.disclosure["manifest_core_sha256"] == manifest["disclosure"]["core_sha256"]


def test_c2pa_is_untrusted_under_another_anchor(rendered: Rendered, tmp_path: Path) -> None:
    create_local_chain(tmp_path)
    other = (tmp_path / CA_FILE).read_text()
    readout = read_credentials(rendered.folder / rendered.video, other)
    assert readout is not None and readout.state != TRUSTED
    checks = verify_path(
        rendered.folder, _inputs(rendered.settings, anchors=TrustAnchors.from_pem(other))
    )
    assert _failures(checks) == {"output[16:9].c2pa.trust", "manifest.signing_key"}


def test_report_html_is_self_contained(rendered: Rendered) -> None:
    html = (rendered.folder / "report.html").read_text()
    assert html.startswith("<!doctype html>")
    assert html.count('src="data:image/jpeg;base64,') == 2
    assert not re.search(r'(src|href)="(?!data:)', html), "no external resources"
    manifest = _load(rendered.folder)
    assert manifest["policy"]["sha256"] in html and "verified" in html
    assert "not_configured" in html and "local-motion-1" in html


def test_report_escapes_manifest_text(rendered: Rendered) -> None:
    raw = _load(rendered.folder)
    raw["input"]["title"] = "<script>alert(1)</script>"
    raw["scenes"][0]["clip"]["model"] = 'x"><img src=y>'
    manifest = parse_manifest(json.dumps(raw))
    html = render_report(manifest, [None, None], [Check("a<b", Verdict.FAIL, "c&d")])
    assert "<script>" not in html and "<img src=y>" not in html
    assert "&lt;script&gt;" in html and "a&lt;b" in html and "c&amp;d" in html
    assert "verification FAILED" in html


# --- tampering -------------------------------------------------------------------------------


def test_flipped_byte_in_mp4_fails(rendered: Rendered, copy: Path) -> None:
    video = copy / rendered.video
    data = bytearray(video.read_bytes())
    data[len(data) // 2] ^= 0x01
    video.write_bytes(bytes(data))
    failures = _failures(verify_path(copy, _inputs(rendered.settings)))
    assert {"output[16:9].sha256", "output[16:9].c2pa.trust"} <= failures
    assert "manifest.signature" not in failures


def test_edited_manifest_field_fails_signature(rendered: Rendered, copy: Path) -> None:
    manifest = _load(copy)
    manifest["scenes"][0]["narration"] = "A different story."
    _save(copy, manifest)
    failures = _failures(verify_path(copy, _inputs(rendered.settings)))
    assert "manifest.signature" in failures
    assert "output[16:9].c2pa.binding" in failures  # the core no longer matches the credentials


def test_swapped_scene_clips_fail(rendered: Rendered, copy: Path) -> None:
    manifest = _load(copy)
    a, b = manifest["scenes"][0], manifest["scenes"][1]
    a["clip"], b["clip"] = b["clip"], a["clip"]
    _save(copy, manifest)
    failures = _failures(verify_path(copy, _inputs(rendered.settings)))
    assert {"manifest.signature", "output[16:9].c2pa.ingredients"} <= failures


def test_replaced_policy_body_fails(rendered: Rendered, copy: Path) -> None:
    manifest = _load(copy)
    manifest["policy"]["body"]["ignore"] = ["local"]
    _save(copy, manifest)
    failures = _failures(verify_path(copy, _inputs(rendered.settings)))
    assert {"manifest.signature", "policy.body"} <= failures


def test_replaced_policy_with_matching_hash_fails_the_scene_recheck(
    rendered: Rendered, copy: Path
) -> None:
    manifest = _load(copy)
    body = manifest["policy"]["body"]
    body["ignore"] = ["local"]
    policy = parse_policy(json.dumps(body))
    manifest["policy"]["sha256"] = policy.sha256
    _save(copy, manifest)
    checks = verify_path(copy, _inputs(rendered.settings))
    failures = _failures(checks)
    assert {"scene[1].policy", "scene[2].policy", "output[16:9].c2pa.binding"} <= failures
    assert "policy.body" not in failures
    detail = next(c.detail for c in checks if c.name == "scene[1].policy")
    assert "policy.ignore" in detail


def test_resigned_with_another_key_fails_signing_key(rendered: Rendered, copy: Path) -> None:
    manifest = _load(copy)
    manifest["render"]["quality"] = "standard"
    _save(copy, sign_manifest(manifest, Ed25519PrivateKey.generate()))
    verdicts = _verdicts(verify_path(copy, _inputs(rendered.settings)))
    assert verdicts["manifest.signature"] is Verdict.PASS
    assert verdicts["manifest.signing_key"] is Verdict.FAIL


def test_missing_clips_are_skipped_and_other_catalog_skips_rechecks(
    rendered: Rendered, tmp_path: Path
) -> None:
    override = tmp_path / "catalog.yaml"
    override.write_text("providers:\n  sora: null\n")
    other = load_catalog(override)
    assert other.sha256 != load_effective_catalog(rendered.settings).sha256
    inputs = _inputs(rendered.settings, clip_dir=tmp_path / "empty", catalog=other)
    checks = verify_path(rendered.folder, inputs)
    verdicts = _verdicts(checks)
    assert verdicts["scene[1].clip.sha256"] is Verdict.SKIP
    assert "not present" in next(c.detail for c in checks if c.name == "scene[1].clip.sha256")
    assert verdicts["catalog"] is Verdict.SKIP
    assert verdicts["scene[1].policy"] is Verdict.SKIP
    assert next(c.detail for c in checks if c.name == "scene[2].policy") == "catalog differs"
    assert _failures(checks) == set()


# --- signing, keys and embedding -------------------------------------------------------------


def test_signing_is_deterministic_and_tamper_evident(rendered: Rendered) -> None:
    manifest = _load(rendered.folder)
    key = load_or_create_key(None, rendered.settings.keys_dir)
    assert sign_manifest(manifest, key) == sign_manifest(manifest, key) == manifest
    other = sign_manifest(manifest, Ed25519PrivateKey.generate())
    assert other["signature"]["value"] != manifest["signature"]["value"]
    manifest["tenant"] = "someone-else"
    assert check_signature(manifest) == "signature does not match the manifest's content"


def test_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    first = load_or_create_key(None, tmp_path / "keys")
    again = load_or_create_key(None, tmp_path / "keys")
    assert first.public_key() == again.public_key()
    assert stat.S_IMODE((tmp_path / "keys" / "manifest-ed25519.pem").stat().st_mode) == 0o600


def test_embedding_failure_names_the_output_and_leaves_it_untouched(
    rendered: Rendered, tmp_path: Path
) -> None:
    bogus = tmp_path / "broken-16x9.mp4"
    bogus.write_bytes(b"not an mp4 at all")
    spec = CredentialSpec("r", {"id": "default"}, "sha256:0", "sha256:1", "0", scenes=[])
    with pytest.raises(CredentialError, match=r"broken-16x9\.mp4"):
        embed_credentials(bogus, spec, load_identity(rendered.settings))
    assert bogus.read_bytes() == b"not an mp4 at all"
    assert list(tmp_path.iterdir()) == [bogus], "no partial file is left behind"


def test_verify_command_exit_codes(rendered: Rendered, copy: Path) -> None:
    runner = CliRunner(
        env={"COLUMNS": "200", "REELROUTE_DATA_DIR": str(rendered.settings.data_dir)}
    )
    ok = runner.invoke(cli_app, ["verify", str(rendered.folder)])
    assert ok.exit_code == 0, ok.output
    assert "pass manifest.signature" in ok.output
    (copy / rendered.video).write_bytes(b"\x00" * 64)
    bad = runner.invoke(cli_app, ["verify", str(copy)])
    assert bad.exit_code == 1
    assert "fail output[16:9].sha256" in bad.output


async def test_a_clips_own_c2pa_manifest_is_carried_as_ingredient(
    rendered: Rendered, tmp_path: Path
) -> None:
    # The rendered output has C2PA credentials: use it as an upstream clip of a new video.
    target = tmp_path / "new-16x9.mp4"
    await run_ffmpeg([
        "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=30", "-t", "1",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", str(target),
    ])  # fmt: skip
    upstream = rendered.folder / rendered.video
    scene = IngredientSpec(0, "veo", "veo-3", 0.0, 1.0, "sha256:" + sha256_file(upstream), upstream)
    spec = CredentialSpec("r2", {"id": "default"}, "sha256:0", "sha256:1", "0", scenes=[scene])
    embed_credentials(target, spec, load_identity(rendered.settings))
    anchors = (rendered.settings.keys_dir / CA_FILE).read_text()
    readout = read_credentials(target, anchors)
    assert readout is not None and readout.state == TRUSTED, readout.failures
    (ingredient,) = readout.ingredients
    assert ingredient["title"] == "scene 1: veo/veo-3"
    assert ingredient.get("active_manifest"), "the clip's own manifest is referenced"


def test_configured_c2pa_signer_is_used_instead_of_the_local_chain(tmp_path: Path) -> None:
    create_local_chain(tmp_path / "prod")
    settings = Settings(
        data_dir=tmp_path / "data",
        c2pa_cert_path=tmp_path / "prod" / "c2pa-signer-chain.pem",
        c2pa_key_path=tmp_path / "prod" / "c2pa-signer-key.pem",
        c2pa_trust_anchors_path=tmp_path / "prod" / CA_FILE,
    )
    identity = load_identity(settings)
    assert identity.alg == "es256" and identity.chain_pem.count("BEGIN CERTIFICATE") == 2
    assert not settings.keys_dir.exists(), "no local chain is created when one is configured"
    assert trust_anchors(settings) == (tmp_path / "prod" / CA_FILE).read_text()
    with pytest.raises(ValidationError, match="c2pa_cert_path and c2pa_key_path"):
        Settings(c2pa_cert_path=tmp_path / "prod" / "c2pa-signer-chain.pem")


# --- hardening: what the signature covers, and what verify refuses ----------------------------


def _resign(folder: Path, manifest: dict[str, Any], settings: Settings) -> None:
    """Sign an edited manifest with the render's own key: what an insider could do."""
    key = load_or_create_key(None, settings.keys_dir)
    _save(folder, sign_manifest(manifest, key))


def test_report_html_is_hashed_in_the_signed_manifest(rendered: Rendered, copy: Path) -> None:
    manifest = _load(rendered.folder)
    report = manifest["disclosure"]["report"]
    assert report == {
        "file": "report.html",
        "sha256": "sha256:" + sha256_file(rendered.folder / "report.html"),
    }
    html = (copy / "report.html").read_text()
    (copy / "report.html").write_text(html.replace("local-motion-1", "veo-3", 1))
    checks = verify_path(copy, _inputs(rendered.settings))
    assert _failures(checks) == {"report.html"}
    assert "report.html hashes to" in next(c.detail for c in checks if c.name == "report.html")


def test_report_was_written_before_signing(rendered: Rendered) -> None:
    html = (rendered.folder / "report.html").read_text()
    key = _load(rendered.folder)["signature"]["key_id"]
    assert f"<code>{key}</code>" in html and "signed after this report was written" in html


def test_duplicate_keys_in_the_manifest_fail(rendered: Rendered, copy: Path) -> None:
    text = (copy / "manifest.json").read_text()
    # A plain JSON reader keeps the last value, so this still verified before.
    (copy / "manifest.json").write_text(
        text.replace('"tenant": ', '"tenant": "acme", "tenant": ', 1)
    )
    checks = verify_path(copy, _inputs(rendered.settings))
    assert checks[0].name == "manifest.schema" and checks[0].verdict is Verdict.FAIL
    assert "duplicate key 'tenant'" in checks[0].detail


def test_a_manifest_link_leading_outside_the_folder_is_refused(
    rendered: Rendered, copy: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (copy / "manifest.json").rename(elsewhere / "manifest.json")
    (copy / "manifest.json").symlink_to(elsewhere / "manifest.json")
    checks = verify_path(copy, _inputs(rendered.settings))
    assert checks[0].name == "manifest.schema" and checks[0].verdict is Verdict.FAIL
    assert "outside" in checks[0].detail and "refused" in checks[0].detail


def test_output_files_outside_the_folder_are_refused(
    rendered: Rendered, copy: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    video = (copy / rendered.video).rename(elsewhere / rendered.video)
    # Named outside by a re-signed manifest: refused when the manifest is read.
    manifest = _load(copy)
    manifest["outputs"][0]["file"] = f"../elsewhere/{rendered.video}"
    _resign(copy, manifest, rendered.settings)
    checks = verify_path(copy, _inputs(rendered.settings))
    assert checks[0].name == "manifest.schema" and checks[0].verdict is Verdict.FAIL
    assert "outputs.0.file" in checks[0].detail
    # Reached through a link planted in the folder: refused, never read.
    shutil.copy(rendered.folder / "manifest.json", copy / "manifest.json")
    (copy / rendered.video).symlink_to(video)
    checks = verify_path(copy, _inputs(rendered.settings))
    assert {"output[16:9].sha256", "output[16:9].c2pa.trust"} <= _failures(checks)
    detail = next(c.detail for c in checks if c.name == "output[16:9].sha256")
    assert "outside the render folder" in detail


def test_media_files_the_manifest_does_not_list_fail(rendered: Rendered, copy: Path) -> None:
    shutil.copy(copy / rendered.video, copy / "extra-16x9.mp4")
    (copy / "stills").mkdir()
    (copy / "stills" / "frame.PNG").write_bytes(b"\x89PNG")
    (copy / "notes.txt").write_text("not media")
    checks = verify_path(copy, _inputs(rendered.settings))
    assert _failures(checks) == {"folder.unlisted"}
    detail = next(c.detail for c in checks if c.name == "folder.unlisted")
    assert detail.endswith("extra-16x9.mp4, stills/frame.PNG")
    # One listed output checked on its own does not look at the rest of the folder.
    assert _failures(verify_path(copy / rendered.video, _inputs(rendered.settings))) == set()


def test_trust_anchors_beside_the_signing_keys_warn_and_pinned_ones_pass(
    rendered: Rendered, tmp_path: Path
) -> None:
    default = load_trust_anchors(rendered.settings)
    assert default.pem is not None and default.path == rendered.settings.keys_dir / CA_FILE
    assert "REELROUTE_C2PA_TRUST_ANCHORS_PATH" in default.warning
    checks = verify_path(rendered.folder, _inputs(rendered.settings, anchors=default))
    assert _verdicts(checks)["c2pa.trust_anchors"] is Verdict.WARN
    assert _failures(checks) == set(), "a warning is not a failure"

    pinned_file = tmp_path / "verifier" / "roots.pem"
    pinned_file.parent.mkdir()
    shutil.copy(default.path, pinned_file)
    pinned = load_trust_anchors(
        rendered.settings.model_copy(update={"c2pa_trust_anchors_path": pinned_file})
    )
    assert pinned.warning == ""
    checks = verify_path(rendered.folder, _inputs(rendered.settings, anchors=pinned))
    assert _verdicts(checks)["c2pa.trust_anchors"] is Verdict.PASS
    # Pinned, but inside the keys folder, is still a warning.
    inside = rendered.settings.model_copy(
        update={"c2pa_trust_anchors_path": rendered.settings.keys_dir / CA_FILE}
    )
    assert load_trust_anchors(inside).warning


def test_what_verify_says_of_the_anchors_names_no_server_folder(
    rendered: Rendered, tmp_path: Path
) -> None:
    """Verify's checks reach report.html and API answers that clients read: the anchors are
    named by their file name, never by the server's absolute path."""
    default = load_trust_anchors(rendered.settings)
    assert f"trust anchors {CA_FILE} sit in" in default.warning
    assert str(rendered.settings.data_dir) not in default.warning
    missing = tmp_path / "elsewhere" / "roots.pem"
    broken = load_trust_anchors(
        rendered.settings.model_copy(update={"c2pa_trust_anchors_path": missing})
    )
    assert broken.pem is None
    assert broken.problem == (
        "cannot read the C2PA trust anchors roots.pem: No such file or directory"
    )
    binary = tmp_path / "roots.der"
    binary.write_bytes(b"\xff\xfe not pem")
    garbled = load_trust_anchors(
        rendered.settings.model_copy(update={"c2pa_trust_anchors_path": binary})
    )
    assert garbled.problem == ("the C2PA trust anchors roots.der are not PEM text")
    report = (rendered.folder / "report.html").read_text(encoding="utf-8")
    assert f"trust anchors {CA_FILE} sit in" in report
    assert str(rendered.settings.data_dir.parent) not in report  # nor the output folder


def test_verify_command_says_what_binds_what(rendered: Rendered, tmp_path: Path) -> None:
    roots = tmp_path / "roots.pem"
    shutil.copy(rendered.settings.keys_dir / CA_FILE, roots)
    env = {"COLUMNS": "200", "REELROUTE_DATA_DIR": str(rendered.settings.data_dir)}
    text = CliRunner(env=env).invoke(cli_app, ["verify", str(rendered.folder)])
    assert text.exit_code == 0, text.output
    assert "warn c2pa.trust_anchors" in text.output and "1 warnings" in text.output
    assert "What binds what:" in text.output and "Ed25519 only" in text.output
    env["REELROUTE_C2PA_TRUST_ANCHORS_PATH"] = str(roots)
    result = CliRunner(env=env).invoke(cli_app, ["verify", str(rendered.folder), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verified"] is True
    assert {c["verdict"] for c in data["checks"]} == {"pass"}
    bound = {b["subject"]: b["bound_by"] for b in data["bindings"]}
    assert bound[rendered.video] == "C2PA + Ed25519"
    core = "manifest.json: render_id, input, policy, catalog, scenes, digital_source_type"
    assert bound[core] == "C2PA + Ed25519"
    assert bound["report.html"] == bound["disclosure.vtt"] == "Ed25519 only"
    rest = next(s for s in bound if s.startswith("manifest.json: schema"))
    assert bound[rest] == "Ed25519 only" and "outputs" in rest and "disclosure" in rest
