"""`verify` for the per-element disclosure (issue 15): the manifest's source types, AI
disclosures and soft binding, against themselves and against each output's C2PA credentials.

    manifest.source_types           each scene's, the narration's and the music's source type is
                                    the one its maker implies, the whole output's follows from
                                    them, and a vendor scene's watermark survival is "unknown"
    output[A].c2pa.source_types     the C2PA actions carry the same types, scene by scene
    output[A].c2pa.ai_disclosure    one c2pa.ai-disclosure per generative model the manifest
                                    implies, with its oversight level (approval or not)
    output[A].c2pa.soft_binding     the soft-binding assertion carries the manifest's fingerprint
                                    (algorithm, sampling rate and every hash)
    manifest.input_images           an article image recorded as a scene's input is one the URL
                                    source fetched for that scene, with the same sha256
    output[A].c2pa.input_images     one `inputTo` ingredient per recorded input image, with its
                                    title, media type and sha256, listed by its scene's action

Manifests written before these fields existed get `skip`, saying so.
"""

from __future__ import annotations

from typing import Any

from app.provenance.ai_disclosure import disclosure_assertions
from app.provenance.checks import Check, fail, ok, skip
from app.provenance.credentials import (
    INPUT_TO,
    NARRATED,
    SCORED,
    CredentialReadout,
    input_title,
)
from app.provenance.manifest_model import Manifest, OutputRecord
from app.provenance.source_types import (
    PROCEDURAL_PROVIDERS,
    music_source_type,
    term_of,
    visual_source_type,
    voice_source_type,
    whole_source_type,
)

OLDER = "the manifest predates per-element source types"


def _expected_types(manifest: Manifest) -> list[tuple[str, str | None, str]]:
    """(element, recorded type, type its maker implies) for every element."""
    found = [
        (f"scene {s.number}", s.source_type, visual_source_type(s.clip.provider))
        for s in manifest.scenes
    ]
    found.append(
        ("narration", manifest.voice.source_type, voice_source_type(manifest.voice.engine))
    )
    found.append(("music", manifest.music.source_type, music_source_type(manifest.music.source)))
    parts = [want for _, _, want in found]
    found.append(("whole output", manifest.digital_source_type, whole_source_type(parts)))
    return found


def _marks_problems(manifest: Manifest) -> list[str]:
    wrong = []
    for s in manifest.scenes:
        marks = s.upstream_marks
        vendor = s.clip.provider not in PROCEDURAL_PROVIDERS
        if marks is None or (vendor and marks.survival != "unknown"):
            wrong.append(f"scene {s.number} upstream marks")
    return wrong


def check_source_types(manifest: Manifest) -> Check:
    name = "manifest.source_types"
    if manifest.digital_source_type is None:
        return skip(name, OLDER)
    wrong = [f"{what} ({got} != {want})" for what, got, want in _expected_types(manifest)
             if got != want]  # fmt: skip
    wrong += _marks_problems(manifest)
    if wrong:
        return fail(name, "recorded source types disagree with their makers: " + ", ".join(wrong))
    return ok(name, f"{manifest.digital_source_type}; every element's type matches its maker")


def _asserted_types(readout: CredentialReadout) -> list[tuple[str, str]]:
    """(element, IPTC term) from the C2PA actions, in the manifest's element order."""
    actions = readout.actions
    found = [
        (f"scene {i + 1}", term_of(str(a.get("digitalSourceType"))))
        for i, a in enumerate(a for a in actions if a.get("action") == "c2pa.placed")
    ]
    for label, what in ((NARRATED, "narration"), (SCORED, "music"), ("c2pa.created", "whole")):
        for a in actions:
            if a.get("action") == label:
                found.append((f"{what} output" if what == "whole" else what,
                              term_of(str(a.get("digitalSourceType")))))  # fmt: skip
    return found


def check_c2pa_source_types(prefix: str, readout: CredentialReadout, manifest: Manifest) -> Check:
    name = f"{prefix}.c2pa.source_types"
    if manifest.digital_source_type is None:
        return skip(name, OLDER)
    want = [(what, str(got)) for what, got, _ in _expected_types(manifest)]
    got = _asserted_types(readout)
    if sorted(got) != sorted(want):
        differ = sorted(set(got) ^ set(want))
        return fail(name, f"C2PA actions and manifest differ on {differ}")
    return ok(name, f"{len(want)} elements carry the manifest's source types")


def _disclosure_key(data: dict[str, Any]) -> tuple[str, str, str, str, tuple[str, ...]]:
    profile = data.get("contentProfile") or {}
    return (
        str(data.get("modelIdentifier")),
        str(data.get("modelName")),
        str(data.get("modelType")),
        str(profile.get("humanOversightLevel")),
        tuple(str(s) for s in data.get("org.reelroute.scenes") or ()),
    )


def check_ai_disclosure(prefix: str, readout: CredentialReadout, manifest: Manifest) -> Check:
    name = f"{prefix}.c2pa.ai_disclosure"
    if manifest.digital_source_type is None:
        return skip(name, OLDER)
    want = [_disclosure_key(a["data"]) for a in disclosure_assertions(manifest)]
    got = [_disclosure_key(d) for d in readout.ai_disclosures]
    if got != want:
        return fail(name, f"c2pa.ai-disclosure {got} != the manifest's models {want}")
    level = want[0][3] if want else "no generative model"
    return ok(name, f"{len(want)} generative model(s), oversight {level}")


def check_soft_binding(prefix: str, readout: CredentialReadout, entry: OutputRecord) -> Check:
    name = f"{prefix}.c2pa.soft_binding"
    if entry.fingerprint is None:
        return skip(name, "the manifest records no fingerprint for this output")
    data = readout.soft_binding or {}
    blocks = data.get("blocks") or [{}]
    value, alg = blocks[0].get("value"), data.get("alg")
    fps = (data.get("alg_params") or {}).get("fps")
    fingerprint = entry.fingerprint
    if alg != fingerprint.alg or fps != fingerprint.fps or value != "".join(fingerprint.hashes):
        return fail(name, "the C2PA soft binding differs from the manifest's fingerprint")
    return ok(name, f"{alg}, {len(entry.fingerprint.hashes)} frame hashes match")


def _source_images(manifest: Manifest) -> dict[str, dict[str, Any]]:
    """The article images the URL source recorded as used, by sha256."""
    source = (manifest.input.model_extra or {}).get("source") or {}
    images = source.get("images") or [] if isinstance(source, dict) else []
    return {str(i.get("sha256")): i for i in images if isinstance(i, dict)}


def check_manifest_input_images(manifest: Manifest) -> Check:
    name = "manifest.input_images"
    inputs = [s for s in manifest.scenes if s.input_image is not None]
    if not inputs:
        return ok(name, "no scene's clip was made from an image")
    fetched = _source_images(manifest)
    wrong = []
    for s in inputs:
        image = s.input_image
        assert image is not None
        if image.origin != "article":
            continue
        got = fetched.get(image.sha256)
        if got is None or got.get("url") != image.ref or s.index not in (got.get("scenes") or []):
            wrong.append(f"scene {s.number} ({image.ref})")
    if wrong:
        return fail(name, "input images the URL source did not fetch for their scene: "
                    + ", ".join(wrong))  # fmt: skip
    return ok(name, f"{len(inputs)} scene(s) made from an image, each traced to its origin")


def check_input_images(prefix: str, readout: CredentialReadout, manifest: Manifest) -> Check:
    name = f"{prefix}.c2pa.input_images"
    want = [
        (input_title(s.index, s.input_image), s.input_image.media_type, s.input_image.sha256)
        for s in manifest.scenes
        if s.input_image is not None
    ]
    got = [
        (str(i.get("title")), str(i.get("format")), str(i.get("description")))
        for i in readout.ingredients
        if i.get("relationship") == INPUT_TO
    ]
    asserted = [
        str(s.get("input_image_sha256"))
        for s in (readout.disclosure or {}).get("scenes", [])
        if s.get("input_image_sha256")
    ]
    if got != want or asserted != [sha for _, _, sha in want]:
        return fail(name, f"C2PA input images {got} != the manifest's {want}")
    if not want:
        return ok(name, "no scene's clip was made from an image, and none is claimed")
    return ok(name, f"{len(want)} input image(s) as inputTo ingredients, sha256 as recorded")
