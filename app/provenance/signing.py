"""Ed25519 signatures over the manifest's canonical JSON.

What is signed is `canonical_json(manifest)` with `signature` set to null; the signature object
then replaces that null:

    {"alg": "Ed25519", "key_id": "sha256:<hex of the raw public key>",
     "public_key": "<base64 raw public key>", "value": "<base64 signature>"}

Ed25519 is deterministic: the same key and manifest always give the same signature. The key is
created on first use in `<data_dir>/keys/manifest-ed25519.pem` (mode 0600) unless
`signing_key_path` names one. A valid signature only says the manifest is unchanged since some
key signed it; *which* key is trusted is decided by `verify` (the C2PA credentials in each
output, signed by a trusted certificate, name the manifest's key id).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.provenance.canonical import canonical_json
from app.provenance.manifest_model import Manifest, Signature

ALG = "Ed25519"
DEFAULT_KEY_FILE = "manifest-ed25519.pem"


class SigningKeyError(Exception):
    """The manifest signing key could not be read or created."""


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def write_private_pem(path: Path, pem: bytes) -> None:
    """Create `path` with mode 0600 (never readable by others, not even briefly)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)


def load_or_create_key(configured: Path | None, keys_dir: Path) -> Ed25519PrivateKey:
    """The configured key, or the data folder's key (created on first use)."""
    path = configured or keys_dir / DEFAULT_KEY_FILE
    if configured is None and not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            write_private_pem(path, pem)
        except FileExistsError:
            pass  # another render created it first: use theirs
        else:
            return key
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(f"cannot load the manifest signing key {path}: {exc}") from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 private key")
    return loaded


def signing_payload(manifest: dict[str, Any]) -> bytes:
    unsigned = copy.copy(manifest)
    unsigned["signature"] = None
    return canonical_json(unsigned).encode("utf-8")


def sign_manifest(manifest: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """Return a copy of `manifest` carrying its signature object."""
    public = key.public_key()
    raw_public = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    signed = dict(manifest)
    signed["signature"] = {
        "alg": ALG,
        "key_id": key_id(public),
        "public_key": base64.b64encode(raw_public).decode("ascii"),
        "value": base64.b64encode(key.sign(signing_payload(manifest))).decode("ascii"),
    }
    return signed


def sign(manifest: Manifest, key: Ed25519PrivateKey) -> Manifest:
    """The typed manifest, signed: the signature covers `manifest.document()`."""
    signed = sign_manifest(manifest.document(), key)
    return manifest.model_copy(update={"signature": Signature.model_validate(signed["signature"])})


def check_signature(manifest: dict[str, Any]) -> str | None:
    """None when the signature is valid for its own public key; else what is wrong."""
    sig = manifest.get("signature")
    if not isinstance(sig, dict):
        return "the manifest is not signed"
    if sig.get("alg") != ALG:
        return f"unsupported signature algorithm {sig.get('alg')!r}"
    try:
        raw = base64.b64decode(str(sig.get("public_key", "")), validate=True)
        value = base64.b64decode(str(sig.get("value", "")), validate=True)
        public = Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError) as exc:
        return f"malformed signature object: {exc}"
    if key_id(public) != sig.get("key_id"):
        return "key_id is not the sha256 of public_key"
    try:
        public.verify(value, signing_payload(manifest))
    except InvalidSignature:
        return "signature does not match the manifest's content"
    return None
