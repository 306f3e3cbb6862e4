"""`verify`: re-check a render from its files alone, one named check per fact.

Given a render folder (or one output MP4 and the manifest.json beside it), `verify_path` checks:

    draft                            fails, alone, when manifest.json is a draft's
                                     (app.provenance.draft_manifest): never publishable
    manifest.schema                  manifest.json is inside the folder, parses (no duplicate
                                     keys) and is a reelroute.manifest/1 document
    manifest.signature               the Ed25519 signature matches the manifest's content
    manifest.disclosure_core         the recorded core sha256 matches the manifest's content
    manifest.signing_key             the signing key is the one the trusted C2PA credentials name
    disclosure.vtt                   the WebVTT track's sha256
    report.html                      the report's sha256 (skip: older manifests record none)
    c2pa.trust_anchors               where the trust anchors come from (warn: from the writable
                                     folder that holds the signing keys)
    output[A].sha256                 each output file's final sha256
    output[A].c2pa.trust             its C2PA manifest is valid and signed under a trust anchor
    output[A].c2pa.binding           its disclosure assertion names this render, policy and core
    output[A].c2pa.ingredients       one ingredient per scene, in order, same provider/model/clip
    manifest.source_types, manifest.input_images, output[A].c2pa.input_images,
    output[A].c2pa.source_types, output[A].c2pa.ai_disclosure,
    output[A].c2pa.soft_binding      see app.provenance.verify_disclosure
    manifest.label_ranges, output[A].label   see app.provenance.label_check
    scene[N].clip.sha256, policy.body, catalog, scene[N].policy   see app.provenance.verify_policy
    folder.unlisted                  no media file in the folder that the manifest does not list

Every file the manifest names must stay inside the folder once links are followed; one that
does not is refused, never read. Each check is pass, fail, skip or warn with the reason; any
fail means the render does not verify. What each check's subject is bound by (C2PA, the Ed25519
signature, or nothing) is listed by `app.provenance.coverage`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.provenance.checks import Check, Verdict, fail, failed, ok, skip, warn
from app.provenance.credentials import (
    INPUT_TO,
    TRUSTED,
    CredentialError,
    CredentialReadout,
    TrustAnchors,
    read_credentials,
)
from app.provenance.draft_manifest import NOT_PUBLISHABLE, is_draft
from app.provenance.label_check import check_label_coverage, check_label_ranges
from app.provenance.manifest_model import Manifest, ManifestError, OutputRecord, parse_manifest
from app.provenance.signing import check_signature
from app.provenance.verify_disclosure import (
    check_ai_disclosure,
    check_c2pa_source_types,
    check_input_images,
    check_manifest_input_images,
    check_soft_binding,
    check_source_types,
)
from app.provenance.verify_policy import check_clips, check_policy
from providers.media import sha256_file
from providers.profile import Catalog

__all__ = ["Check", "Verdict", "Verification", "VerifyInputs", "failed", "verify_path"]

MANIFEST_FILE = "manifest.json"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024  # far above any real render; refuses a hostile giant
# What counts as media for `folder.unlisted`: video, audio and still images.
MEDIA_SUFFIXES = frozenset({
    ".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".wav", ".mp3", ".m4a", ".aac", ".ogg",
    ".opus", ".flac", ".jpg", ".jpeg", ".png", ".gif", ".webp",
})  # fmt: skip


@dataclass(frozen=True)
class VerifyInputs:
    """What a verifier brings besides the files."""

    anchors: TrustAnchors  # C2PA trust anchors, where they came from, any warning
    clip_dir: Path | None  # the local clip cache, to re-hash clips found there
    catalog: Catalog  # the catalog in effect here


@dataclass(frozen=True)
class Verification:
    checks: list[Check]
    manifest: Manifest | None  # None when manifest.json could not be read


# --- files inside the folder -----------------------------------------------------------------


def inside(folder: Path, name: str) -> Path | None:
    """`folder/name` when it stays inside `folder` once links are followed, else None."""
    root = folder.resolve()
    target = (folder / name).resolve()
    return target if target != root and target.is_relative_to(root) else None


def check_file(folder: Path, check: str, file: str, want: str) -> Check:
    path = inside(folder, file)
    if path is None:
        return fail(check, f"{file} leads outside the render folder: refused, not read")
    if not path.is_file():
        return fail(check, f"{file} is missing")
    actual = "sha256:" + sha256_file(path)
    if actual != want:
        return fail(check, f"{file} hashes to {actual[:23]}…, manifest records {want[:23]}…")
    return ok(check, f"{file} matches")


def _media_files(folder: Path) -> list[str]:
    """Media files under `folder` (links listed, never followed), relative POSIX paths."""
    found = []
    for root, _dirs, files in os.walk(folder, followlinks=False):
        for name in files:
            if Path(name).suffix.lower() in MEDIA_SUFFIXES:
                found.append((Path(root) / name).relative_to(folder).as_posix())
    return sorted(found)


def check_unlisted(folder: Path, manifest: Manifest) -> Check:
    listed = {o.file for o in manifest.outputs}
    extra = [f for f in _media_files(folder) if f not in listed]
    if extra:
        return fail("folder.unlisted", "media files the manifest does not list, so nothing "
                    "here vouches for them: " + ", ".join(extra))  # fmt: skip
    return ok("folder.unlisted", f"no media files beyond the {len(listed)} the manifest lists")


# --- the manifest itself -------------------------------------------------------------------


def load_manifest(folder: Path) -> tuple[Manifest | None, Check]:
    name = "manifest.schema"
    path = inside(folder, MANIFEST_FILE)
    if path is None:
        return None, fail(name, f"{MANIFEST_FILE} leads outside {folder}: refused, not read")
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return None, fail(name, f"{MANIFEST_FILE} is larger than {MAX_MANIFEST_BYTES} bytes")
        manifest = parse_manifest(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, fail(name, f"cannot read {MANIFEST_FILE}: {exc}")
    except ManifestError as exc:
        return None, fail(name, f"{MANIFEST_FILE}: {exc}")
    return manifest, ok(name, f"{MANIFEST_FILE} is {manifest.schema_}")


def check_not_draft(folder: Path) -> Check | None:
    """A failing `draft` check when the folder's manifest.json is a draft's, else None: a
    draft is never verified as a publishable output, whatever else it holds."""
    path = inside(folder, MANIFEST_FILE)
    try:
        if path is None or path.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None  # load_manifest says what is wrong with it
    return fail("draft", NOT_PUBLISHABLE) if is_draft(data) else None


def check_manifest_signature(manifest: Manifest) -> Check:
    problem = check_signature(manifest.document())
    if problem or manifest.signature is None:
        return fail("manifest.signature", problem or "the manifest is not signed")
    return ok("manifest.signature", f"Ed25519, key {manifest.signature.key_id[:23]}…")


def check_core(manifest: Manifest) -> Check:
    recorded, actual = manifest.disclosure.core_sha256, manifest.core_sha256()
    if recorded == actual:
        return ok("manifest.disclosure_core", actual)
    return fail("manifest.disclosure_core", f"recorded {recorded}, content hashes to {actual}")


def check_vtt(folder: Path, manifest: Manifest) -> Check:
    return check_file(folder, "disclosure.vtt", manifest.disclosure.vtt, manifest.disclosure.sha256)


def check_report(folder: Path, manifest: Manifest) -> Check:
    digest = manifest.disclosure.report
    if digest is None:
        return skip("report.html", "the manifest records no report hash: report.html is not "
                    "covered by any signature")  # fmt: skip
    return check_file(folder, "report.html", digest.file, digest.sha256)


def check_anchors(anchors: TrustAnchors) -> Check | None:
    if anchors.pem is None:
        return None  # every c2pa.trust check fails, naming the problem
    if anchors.warning:
        return warn("c2pa.trust_anchors", anchors.warning)
    where = f"pinned in {anchors.path}" if anchors.path else "given by the caller"
    return ok("c2pa.trust_anchors", f"{where}, apart from the signing keys")


# --- outputs and their C2PA credentials ------------------------------------------------------


def check_trust(prefix: str, readout: CredentialReadout | None, problem: str) -> Check:
    name = f"{prefix}.c2pa.trust"
    if readout is None:
        return fail(name, problem or "the file carries no C2PA manifest")
    if readout.state != TRUSTED:
        why = "; ".join(readout.failures) or "no trusted signer"
        return fail(name, f"validation state {readout.state}: {why}")
    signer = readout.signer.get("common_name") or readout.signer.get("issuer") or "?"
    return ok(name, f"valid, signed by {signer!r} under a configured trust anchor")


def check_binding(prefix: str, readout: CredentialReadout, manifest: Manifest) -> Check:
    name = f"{prefix}.c2pa.binding"
    data = readout.disclosure
    if data is None:
        return fail(name, "no org.reelroute.disclosure assertion")
    asserted = data.get("policy") or {}
    wrong = [
        label
        for label, got, want in (
            ("render_id", data.get("render_id"), manifest.render_id),
            ("policy id", asserted.get("id"), manifest.policy.id),
            ("policy sha256", asserted.get("sha256"), manifest.policy.sha256),
            ("disclosure core", data.get("manifest_core_sha256"), manifest.core_sha256()),
        )
        if got != want
    ]
    if wrong:
        return fail(name, "credentials and manifest differ on " + ", ".join(wrong))
    return ok(name, "render id, policy and disclosure core match the manifest")


def check_ingredients(prefix: str, readout: CredentialReadout, manifest: Manifest) -> Check:
    name = f"{prefix}.c2pa.ingredients"
    want = [f"scene {s.number}: {s.clip.ref}" for s in manifest.scenes]
    # The images clips were made from are `inputTo` ingredients (check_input_images).
    got = [str(i.get("title")) for i in readout.ingredients if i.get("relationship") != INPUT_TO]
    if got != want:
        return fail(name, f"ingredients {got} != scenes {want}")
    clips = [s.clip.sha256 for s in manifest.scenes]
    asserted = [s.get("clip_sha256") for s in (readout.disclosure or {}).get("scenes", [])]
    if asserted != clips:
        return fail(name, "the clips the credentials name differ from the manifest's scenes")
    return ok(name, f"{len(got)} ingredients, one per scene, in order")


def _read(folder: Path, file: str, anchors: TrustAnchors) -> tuple[CredentialReadout | None, str]:
    if anchors.pem is None:
        return None, anchors.problem
    path = inside(folder, file)
    if path is None or not path.is_file():
        return None, f"{file} is missing or outside the render folder"
    try:
        return read_credentials(path, anchors.pem), ""
    except CredentialError as exc:
        return None, str(exc)


def _output_checks(
    folder: Path, entry: OutputRecord, manifest: Manifest, anchors: TrustAnchors
) -> tuple[list[Check], CredentialReadout | None]:
    prefix = f"output[{entry.aspect}]"
    checks = [check_file(folder, f"{prefix}.sha256", entry.file, entry.sha256)]
    readout, problem = _read(folder, entry.file, anchors)
    checks.append(check_trust(prefix, readout, problem))
    if readout is None:
        unread = "no C2PA manifest was read"
        parts = ("binding", "ingredients", "input_images", "source_types", "ai_disclosure",
                 "soft_binding")  # fmt: skip
        checks += [skip(f"{prefix}.c2pa.{part}", unread) for part in parts]
        return checks, None
    checks.append(check_binding(prefix, readout, manifest))
    checks.append(check_ingredients(prefix, readout, manifest))
    checks += [
        check_input_images(prefix, readout, manifest),
        check_c2pa_source_types(prefix, readout, manifest),
        check_ai_disclosure(prefix, readout, manifest),
        check_soft_binding(prefix, readout, entry),
    ]
    video = inside(folder, entry.file)
    if video is not None and video.is_file():
        checks.append(check_label_coverage(prefix, video, entry, manifest))
    return checks, readout if readout.state == TRUSTED else None


def check_outputs(
    folder: Path, manifest: Manifest, only: str | None, anchors: TrustAnchors
) -> tuple[list[Check], list[CredentialReadout]]:
    entries = [o for o in manifest.outputs if only is None or o.file == only]
    checks: list[Check] = []
    if only is not None and not entries:
        checks.append(fail(f"output[{only}]", "the manifest does not list this file"))
    trusted: list[CredentialReadout] = []
    for entry in entries:
        found, readout = _output_checks(folder, entry, manifest, anchors)
        checks += found
        trusted += [readout] if readout is not None else []
    return checks, trusted


def check_signing_key(key: str | None, trusted: Sequence[CredentialReadout]) -> Check:
    name = "manifest.signing_key"
    named = {str((r.disclosure or {}).get("manifest_key_id")) for r in trusted}
    if not named:
        return fail(name, "no trusted C2PA credentials name the manifest's signing key")
    if named != {key}:
        return fail(name, f"signed with {str(key)[:23]}…, credentials name "
                    + ", ".join(k[:23] + "…" for k in sorted(named)))  # fmt: skip
    return ok(name, "the trusted C2PA credentials name this key")


# --- the whole render ------------------------------------------------------------------------


def locate(path: Path) -> tuple[Path, str | None]:
    """(render folder, output file name when PATH is one MP4)."""
    if path.is_dir():
        return path, None
    return path.parent, path.name


def _contents(
    folder: Path, manifest: Manifest, only: str | None, inputs: VerifyInputs, key: str | None
) -> list[Check]:
    """Everything but the signature, the report and the folder listing."""
    output_checks, trusted = check_outputs(folder, manifest, only, inputs.anchors)
    checks = [check_signing_key(key, trusted), check_vtt(folder, manifest)]
    anchors = check_anchors(inputs.anchors)
    checks += [anchors] if anchors else []
    checks += output_checks
    checks += [
        check_source_types(manifest),
        check_manifest_input_images(manifest),
        check_label_ranges(manifest),
    ]
    checks += check_clips(manifest, inputs.clip_dir)
    checks += check_policy(manifest, inputs.catalog)
    return checks


def verify_render(path: Path, inputs: VerifyInputs) -> Verification:
    """Every check for a render folder or one output MP4; see the module docstring."""
    folder, only = locate(path)
    if only is None and not folder.is_dir():
        return Verification([fail("path", f"{path} is neither a render folder nor a file")], None)
    if only is not None and not path.is_file():
        return Verification([fail("path", f"{path} does not exist")], None)
    draft = check_not_draft(folder)
    if draft is not None:
        return Verification([draft], None)
    manifest, schema = load_manifest(folder)
    if manifest is None:
        readout, problem = (
            _read(folder, only, inputs.anchors) if only else (None, "no manifest to check against")
        )
        return Verification([schema, check_trust(f"output[{only or '?'}]", readout, problem)], None)
    key = manifest.signature.key_id if manifest.signature else None
    checks = [schema, check_manifest_signature(manifest), check_core(manifest)]
    checks += _contents(folder, manifest, only, inputs, key)
    checks.append(check_report(folder, manifest))
    if only is None:
        checks.append(check_unlisted(folder, manifest))
    return Verification(checks, manifest)


def verify_path(path: Path, inputs: VerifyInputs) -> list[Check]:
    return verify_render(path, inputs).checks


def verify_before_signing(
    folder: Path, manifest: Manifest, key_id: str, inputs: VerifyInputs
) -> list[Check]:
    """The checks report.html records: it is written before the manifest is signed (so that the
    signature can cover the report), hence the signature is not checked here; `key_id` is the
    key that will sign. The folder listing is left to `verify` on the finished folder."""
    signature = skip("manifest.signature", "signed after this report was written; the "
                     "signature covers this report's sha256")  # fmt: skip
    return [signature, check_core(manifest), *_contents(folder, manifest, None, inputs, key_id)]
