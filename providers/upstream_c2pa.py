"""Detect a C2PA manifest a vendor embedded in the clip it returned.

Only presence and the claim's signer are read here; trust is judged later by `verify`, against
the trust anchors an auditor chooses. Reading is offline (no remote manifests, no OCSP).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import c2pa  # type: ignore[import-untyped]

from providers.types import ContentCredential

_OFFLINE = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}


def _active_manifest(path: Path) -> dict[str, Any] | None:
    try:
        reader = c2pa.Reader.try_create(str(path), context=c2pa.Context.from_dict(_OFFLINE))
        if reader is None:
            return None
        with reader:
            active: dict[str, Any] = reader.get_active_manifest() or {}
    except (c2pa.C2paError, OSError):
        # An unreadable claim is not provenance we can record; the clip itself is still fine.
        return None
    return active


def embedded_c2pa(path: Path) -> tuple[ContentCredential, ...]:
    """A `c2pa` ContentCredential naming the claim's generator and signer, or () if none."""
    active = _active_manifest(path)
    if active is None:
        return ()
    generators = active.get("claim_generator_info") or [{}]
    generator = str(generators[0].get("name") or active.get("claim_generator") or "unknown")
    signer = active.get("signature_info") or {}
    detail = f"issuer={signer.get('issuer', 'unknown')}; label={active.get('label', '')}"
    return (ContentCredential("c2pa", generator, detail),)


def with_embedded_c2pa(
    documented: tuple[ContentCredential, ...], path: Path
) -> tuple[ContentCredential, ...]:
    """The catalog's documented signals plus an embedded manifest found in the file itself."""
    found = embedded_c2pa(path)
    kept = tuple(c for c in documented if not (found and c.kind == "c2pa"))
    return (*kept, *found)
