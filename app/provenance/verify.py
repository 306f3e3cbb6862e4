"""`verify`: re-check a render from its files alone, one named check per fact.

Given a render folder (or one output MP4 and the manifest.json beside it), `verify_path` checks:

    manifest.schema                  the manifest parses and has our schema
    manifest.signature               the Ed25519 signature matches the manifest's content
    manifest.signing_key             the signing key is the one the trusted C2PA credentials name
    manifest.disclosure_core         the recorded core sha256 matches the manifest's content
    disclosure.vtt                   the WebVTT track's sha256
    output[A].sha256                 each output file's final sha256
    output[A].c2pa.trust             its C2PA manifest is valid and signed under a trust anchor
    output[A].c2pa.binding           its disclosure assertion names this render, policy and core
    output[A].c2pa.ingredients       one ingredient per scene, in order, same provider/model/clip
    scene[N].clip.sha256             the clip in the local clip cache, when present there
    policy.body                      the recorded policy body re-parses to the recorded sha256
    catalog                          the catalog in effect is the one the render used
    scene[N].policy                  the provider/model that made the scene is still eligible
                                     under the recorded policy (same catalog only)

Each check is pass, fail or skip with the reason; any fail means the render does not verify.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.provenance.canonical import canonical_json
from app.provenance.credentials import (
    TRUSTED,
    CredentialError,
    CredentialReadout,
    read_credentials,
)
from app.provenance.manifest import SCHEMA, core_sha256
from app.provenance.signing import check_signature
from providers.errors import ProviderError
from providers.local import request_fingerprint
from providers.local.recipe import recipe_of, request_from_record
from providers.media import sha256_file
from providers.profile import Catalog
from providers.types import Aspect, SceneKind
from routing.eligibility import exclusion_reasons
from routing.health import snapshot
from routing.policy import Policy, PolicyError, parse_policy
from routing.scene import SceneSpec


class Verdict(StrEnum):
    PASS = "pass"  # the fact holds
    FAIL = "fail"  # the fact does not hold: the render does not verify
    SKIP = "skip"  # the fact could not be checked here; the detail says why


@dataclass(frozen=True)
class Check:
    name: str
    verdict: Verdict
    detail: str


@dataclass(frozen=True)
class VerifyInputs:
    """What a verifier brings besides the files."""

    anchors_pem: str | None  # C2PA trust anchors; None when they could not be read
    anchors_problem: str  # why anchors_pem is None
    clip_dir: Path | None  # the local clip cache, to re-hash clips found there
    catalog: Catalog  # the catalog in effect here


def _ok(name: str, detail: str) -> Check:
    return Check(name, Verdict.PASS, detail)


def _fail(name: str, detail: str) -> Check:
    return Check(name, Verdict.FAIL, detail)


def _skip(name: str, detail: str) -> Check:
    return Check(name, Verdict.SKIP, detail)


def failed(checks: Iterable[Check]) -> bool:
    return any(c.verdict is Verdict.FAIL for c in checks)


# --- the manifest itself -------------------------------------------------------------------


def load_manifest(path: Path) -> tuple[dict[str, Any] | None, Check]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return None, _fail("manifest.schema", f"cannot read {path}: {exc}")
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return None, _fail("manifest.schema", f"{path} is not a {SCHEMA} manifest")
    return data, _ok("manifest.schema", f"{path.name} is {SCHEMA}")


def check_manifest_signature(manifest: dict[str, Any]) -> Check:
    problem = check_signature(manifest)
    if problem:
        return _fail("manifest.signature", problem)
    return _ok("manifest.signature", f"Ed25519, key {manifest['signature']['key_id'][:23]}…")


def check_core(manifest: dict[str, Any]) -> Check:
    recorded = (manifest.get("disclosure") or {}).get("core_sha256")
    actual = core_sha256(manifest)
    if recorded == actual:
        return _ok("manifest.disclosure_core", actual)
    return _fail("manifest.disclosure_core", f"recorded {recorded}, content hashes to {actual}")


def check_vtt(folder: Path, manifest: dict[str, Any]) -> Check:
    disclosure = manifest.get("disclosure") or {}
    path = folder / str(disclosure.get("vtt", "disclosure.vtt"))
    if not path.is_file():
        return _fail("disclosure.vtt", f"{path.name} is missing")
    actual = "sha256:" + sha256_file(path)
    if actual != disclosure.get("sha256"):
        return _fail("disclosure.vtt", f"{path.name} hashes to {actual}, manifest records "
                     f"{disclosure.get('sha256')}")  # fmt: skip
    return _ok("disclosure.vtt", f"{path.name} matches")


# --- outputs and their C2PA credentials ------------------------------------------------------


def _expected_titles(manifest: dict[str, Any]) -> list[str]:
    return [
        f"scene {s['index'] + 1}: {s['clip']['provider']}/{s['clip']['model']}"
        for s in manifest.get("scenes", [])
    ]


def check_output_hash(folder: Path, entry: dict[str, Any]) -> Check:
    name = f"output[{entry.get('aspect')}].sha256"
    path = folder / str(entry.get("file"))
    if not path.is_file():
        return _fail(name, f"{path.name} is missing")
    actual = "sha256:" + sha256_file(path)
    if actual != entry.get("sha256"):
        return _fail(name, f"{path.name} hashes to {actual[:23]}…, manifest records "
                     f"{str(entry.get('sha256'))[:23]}…")  # fmt: skip
    return _ok(name, f"{path.name} matches")


def check_trust(prefix: str, readout: CredentialReadout | None, problem: str) -> Check:
    name = f"{prefix}.c2pa.trust"
    if readout is None:
        return _fail(name, problem or "the file carries no C2PA manifest")
    if readout.state != TRUSTED:
        why = "; ".join(readout.failures) or "no trusted signer"
        return _fail(name, f"validation state {readout.state}: {why}")
    signer = readout.signer.get("common_name") or readout.signer.get("issuer") or "?"
    return _ok(name, f"valid, signed by {signer!r} under a configured trust anchor")


def check_binding(prefix: str, readout: CredentialReadout, manifest: dict[str, Any]) -> Check:
    name = f"{prefix}.c2pa.binding"
    data = readout.disclosure
    if data is None:
        return _fail(name, "no org.reelroute.disclosure assertion")
    policy = manifest.get("policy") or {}
    wrong = [
        label
        for label, got, want in (
            ("render_id", data.get("render_id"), manifest.get("render_id")),
            ("policy id", (data.get("policy") or {}).get("id"), policy.get("id")),
            ("policy sha256", (data.get("policy") or {}).get("sha256"), policy.get("sha256")),
            ("disclosure core", data.get("manifest_core_sha256"), core_sha256(manifest)),
        )
        if got != want
    ]
    if wrong:
        return _fail(name, "credentials and manifest differ on " + ", ".join(wrong))
    return _ok(name, "render id, policy and disclosure core match the manifest")


def check_ingredients(prefix: str, readout: CredentialReadout, manifest: dict[str, Any]) -> Check:
    name = f"{prefix}.c2pa.ingredients"
    want = _expected_titles(manifest)
    got = [str(i.get("title")) for i in readout.ingredients]
    if got != want:
        return _fail(name, f"ingredients {got} != scenes {want}")
    clips = [s["clip"]["sha256"] for s in manifest.get("scenes", [])]
    asserted = [s.get("clip_sha256") for s in (readout.disclosure or {}).get("scenes", [])]
    if asserted != clips:
        return _fail(name, "the clips the credentials name differ from the manifest's scenes")
    return _ok(name, f"{len(got)} ingredients, one per scene, in order")


def check_outputs(
    folder: Path, manifest: dict[str, Any], only: str | None, inputs: VerifyInputs
) -> tuple[list[Check], list[CredentialReadout]]:
    checks: list[Check] = []
    trusted: list[CredentialReadout] = []
    entries = [o for o in manifest.get("outputs", []) if only is None or o.get("file") == only]
    if only is not None and not entries:
        checks.append(_fail(f"output[{only}]", "the manifest does not list this file"))
    for entry in entries:
        prefix = f"output[{entry.get('aspect')}]"
        checks.append(check_output_hash(folder, entry))
        readout, problem = _read(folder / str(entry.get("file")), inputs)
        checks.append(check_trust(prefix, readout, problem))
        if readout is None:
            for part in ("binding", "ingredients"):
                checks.append(_skip(f"{prefix}.c2pa.{part}", "no C2PA manifest was read"))
            continue
        if readout.state == TRUSTED:
            trusted.append(readout)
        checks.append(check_binding(prefix, readout, manifest))
        checks.append(check_ingredients(prefix, readout, manifest))
    return checks, trusted


def _read(path: Path, inputs: VerifyInputs) -> tuple[CredentialReadout | None, str]:
    if inputs.anchors_pem is None:
        return None, inputs.anchors_problem
    if not path.is_file():
        return None, f"{path.name} is missing"
    try:
        return read_credentials(path, inputs.anchors_pem), ""
    except CredentialError as exc:
        return None, str(exc)


def check_signing_key(manifest: dict[str, Any], trusted: Sequence[CredentialReadout]) -> Check:
    name = "manifest.signing_key"
    key = (manifest.get("signature") or {}).get("key_id")
    named = {str((r.disclosure or {}).get("manifest_key_id")) for r in trusted}
    if not named:
        return _fail(name, "no trusted C2PA credentials name the manifest's signing key")
    if named != {key}:
        return _fail(name, f"signed with {str(key)[:23]}…, credentials name "
                     + ", ".join(k[:23] + "…" for k in sorted(named)))  # fmt: skip
    return _ok(name, "the trusted C2PA credentials name this key")


# --- clips, policy and catalog -------------------------------------------------------------


def clip_index(clip_dir: Path | None) -> dict[str, Path]:
    """Clip sha256 (tagged) -> cached file, from the cache's JSON sidecars."""
    found: dict[str, Path] = {}
    if clip_dir is None or not clip_dir.is_dir():
        return found
    for meta in clip_dir.glob("*/*.json"):
        try:
            sha = json.loads(meta.read_text(encoding="utf-8"))["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        found["sha256:" + str(sha).removeprefix("sha256:")] = meta.with_suffix(".mp4")
    return found


def check_clips(manifest: dict[str, Any], inputs: VerifyInputs) -> list[Check]:
    index = clip_index(inputs.clip_dir)
    checks: list[Check] = []
    for scene in manifest.get("scenes", []):
        name = f"scene[{scene['index'] + 1}].clip.sha256"
        checks.append(_check_cached(name, scene["clip"]["sha256"], index, inputs))
        checks += _check_aspect_clips(scene, index, inputs)
    return checks


def _check_aspect_clips(
    scene: dict[str, Any], index: dict[str, Path], inputs: VerifyInputs
) -> list[Check]:
    """Clips a scene had made for other aspects (`reframing`), re-hashed like its own clip."""
    checks = []
    for aspect, entry in sorted(scene.get("reframing", {}).items()):
        where = f"scene[{scene['index'] + 1}].reframing[{aspect}]"
        if "clip_sha256" in entry:
            checks.append(
                _check_cached(f"{where}.clip_sha256", entry["clip_sha256"], index, inputs)
            )
        elif "recipe_sha256" in entry:
            checks.append(_check_recipe(f"{where}.recipe_sha256", entry))
    return checks


def _check_recipe(name: str, entry: dict[str, Any]) -> Check:
    """A scene drawn in the compositor's graph has no clip: its recorded recipe must hash to the
    recorded sha256, and the built-in renderer must still be able to draw it."""
    try:
        request = request_from_record(entry["recipe"])
    except ValueError as exc:
        return _fail(name, f"the recorded recipe is unusable: {exc}")
    found = "sha256:" + request_fingerprint(request, entry["model"])
    if found != entry["recipe_sha256"]:
        return _fail(name, f"the recorded recipe hashes to {found}, not {entry['recipe_sha256']}")
    try:
        recipe_of(request, entry["model"])
    except ProviderError as exc:
        return _fail(name, f"the recipe can't be drawn by this renderer: {exc}")
    return _ok(name, "re-hashed the recipe and rebuilt its drawing")


def _check_cached(name: str, want: str, index: dict[str, Path], inputs: VerifyInputs) -> Check:
    path = index.get(want)
    if path is None or not path.is_file():
        return _skip(name, f"not present in the clip cache {inputs.clip_dir}")
    if "sha256:" + sha256_file(path) != want:
        return _fail(name, f"cached clip {path.name} no longer hashes to {want}")
    return _ok(name, f"re-hashed {path.name}")


def check_policy_body(manifest: dict[str, Any], catalog: Catalog) -> tuple[Policy | None, Check]:
    recorded = manifest.get("policy") or {}
    try:
        policy = parse_policy(canonical_json(recorded.get("body")), "policy.body", catalog)
    except PolicyError as exc:
        return None, _fail("policy.body", f"the recorded body does not parse: {exc}")
    if policy.sha256 != recorded.get("sha256"):
        return None, _fail(
            "policy.body",
            f"body hashes to {policy.sha256}, manifest records {recorded.get('sha256')}",
        )
    return policy, _ok("policy.body", f"{policy.id} v{policy.version} re-parsed, sha256 matches")


def _render_date(manifest: dict[str, Any]) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(str(manifest["created_at"]).replace("Z", "+00:00")).date()
    except (KeyError, ValueError):
        return None


def check_scene_policy(
    scene: dict[str, Any], policy: Policy, catalog: Catalog, rendered_on: dt.date | None = None
) -> Check:
    """Re-check the scene's provider against the policy, ageing evidence as of the render date."""
    clip = scene["clip"]
    name = f"scene[{scene['index'] + 1}].policy"
    ref = f"{clip['provider']}/{clip['model']}"
    try:
        profile = catalog.get(clip["provider"])
    except KeyError:
        return _fail(name, f"{ref}: provider not in the catalog")
    model = profile.models.get(clip["model"])
    if model is None:
        return _fail(name, f"{ref}: model not in the catalog")
    spec = scene["routing"]["scene"]
    scene_spec = SceneSpec(
        index=int(spec["index"]),
        kind=SceneKind(spec["kind"]),
        duration=float(spec["duration"]),
        aspect=Aspect(spec["aspect"]),
        has_reference_image=bool(spec.get("has_reference_image", False)),
    )
    health = snapshot([profile.id])  # availability is not a policy question
    reasons = exclusion_reasons(profile, model, scene_spec, policy, health, rendered_on)
    if reasons:
        return _fail(name, f"{ref} is excluded by the recorded policy: {', '.join(reasons)}")
    return _ok(name, f"{ref} is eligible under {policy.id}")


def check_policy(manifest: dict[str, Any], catalog: Catalog) -> list[Check]:
    policy, body_check = check_policy_body(manifest, catalog)
    checks = [body_check]
    recorded = str((manifest.get("catalog") or {}).get("sha256"))
    same = recorded == catalog.sha256
    checks.append(
        _ok("catalog", f"{recorded[:23]}… is the catalog in effect")
        if same
        else _skip("catalog", f"catalog differs: render used {recorded}, here {catalog.sha256}")
    )
    rendered_on = _render_date(manifest)
    for scene in manifest.get("scenes", []):
        name = f"scene[{scene['index'] + 1}].policy"
        if policy is None:
            checks.append(_skip(name, "the recorded policy body did not verify"))
        elif not same:
            checks.append(_skip(name, "catalog differs"))
        else:
            checks.append(check_scene_policy(scene, policy, catalog, rendered_on))
    return checks


# --- the whole render ------------------------------------------------------------------------


def locate(path: Path) -> tuple[Path, str | None]:
    """(render folder, output file name when PATH is one MP4)."""
    if path.is_dir():
        return path, None
    return path.parent, path.name


def verify_path(path: Path, inputs: VerifyInputs) -> list[Check]:
    """Every check for a render folder or one output MP4; see the module docstring."""
    folder, only = locate(path)
    if only is None and not folder.is_dir():
        return [_fail("path", f"{path} is neither a render folder nor an output file")]
    if only is not None and not path.is_file():
        return [_fail("path", f"{path} does not exist")]
    manifest, schema = load_manifest(folder / "manifest.json")
    if manifest is None:
        readout, problem = _read(path, inputs) if only else (None, "no manifest to check against")
        return [schema, check_trust(f"output[{only or '?'}]", readout, problem)]
    try:
        return [schema, *_verify_manifest(folder, manifest, only, inputs)]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return [schema, _fail("manifest.structure", f"malformed manifest: {exc!r}")]


def _verify_manifest(
    folder: Path, manifest: dict[str, Any], only: str | None, inputs: VerifyInputs
) -> list[Check]:
    checks = [check_manifest_signature(manifest), check_core(manifest)]
    output_checks, trusted = check_outputs(folder, manifest, only, inputs)
    checks.append(check_signing_key(manifest, trusted))
    checks.append(check_vtt(folder, manifest))
    checks += output_checks
    checks += check_clips(manifest, inputs)
    checks += check_policy(manifest, inputs.catalog)
    return checks
