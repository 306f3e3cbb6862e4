"""Output fingerprints in the ledger: what the API's verify upload matches a copy against.

Each succeeded render's outputs are recorded with their tenant; a search reads only the rows a
caller may see (their tenant's, and for a creator only their own renders), so a copy is never
traced to a render its holder could not open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, select

from app.provenance.fingerprint import Hashes, from_hex
from app.store.db import Database
from app.store.keys import now
from app.store.models import FingerprintRow, RenderRow

_BIG_ENDIAN = ">u8"


@dataclass(frozen=True)
class LedgerFingerprint:
    render_id: str
    aspect: str
    file: str
    hashes: Hashes
    fps: int


def rows_from_manifest(tenant_id: str, manifest: dict[str, Any]) -> list[FingerprintRow]:
    """One row per output that records a fingerprint (older manifests record none)."""
    rows = []
    for output in manifest.get("outputs", []):
        fingerprint = output.get("fingerprint")
        if not fingerprint:
            continue
        hashes = from_hex(list(fingerprint["hashes"]))
        rows.append(FingerprintRow(
            render_id=str(manifest["render_id"]), aspect=str(output["aspect"]),
            tenant_id=tenant_id, file=str(output["file"]), alg=str(fingerprint["alg"]),
            fps=int(fingerprint["fps"]), hashes=hashes.astype(_BIG_ENDIAN).tobytes(),
            created_at=now(),
        ))  # fmt: skip
    return rows


async def record_fingerprints(db: Database, tenant_id: str, manifest: dict[str, Any]) -> int:
    """Store (or replace, for a resumed render) the render's output fingerprints; how many."""
    rows = rows_from_manifest(tenant_id, manifest)
    async with db.session() as s:
        await s.execute(
            delete(FingerprintRow).where(FingerprintRow.render_id == str(manifest["render_id"]))
        )
        s.add_all(rows)
    return len(rows)


async def visible_fingerprints(
    db: Database, tenant_id: str, created_by: str | None
) -> Sequence[LedgerFingerprint]:
    """The fingerprints of `tenant_id`'s renders (only those `created_by` made, when given)."""
    query = select(FingerprintRow).where(FingerprintRow.tenant_id == tenant_id)
    if created_by is not None:
        query = query.join(RenderRow, RenderRow.id == FingerprintRow.render_id).where(
            RenderRow.created_by == created_by, RenderRow.tenant_id == tenant_id
        )
    async with db.session() as s:
        rows = (await s.execute(query.order_by(FingerprintRow.render_id))).scalars().all()
    return [
        LedgerFingerprint(
            r.render_id,
            r.aspect,
            r.file,
            np.frombuffer(r.hashes, dtype=_BIG_ENDIAN).astype(np.uint64),
            r.fps,
        )
        for r in rows
    ]
