"""One identity per deployment: every worker signs with the configured manifest key.

A worker refuses to start without a configured key and C2PA certificate (no worker creates a
key of its own), and records its key's fingerprint with each heartbeat. `key_mismatch` is what
the API's readiness check calls: a live worker signing with another key is a reason not to be
ready, since its manifests would not verify as this deployment's.
"""

from __future__ import annotations

from app.config import Settings
from app.errors import SetupError
from app.provenance.signing import SigningKeyError, key_id, load_or_create_key
from app.store import leases
from app.store.db import Database


def configured_fingerprint(settings: Settings) -> str:
    """The fingerprint of the configured manifest key; `SetupError` in worker mode when no
    key or C2PA certificate is configured, or the key cannot be read."""
    missing = [
        name
        for name, value in (
            ("REELROUTE_SIGNING_KEY_PATH", settings.signing_key_path),
            ("REELROUTE_C2PA_CERT_PATH", settings.c2pa_cert_path),
            ("REELROUTE_C2PA_KEY_PATH", settings.c2pa_key_path),
        )
        if value is None
    ]
    if missing:
        raise SetupError(
            "a worker signs with the deployment's configured identity and never creates its "
            f"own: set {', '.join(missing)} (files, e.g. mounted secrets)",
            field="signing",
        )
    return fingerprint(settings)


def fingerprint(settings: Settings) -> str:
    """The fingerprint of the key this process signs manifests with (configured or local)."""
    try:
        key = load_or_create_key(settings.signing_key_path, settings.keys_dir)
    except SigningKeyError as exc:
        raise SetupError(str(exc), field="signing") from exc
    return key_id(key.public_key())


async def key_mismatch(db: Database, settings: Settings) -> str | None:
    """Why the deployment is not of one identity (a live worker signs with another manifest
    key than this process), or None when every live worker agrees."""
    ours = fingerprint(settings)
    within = max(3 * settings.lease_s, 10.0)
    others = [w for w in await leases.live_workers(db, within) if w.key_fingerprint != ours]
    if not others:
        return None
    names = ", ".join(f"{w.id} ({w.key_fingerprint})" for w in others[:3])
    return f"worker manifest key differs from the API's ({ours}): {names}"
