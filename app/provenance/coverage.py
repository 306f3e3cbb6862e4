"""What binds what in a render: which files and manifest fields the C2PA credentials bind, and
which only the Ed25519 signature protects. `verify` prints it beside its checks.

The chain of trust: a verifier trusts a C2PA certificate through its own trust anchors. Each
output's C2PA manifest hard-binds that MP4's bytes and carries the sha256 of the manifest's
disclosure core and the id of the key that signs manifest.json. So the disclosure core is bound
by C2PA; everything else in manifest.json, and every file it lists by hash, is bound by the
Ed25519 signature alone, whose key is trusted only because the C2PA credentials name it.

Derived from the manifest itself, so a block added to the manifest is listed where it belongs.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.provenance.manifest_model import CORE_KEYS, OPTIONAL_CORE_KEYS, Manifest

C2PA_AND_ED25519 = "C2PA + Ed25519"
ED25519_ONLY = "Ed25519 only"
NOTHING = "nothing"

_KEY_NOTE = "the signing key is trusted because the outputs' C2PA credentials name it"


@dataclass(frozen=True)
class Binding:
    subject: str  # a file, or a set of manifest fields
    bound_by: str  # C2PA_AND_ED25519, ED25519_ONLY or NOTHING
    how: str


def _outputs(manifest: Manifest) -> list[Binding]:
    return [
        Binding(
            o.file,
            C2PA_AND_ED25519,
            "its C2PA manifest hard-binds its bytes; its final "
            "sha256 is also in the signed manifest (outputs)",
        )
        for o in manifest.outputs
    ]


def _manifest_fields(manifest: Manifest) -> list[Binding]:
    document = manifest.document()
    core = [*CORE_KEYS, *(k for k in OPTIONAL_CORE_KEYS if k in document)]
    rest = [k for k in document if k not in core and k != "signature"]
    return [
        Binding(
            "manifest.json: " + ", ".join(core),
            C2PA_AND_ED25519,
            "the disclosure core: its sha256 is in every output's C2PA credentials, and the "
            "Ed25519 signature covers it (each scene's routing, attempts and clip sha256 are "
            "part of it)",
        ),
        Binding("manifest.json: " + ", ".join(rest), ED25519_ONLY, _KEY_NOTE),
    ]


def _side_files(manifest: Manifest) -> list[Binding]:
    found = [
        Binding(manifest.disclosure.vtt, ED25519_ONLY,
                f"its sha256 is in the signed manifest (disclosure.sha256); {_KEY_NOTE}"),
        Binding("scene clips", C2PA_AND_ED25519,
                "their sha256 is in the disclosure core and in each output's C2PA assertion; "
                "the clip files are re-hashed only when found in the local clip cache"),
    ]  # fmt: skip
    if any(s.input_image is not None for s in manifest.scenes):
        how = ("the images clips were made from: their sha256 and origin are in the "
               "disclosure core (scenes[].input_image) and in each output's C2PA inputTo "
               "ingredients; the image files are not re-hashed")  # fmt: skip
        found.append(Binding("input images", C2PA_AND_ED25519, how))
    report = manifest.disclosure.report
    if report is None:
        found.append(Binding("report.html", NOTHING, "this manifest records no hash of it"))
    else:
        found.append(Binding(report.file, ED25519_ONLY,
                             f"its sha256 is in the signed manifest (disclosure.report); "
                             f"{_KEY_NOTE}"))  # fmt: skip
    return found


def bindings(manifest: Manifest) -> list[Binding]:
    return [*_outputs(manifest), *_manifest_fields(manifest), *_side_files(manifest)]
