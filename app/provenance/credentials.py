"""C2PA content credentials in every output MP4, written and read with c2pa-python.

Each output gets one C2PA manifest (claim v2, `specVersion` 2.4 in the claim generator info):

* a `c2pa.actions.v2` assertion: `c2pa.created` with the whole output's digital source type
  (derived from its parts, `app.provenance.source_types`); a `c2pa.placed` action per scene
  naming provider/model as software agent, the scene's own digital source type
  (`trainedAlgorithmicMedia` for a vendor model, `algorithmicMedia` for the procedural
  renderer) and time range; `org.reelroute.narrated` and `org.reelroute.scored` actions with
  the narration's and the music's source types;
* one `c2pa.ingredient.v3` per scene clip (relationship `componentOf`, title
  `scene N: provider/model`), added from the clip file itself so that a clip's own upstream
  C2PA manifest, when it has one, is carried along; and, where the clip was made from an image
  (an article image a vendor animated), one more `c2pa.ingredient.v3` for that image
  (relationship `inputTo`, title `scene N input: <URL or file name>`, description its sha256),
  which the scene's `c2pa.placed` action lists beside the clip;
* one `c2pa.ai-disclosure` per generative model (`app.provenance.ai_disclosure`);
* a `c2pa.soft-binding` carrying the output's perceptual fingerprint
  (`app.provenance.fingerprint`), when one was computed;
* a custom assertion `org.reelroute.disclosure` that binds the claim to our manifest.json.

Ordering. Embedding changes each MP4's bytes, and manifest.json records each output's sha256,
so the C2PA claim cannot carry the manifest's own hash. We break the cycle like this:

1. the *disclosure core* is fixed first: the manifest's render id, input, policy (id, version,
   sha256, body), catalog hash and scenes (routing, attempts, clip hashes) - everything that says
   who made which scene under which policy, and nothing that depends on the outputs;
2. every output is embedded with a custom assertion carrying the core's sha256 and the key id of
   the Ed25519 key that will sign the manifest;
3. the manifest then records each output's *final* (post-embedding) sha256 and the core's
   sha256, and is signed.

`verify` recomputes the core from manifest.json and compares it with the assertion read back
from each MP4 (signed by a trusted certificate), checks the manifest's signing key is the one
the credentials name, and checks every output's final sha256.

Reproducible: c2pa-rs draws the manifest label, the claim's instance id, each assertion's salt
and the ES256 nonce at random. `embed_credentials` derives the label and instance id (unique per
render id, output content and definition) and `app.provenance.reseal` makes the salts and the
signature follow from the key, so the same output, spec and key always give the same bytes.

Signer: by default a local test chain (a CA plus an ES256 leaf with digitalSignature and the
emailProtection EKU, which c2pa accepts) is created on first use in `<data_dir>/keys`; the CA's
private key is discarded, so nothing else can be signed under it. Production configures
`c2pa_cert_path` + `c2pa_key_path`; verification trusts `c2pa_trust_anchors_path` (default: the
local CA). Anchors read from a writable folder that holds signing keys come with a warning
(`TrustAnchors.warning`): whoever can write there can mint credentials `verify` would trust.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import c2pa  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.config import Settings
from app.provenance.ai_disclosure import LABEL as AI_DISCLOSURE
from app.provenance.jumbf import JumbfError
from app.provenance.manifest_model import InputImage
from app.provenance.reseal import manifest_ids, reseal
from app.provenance.signing import write_private_pem
from app.provenance.source_types import COMPOSITE_TRAINED, TRAINED, uri
from providers.media import sha256_file

_log = logging.getLogger(__name__)
MIME = "video/mp4"
ASSERTION = "org.reelroute.disclosure"
SPEC_VERSION = "2.4"  # the C2PA specification the claims follow
SOFT_BINDING = "c2pa.soft-binding"
INPUT_TO = "inputTo"  # the ingredient relationship of an image a clip was made from
NARRATED, SCORED = "org.reelroute.narrated", "org.reelroute.scored"
CA_FILE, CHAIN_FILE, KEY_FILE = "c2pa-ca.pem", "c2pa-signer-chain.pem", "c2pa-signer-key.pem"
TRUSTED = "Trusted"  # the Reader's validation state for a valid claim from a trusted anchor


SignerKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
SignerPublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


class CredentialError(Exception):
    """C2PA credentials could not be created, embedded or read."""


@dataclass(frozen=True)
class C2paIdentity:
    chain_pem: str  # leaf first
    key_pem: str
    alg: str  # c2pa-python's algorithm name: es256, es384, ps256, ed25519, ...


@dataclass(frozen=True)
class IngredientSpec:
    index: int  # 0-based
    provider: str
    model: str
    start: float
    end: float
    clip_sha256: str
    clip_path: Path
    source_type: str = TRAINED  # IPTC term for the scene's visuals (unknown: claim trained)
    input_image: InputImage | None = None  # the image the clip was made from
    input_path: Path | None = None  # that image's file

    @property
    def title(self) -> str:
        return f"scene {self.index + 1}: {self.provider}/{self.model}"

    @property
    def ingredient_ids(self) -> list[str]:
        """The scene's clip, then the image it was made from (when there is one)."""
        clip = f"scene-{self.index + 1}"
        return [clip, f"{clip}-input"] if self.input_image is not None else [clip]


def input_title(index: int, image: InputImage) -> str:
    """The title of the `inputTo` ingredient of scene `index` (0-based)."""
    return f"scene {index + 1} input: {image.ref}"


@dataclass(frozen=True)
class CredentialSpec:
    """What one output's C2PA manifest says, beyond its title."""

    render_id: str
    policy: dict[str, Any]  # id, version, sha256
    core_sha256: str
    manifest_key_id: str
    software_version: str
    scenes: Sequence[IngredientSpec]
    digital_source_type: str = COMPOSITE_TRAINED  # IPTC term for the whole output
    narration: tuple[str, str] | None = None  # (engine/voice, IPTC term)
    music: tuple[str, str] | None = None  # (source, IPTC term)
    ai_disclosures: Sequence[dict[str, Any]] = ()  # c2pa.ai-disclosure assertions

    def assertion(self) -> dict[str, Any]:
        return {
            "render_id": self.render_id,
            "policy": self.policy,
            "manifest_core_sha256": self.core_sha256,
            "manifest_key_id": self.manifest_key_id,
            "scenes": [
                {
                    "index": s.index,
                    "provider": s.provider,
                    "model": s.model,
                    "start": s.start,
                    "end": s.end,
                    "clip_sha256": s.clip_sha256,
                    "source_type": s.source_type,
                    **({"input_image_sha256": s.input_image.sha256} if s.input_image else {}),
                }
                for s in self.scenes
            ],
        }


@dataclass(frozen=True)
class CredentialReadout:
    """A C2PA manifest read back from a file."""

    state: str  # Reader's validation state: Trusted, Valid, Invalid
    failures: tuple[str, ...]  # failure codes with explanations
    ingredients: tuple[dict[str, Any], ...]
    actions: tuple[dict[str, Any], ...]
    disclosure: dict[str, Any] | None  # our custom assertion's data
    signer: dict[str, Any] = field(default_factory=dict)
    ai_disclosures: tuple[dict[str, Any], ...] = ()  # c2pa.ai-disclosure data, in order
    soft_binding: dict[str, Any] | None = None  # c2pa.soft-binding data
    claim_generator: tuple[dict[str, Any], ...] = ()


# --- the local test chain -------------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "reelroute (local test)"),
        ]
    )


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _builder(subject: str, issuer: x509.Name, public: SignerPublicKey) -> Any:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )


def create_local_chain(keys_dir: Path, leaf_key: SignerKey | None = None) -> None:
    """Write a CA certificate, a leaf chain and the leaf's key (0600) into keys_dir; the leaf
    signs ES256 unless another key is given (an Ed25519 or other EC key)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("reelroute local C2PA CA")
    ca = (
        _builder("reelroute local C2PA CA", ca_name, ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(sign=False, ca=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = leaf_key or ec.generate_private_key(ec.SECP256R1())
    leaf = (
        _builder("reelroute local C2PA signer", ca_name, leaf_key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True, ca=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    write_private_pem(
        keys_dir / KEY_FILE,
        leaf_key.private_bytes(
            pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    (keys_dir / CHAIN_FILE).write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    # The CA last: its presence marks a complete chain.
    (keys_dir / CA_FILE).write_bytes(ca.public_bytes(pem))


def _alg_for(key_pem: bytes, path: Path) -> str:
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as exc:
        raise CredentialError(f"cannot load the C2PA signing key {path}: {exc}") from exc
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return {256: "es256", 384: "es384", 521: "es512"}.get(key.curve.key_size, "es256")
    raise CredentialError(f"{path}: unsupported key type for C2PA signing")


def load_identity(settings: Settings) -> C2paIdentity:
    """The configured signer, or the local test chain (created on first use)."""
    keys = settings.keys_dir
    cert_path = settings.c2pa_cert_path or keys / CHAIN_FILE
    key_path = settings.c2pa_key_path or keys / KEY_FILE
    if settings.c2pa_cert_path is None and not (keys / CA_FILE).exists():
        keys.mkdir(parents=True, exist_ok=True)
        for name in (KEY_FILE, CHAIN_FILE):
            (keys / name).unlink(missing_ok=True)  # a half-written chain from a crash
        create_local_chain(keys)
    try:
        chain, key = cert_path.read_bytes(), key_path.read_bytes()
    except OSError as exc:
        raise CredentialError(f"cannot read the C2PA signer: {exc}") from exc
    return C2paIdentity(chain.decode("ascii"), key.decode("ascii"), _alg_for(key, key_path))


def trust_anchors(settings: Settings) -> str:
    """PEM roots `verify` trusts; raises CredentialError when none can be read.

    What verify says of the anchors names their file alone: it lands in report.html and API
    answers that clients read, so the server's folders stay out, and two workers sharing one
    identity from different folders write the same report byte for byte."""
    path = _anchors_path(settings)
    try:
        return path.read_text(encoding="ascii")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise CredentialError(f"cannot read the C2PA trust anchors {path.name}: {reason}") from exc
    except UnicodeDecodeError as exc:
        raise CredentialError(f"the C2PA trust anchors {path.name} are not PEM text") from exc


@dataclass(frozen=True)
class TrustAnchors:
    """The roots `verify` trusts, where they came from, and whether that place is safe."""

    pem: str | None  # None when they could not be read
    problem: str  # why pem is None
    path: Path | None
    warning: str = ""  # set when the anchors sit where the signing keys are written

    @classmethod
    def from_pem(cls, pem: str) -> TrustAnchors:
        return cls(pem, "", None)


def _anchors_path(settings: Settings) -> Path:
    return settings.c2pa_trust_anchors_path or settings.keys_dir / CA_FILE


def _signing_key_folders(settings: Settings) -> set[Path]:
    folders = {settings.keys_dir}  # where local keys are created, whatever is configured
    for configured in (settings.signing_key_path, settings.c2pa_key_path):
        if configured is not None:
            folders.add(configured.parent)
    return {f.resolve() for f in folders}


def anchors_warning(settings: Settings) -> str:
    """A warning when the trust anchors sit in a writable folder that holds signing keys.

    Whoever can write there can replace the anchors with their own CA and sign anything that
    `verify` then trusts, so a verifier should pin anchors it obtained independently."""
    path = _anchors_path(settings)
    folder = path.parent.resolve()
    if folder not in _signing_key_folders(settings) or not os.access(folder, os.W_OK):
        return ""
    return (
        f"the C2PA trust anchors {path.name} sit in the writable folder of "
        "the signing keys: whoever can write there can sign credentials this check trusts. "
        "Pin anchors you obtained independently with REELROUTE_C2PA_TRUST_ANCHORS_PATH=<root PEM>"
    )


def load_trust_anchors(settings: Settings) -> TrustAnchors:
    """The anchors `verify` uses, with the problem (unreadable) or warning (unsafe place)."""
    path = _anchors_path(settings)
    try:
        pem, problem = trust_anchors(settings), ""
    except CredentialError as exc:
        pem, problem = None, str(exc)
    return TrustAnchors(pem, problem, path, anchors_warning(settings))


# --- writing -----------------------------------------------------------------------------


def _element_actions(spec: CredentialSpec) -> list[dict[str, Any]]:
    """The narration and the music: no ingredient of their own, so custom actions."""
    found = []
    for action, element, what in ((NARRATED, spec.narration, "narration"),
                                  (SCORED, spec.music, "music bed")):  # fmt: skip
        if element is not None:
            found.append({"action": action, "digitalSourceType": uri(element[1]),
                          "softwareAgent": {"name": element[0]}, "description": what})  # fmt: skip
    return found


def _definition(
    spec: CredentialSpec, title: str, soft_binding: dict[str, Any] | None
) -> dict[str, Any]:
    agent = {"name": "reelroute", "version": spec.software_version}
    actions: list[dict[str, Any]] = [
        {"action": "c2pa.created", "digitalSourceType": uri(spec.digital_source_type),
         "softwareAgent": agent}
    ]  # fmt: skip
    for s in spec.scenes:
        actions.append({
            "action": "c2pa.placed",
            "digitalSourceType": uri(s.source_type),
            "softwareAgent": {"name": f"{s.provider}/{s.model}"},
            "parameters": {
                "ingredientIds": s.ingredient_ids,
                "description": f"{s.title}, {s.start:.3f}s to {s.end:.3f}s",
                "org.reelroute.timeline": {"start": s.start, "end": s.end},
            },
        })  # fmt: skip
    actions += _element_actions(spec)
    assertions = [
        {"label": "c2pa.actions.v2", "data": {"actions": actions}},
        *spec.ai_disclosures,
        *([{"label": SOFT_BINDING, "data": soft_binding}] if soft_binding else []),
        {"label": ASSERTION, "data": spec.assertion()},
    ]
    return {
        "claim_generator_info": [agent | {"specVersion": SPEC_VERSION}],
        "title": title,
        "format": MIME,
        "assertions": assertions,
    }


def _context(settings: dict[str, Any]) -> Any:
    return c2pa.Context.from_dict(settings)


def embed_credentials(
    output: Path,
    spec: CredentialSpec,
    identity: C2paIdentity,
    soft_binding: dict[str, Any] | None = None,
) -> None:
    """Sign and embed a C2PA manifest in `output`, atomically (temp file, then replace).

    `soft_binding` is this output's `c2pa.soft-binding` data (outputs differ in picture)."""
    tmp = output.with_name(output.name + ".c2pa.partial")
    definition = _definition(spec, output.name, soft_binding)
    ids = manifest_ids(spec.render_id, sha256_file(output), _digest(definition))
    ctx = _context({
        "builder": {
            "thumbnail": {"enabled": False},
            "claim_generator_info": {"name": "reelroute", "version": spec.software_version},
        },
        "verify": {"verify_after_sign": False, "remote_manifest_fetch": False},
    })  # fmt: skip
    try:
        info = c2pa.C2paSignerInfo(
            identity.alg, identity.chain_pem.encode(), identity.key_pem.encode(), None
        )
        with (
            c2pa.Signer.from_info(info) as signer,
            c2pa.Builder(definition | ids.definition(), context=ctx) as builder,
        ):
            for s in spec.scenes:
                ingredient = {
                    "title": s.title,
                    "relationship": "componentOf",
                    "instance_id": f"scene-{s.index + 1}",
                    "label": f"scene-{s.index + 1}",
                }
                with s.clip_path.open("rb") as clip:
                    builder.add_ingredient(ingredient, MIME, clip)
                _add_input_image(builder, s)
            with output.open("rb") as src, tmp.open("w+b") as dst:
                builder.sign(signer, MIME, src, dst)
        try:
            reseal(tmp, ids.label, identity.key_pem, identity.alg)
        except JumbfError as exc:  # the store is c2pa-rs's as signed: valid, not reproducible
            _log.warning("C2PA store in %s kept as c2pa signed it (not reproducible): %s",
                         output.name, exc)  # fmt: skip
        os.replace(tmp, output)
    except (c2pa.C2paError, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise CredentialError(f"could not embed C2PA credentials in {output}: {exc}") from exc


def _digest(definition: dict[str, Any]) -> str:
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _add_input_image(builder: Any, scene: IngredientSpec) -> None:
    """The image the scene's clip was made from, as an `inputTo` ingredient whose description
    is its sha256 (the manifest's `scenes[].input_image`)."""
    image, path = scene.input_image, scene.input_path
    if image is None or path is None:
        return
    ingredient = {
        "title": input_title(scene.index, image),
        "relationship": INPUT_TO,
        "instance_id": scene.ingredient_ids[-1],
        "label": scene.ingredient_ids[-1],
        "description": image.sha256,
    }
    with path.open("rb") as stream:
        builder.add_ingredient(ingredient, image.media_type, stream)


# --- reading -----------------------------------------------------------------------------


def read_credentials(path: Path, anchors_pem: str) -> CredentialReadout | None:
    """The active C2PA manifest of `path`, validated against `anchors_pem`; None if it has none."""
    ctx = _context({
        "trust": {"trust_anchors": anchors_pem},
        "verify": {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": False},
    })  # fmt: skip
    try:
        reader = c2pa.Reader.try_create(str(path), context=ctx)
        if reader is None:
            return None
        with reader:
            state = reader.get_validation_state() or "unknown"
            results = reader.get_validation_results() or {}
            active = reader.get_active_manifest() or {}
    except (c2pa.C2paError, OSError, KeyError) as exc:
        raise CredentialError(f"cannot read C2PA credentials from {path}: {exc}") from exc
    failures = tuple(
        f"{f.get('code')}: {f.get('explanation', '')}".strip()
        for f in results.get("activeManifest", {}).get("failure", [])
    )
    listed = active.get("assertions", [])
    assertions = {a.get("label"): a.get("data") for a in listed}
    actions = (assertions.get("c2pa.actions.v2") or {}).get("actions", [])
    disclosure = assertions.get(ASSERTION)
    binding = assertions.get(SOFT_BINDING)
    return CredentialReadout(
        state=state,
        failures=failures,
        ingredients=tuple(active.get("ingredients", [])),
        actions=tuple(actions),
        disclosure=disclosure if isinstance(disclosure, dict) else None,
        signer=dict(active.get("signature_info", {})),
        ai_disclosures=tuple(
            a.get("data") or {} for a in listed if a.get("label") == AI_DISCLOSURE
        ),
        soft_binding=binding if isinstance(binding, dict) else None,
        claim_generator=tuple(active.get("claim_generator_info", [])),
    )
