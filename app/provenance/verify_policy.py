"""The `verify` checks that look beyond the render folder: cached clips, the recorded policy and
the catalog in effect.

    scene[N].clip.sha256   the clip in the local clip cache, when present there
    policy.body            the recorded policy body re-parses to the recorded sha256
    catalog                the catalog in effect is the one the render used
    scene[N].policy        the provider/model that made the scene is still eligible under the
                           recorded policy (same catalog only)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from app.provenance.canonical import canonical_json
from app.provenance.checks import Check, fail, ok, skip
from app.provenance.manifest_model import Manifest, SceneRecord
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


def check_clips(manifest: Manifest, clip_dir: Path | None) -> list[Check]:
    index = clip_index(clip_dir)
    checks: list[Check] = []
    for scene in manifest.scenes:
        name = f"scene[{scene.number}].clip.sha256"
        checks.append(_check_cached(name, scene.clip.sha256, index, clip_dir))
        checks += _check_aspect_clips(scene, index, clip_dir)
    return checks


def _check_aspect_clips(
    scene: SceneRecord, index: dict[str, Path], clip_dir: Path | None
) -> list[Check]:
    """Clips a scene had made for other aspects (`reframing`), re-hashed like its own clip, and
    built-in scenes drawn straight into an aspect's graph, checked by their recipe."""
    checks = []
    for aspect, entry in sorted((scene.reframing or {}).items()):
        where = f"scene[{scene.number}].reframing[{aspect}]"
        if not isinstance(entry, dict):
            checks.append(fail(where, "not a record of how the scene was reframed"))
        elif "clip_sha256" in entry:
            name = f"{where}.clip_sha256"
            checks.append(_check_cached(name, str(entry["clip_sha256"]), index, clip_dir))
        elif "recipe_sha256" in entry:
            checks.append(_check_recipe(f"{where}.recipe_sha256", entry))
    return checks


def _check_recipe(name: str, entry: dict[str, Any]) -> Check:
    """A scene drawn in the compositor's graph has no clip: its recorded recipe must hash to the
    recorded sha256, and the built-in renderer must still be able to draw it."""
    try:
        request = request_from_record(entry["recipe"])
        model = str(entry["model"])
    except (KeyError, TypeError, ValueError) as exc:
        return fail(name, f"the recorded recipe is unusable: {exc}")
    found = "sha256:" + request_fingerprint(request, model)
    if found != entry.get("recipe_sha256"):
        return fail(name, f"the recorded recipe hashes to {found}, not {entry['recipe_sha256']}")
    try:
        recipe_of(request, model)
    except ProviderError as exc:
        return fail(name, f"the recipe can't be drawn by this renderer: {exc}")
    return ok(name, "re-hashed the recipe and rebuilt its drawing")


def _check_cached(name: str, want: str, index: dict[str, Path], clip_dir: Path | None) -> Check:
    path = index.get(want)
    if path is None or not path.is_file():
        return skip(name, f"not present in the clip cache {clip_dir}")
    if "sha256:" + sha256_file(path) != want:
        return fail(name, f"cached clip {path.name} no longer hashes to {want}")
    return ok(name, f"re-hashed {path.name}")


def check_policy_body(manifest: Manifest, catalog: Catalog) -> tuple[Policy | None, Check]:
    recorded = manifest.policy
    try:
        policy = parse_policy(canonical_json(recorded.body), "policy.body", catalog)
    except PolicyError as exc:
        return None, fail("policy.body", f"the recorded body does not parse: {exc}")
    if policy.sha256 != recorded.sha256:
        return None, fail(
            "policy.body", f"body hashes to {policy.sha256}, manifest records {recorded.sha256}"
        )
    return policy, ok("policy.body", f"{policy.id} v{policy.version} re-parsed, sha256 matches")


def _render_date(manifest: Manifest) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(manifest.created_at.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def check_scene_policy(
    scene: SceneRecord, policy: Policy, catalog: Catalog, rendered_on: dt.date | None = None
) -> Check:
    """Re-check the scene's provider against the policy, ageing evidence as of the render date."""
    clip, name = scene.clip, f"scene[{scene.number}].policy"
    try:
        profile = catalog.get(clip.provider)
    except KeyError:
        return fail(name, f"{clip.ref}: provider not in the catalog")
    model = profile.models.get(clip.model)
    if model is None:
        return fail(name, f"{clip.ref}: model not in the catalog")
    spec = scene.routing.scene
    scene_spec = SceneSpec(
        index=spec.index,
        kind=SceneKind(spec.kind),
        duration=float(spec.duration),
        aspect=Aspect(spec.aspect),
        has_reference_image=spec.has_reference_image,
    )
    health = snapshot([profile.id])  # availability is not a policy question
    reasons = exclusion_reasons(profile, model, scene_spec, policy, health, rendered_on)
    if reasons:
        return fail(name, f"{clip.ref} is excluded by the recorded policy: {', '.join(reasons)}")
    return ok(name, f"{clip.ref} is eligible under {policy.id}")


def check_policy(manifest: Manifest, catalog: Catalog) -> list[Check]:
    policy, body_check = check_policy_body(manifest, catalog)
    checks = [body_check]
    recorded = manifest.catalog.sha256
    same = recorded == catalog.sha256
    checks.append(
        ok("catalog", f"{recorded[:23]}… is the catalog in effect")
        if same
        else skip("catalog", f"catalog differs: render used {recorded}, here {catalog.sha256}")
    )
    rendered_on = _render_date(manifest)
    for scene in manifest.scenes:
        name = f"scene[{scene.number}].policy"
        if policy is None:
            checks.append(skip(name, "the recorded policy body did not verify"))
        elif not same:
            checks.append(skip(name, "catalog differs"))
        else:
            checks.append(check_scene_policy(scene, policy, catalog, rendered_on))
    return checks
