"""Reproducible C2PA credentials: the same output, spec and key give the same bytes.

c2pa-rs (0.91, inside c2pa-python 0.38) puts three kinds of chance into every manifest it
signs; only the first can be set by the caller:

* the manifest's label (`urn:c2pa:<uuid>`) and the claim's `instanceID`: the manifest
  definition may set both (`label`, `instance_id`), so `manifest_ids` derives them;
* a fresh 16-byte salt per assertion (the `c2sh` box of its JUMBF description), which enters
  the assertion's hash, which the claim (and, for an ingredient, the actions assertion) lists;
* the signature: ES256 with a random nonce.

`reseal` takes what c2pa-rs wrote and replaces each salt with one derived from a secret (an
HMAC keyed by the signing key), updates every hash that saw it, and signs the claim again:
ECDSA deterministically (RFC 6979), Ed25519 as it always is. c2pa keeps salts random so that a
redacted assertion cannot be found by hashing guesses against the claim (its maintainers,
contentauth/c2patool#252, 2024-09-24); a keyed salt is as unguessable to anyone without the
key, and the same on every run for whoever holds it. Only RSA-PSS keys (ps256/384/512) keep a
random signature: PSS salts it, and a validator expects a salt as long as the hash. Nothing
changes size, so the MP4's hard binding (which leaves the C2PA box out) stays valid.

Before changing a byte, `reseal` proves it reads the store as c2pa-rs wrote it: every
assertion's hash is in the claim, and the old signature verifies over the claim as rebuilt
here. Otherwise it raises `JumbfError` and the file is not touched.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from app.provenance.jumbf import (
    JumbfError,
    Superbox,
    boxes,
    bstr_head,
    cbor_end,
    cbor_head,
    children,
    content,
    find_store,
    superbox,
)

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512,
}  # fmt: skip
_COSE_SIGN1_TAG = 18


@dataclass(frozen=True)
class ManifestIds:
    label: str  # urn:c2pa:<uuid>
    instance_id: str  # xmp:iid:<uuid>

    def definition(self) -> dict[str, str]:
        """The manifest definition's fields that set them."""
        return {"label": self.label, "instance_id": self.instance_id}


def manifest_ids(render_id: str, content_sha256: str, definition_sha256: str) -> ManifestIds:
    """The manifest's label and claim instance id, derived rather than drawn so that a render
    repeated with the same inputs writes the same bytes. They stay unique per distinct output:
    another render id, other content (each aspect is its own file) or another manifest
    definition gives other ids. The C2PA URN takes a UUID v4 (IANA `urn:c2pa` registration,
    2025-02-03): these carry the version-4 and variant bits, over hash bits in place of random
    ones."""
    seed = f"reelroute.c2pa-ids/1\0{render_id}\0{content_sha256}\0{definition_sha256}"
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    label = uuid.UUID(bytes=digest[:16], version=4)
    instance = uuid.UUID(bytes=digest[16:], version=4)
    return ManifestIds(f"urn:c2pa:{label}", f"xmp:iid:{instance}")


def reseal(path: Path, label: str, key_pem: str, alg: str) -> None:
    """Make the manifest `label` embedded in the MP4 at `path` reproducible, in place."""
    key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    with path.open("r+b") as stream:
        offset, size = find_store(stream)
        stream.seek(offset)
        store = bytearray(stream.read(size))
        reseal_store(store, label, key, alg)
        stream.seek(offset)
        stream.write(store)


def _salt_key(key: PrivateKeyTypes) -> bytes:
    """The salts' secret: follows from the key itself, however its file is encoded."""
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return hashlib.sha256(b"reelroute.c2pa-salt/1\0" + der).digest()


@dataclass(frozen=True)
class _Manifest:
    assertions: list[Superbox]
    claim: tuple[int, int]  # the claim's CBOR, which the signature covers
    protected: tuple[int, int]  # the COSE protected header item
    signature: tuple[int, int]  # the COSE signature bytes


def reseal_store(store: bytearray, label: str, key: PrivateKeyTypes, alg: str) -> None:
    """`reseal` on the JUMBF store's bytes."""
    manifest = _read(store, label)
    claim = bytes(store[slice(*manifest.claim)])
    hashes_now = [_box_hash(store, a) for a in manifest.assertions]
    for a, h in zip(manifest.assertions, hashes_now, strict=True):
        if h not in claim:
            raise JumbfError(f"the claim does not list {a.description.label} by its sha256")
    if not _verifies(key, alg, _to_be_signed(store, manifest), _signature(store, manifest)):
        raise JumbfError("the claim's signature does not verify as read here")
    salt_key = _salt_key(key)
    for a in manifest.assertions:
        if a.description.salt is not None:
            at, length = a.description.salt
            store[at : at + length] = _salt(salt_key, label, a.description.label, length)
    _settle_hashes(store, manifest, hashes_now)
    new = _sign(key, alg, _to_be_signed(store, manifest))
    at, end = manifest.signature
    if len(new) != end - at:
        raise JumbfError(f"a {alg} signature of {len(new)} bytes where {end - at} were")
    store[at:end] = new


def _read(store: bytearray, label: str) -> _Manifest:
    outer = next(boxes(store, 0, len(store)))
    manifests = [m for m in children(store, superbox(store, outer)) if m.description.label == label]
    if len(manifests) != 1:
        raise JumbfError(f"the store has no single manifest {label}")
    parts = {p.description.kind: p for p in children(store, manifests[0])}
    if not {b"c2as", b"c2cl", b"c2cs"} <= parts.keys():
        raise JumbfError(f"the manifest {label} lacks assertions, a claim or a signature")
    claim = content(parts[b"c2cl"], b"cbor")
    sig = content(parts[b"c2cs"], b"cbor")
    protected, signature = _cose_sign1(store, sig.body, sig.end)
    return _Manifest(children(store, parts[b"c2as"]), (claim.body, claim.end), protected, signature)


def _cose_sign1(buf: bytearray, at: int, end: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """Where the protected header item and the signature bytes of a tagged, detached
    COSE_Sign1 (`18([protected, unprotected, nil, signature])`) are."""
    major, tag, at = cbor_head(buf, at)
    if (major, tag) != (6, _COSE_SIGN1_TAG):
        raise JumbfError("the signature is not a tagged COSE_Sign1")
    major, count, at = cbor_head(buf, at)
    if (major, count) != (4, 4):
        raise JumbfError("the COSE_Sign1 is not an array of four")
    protected = (at, cbor_end(buf, at))
    payload = cbor_end(buf, protected[1])  # after the unprotected header
    if buf[payload] != 0xF6:
        raise JumbfError("the COSE_Sign1 payload is not detached")
    major, length, at = cbor_head(buf, payload + 1)
    if major != 2 or at + length > end:
        raise JumbfError("the COSE_Sign1 signature is not a byte string")
    return protected, (at, at + length)


def _box_hash(store: bytearray, assertion: Superbox) -> bytes:
    """What the claim lists for an assertion: sha256 of its box without the box header."""
    return hashlib.sha256(store[assertion.box.body : assertion.box.end]).digest()


def _salt(salt_key: bytes, label: str, assertion: str, length: int) -> bytes:
    out = b""
    for block in range(-(-length // 32)):
        message = f"{label}\0{assertion}\0{block}".encode()
        out += hmac.new(salt_key, message, hashlib.sha256).digest()
    return out[:length]


def _settle_hashes(store: bytearray, manifest: _Manifest, listed: list[bytes]) -> None:
    """Replace every listed hash that no longer matches its assertion, wherever it is cited
    (the claim; the actions assertion cites ingredients), until all match: citing changes the
    citing assertion's own hash, so this takes as many rounds as citations nest."""
    first = min(a.box.start for a in manifest.assertions)
    region = (first, manifest.claim[1])  # the assertion store through the claim
    for _ in range(len(listed) + 1):
        changed = False
        for i, assertion in enumerate(manifest.assertions):
            now = _box_hash(store, assertion)
            if now != listed[i]:
                _replace(store, region, listed[i], now)
                listed[i], changed = now, True
        if not changed:
            return
    raise JumbfError("the assertion hashes do not settle")


def _replace(store: bytearray, region: tuple[int, int], old: bytes, new: bytes) -> None:
    at = store.find(old, *region)
    if at < 0:
        raise JumbfError("an assertion's hash is cited nowhere")
    while at >= 0:
        store[at : at + len(old)] = new
        at = store.find(old, at + len(new), region[1])


def _to_be_signed(store: bytearray, manifest: _Manifest) -> bytes:
    """COSE's Sig_structure for a detached payload: ["Signature1", protected, h'', claim]."""
    claim = bytes(store[slice(*manifest.claim)])
    protected = bytes(store[slice(*manifest.protected)])
    return b"\x84\x6aSignature1" + protected + b"\x40" + bstr_head(len(claim)) + claim


def _signature(store: bytearray, manifest: _Manifest) -> bytes:
    return bytes(store[slice(*manifest.signature)])


def _hash_for(alg: str) -> hashes.HashAlgorithm:
    if alg[-3:] not in _HASHES:
        raise JumbfError(f"no hash for the signing algorithm {alg}")
    return _HASHES[alg[-3:]]()


def _sign(key: PrivateKeyTypes, alg: str, data: bytes) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        try:
            der = key.sign(data, ec.ECDSA(_hash_for(alg), deterministic_signing=True))
        except UnsupportedAlgorithm:  # OpenSSL older than 3.2: valid, but not reproducible
            der = key.sign(data, ec.ECDSA(_hash_for(alg)))
        r, s = decode_dss_signature(der)
        width = (key.curve.key_size + 7) // 8
        return r.to_bytes(width, "big") + s.to_bytes(width, "big")
    if isinstance(key, rsa.RSAPrivateKey):
        digest = _hash_for(alg)
        return key.sign(data, _pss(digest), digest)
    raise JumbfError(f"cannot sign with a {type(key).__name__}")


def _verifies(key: PrivateKeyTypes, alg: str, data: bytes, signature: bytes) -> bool:
    try:
        if isinstance(key, ed25519.Ed25519PrivateKey):
            key.public_key().verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            half = len(signature) // 2
            der = encode_dss_signature(
                int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
            )
            key.public_key().verify(der, data, ec.ECDSA(_hash_for(alg)))
        elif isinstance(key, rsa.RSAPrivateKey):
            digest = _hash_for(alg)
            key.public_key().verify(signature, data, _pss(digest), digest)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _pss(digest: hashes.HashAlgorithm) -> padding.PSS:
    return padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
