"""Writing the render manifest (`reelroute.manifest/1`); its typed model is
`app.provenance.manifest_model`.

`AttemptRecord` is the pipeline's own record of one try at a scene (a dataclass: the pipeline
makes them as it goes); the manifest stores each as a `manifest_model.Attempt`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from app.provenance.canonical import canonical_json, tagged_sha256
from app.provenance.manifest_model import CORE_KEYS, SCHEMA, Attempt, Manifest

__all__ = ["CORE_KEYS", "SCHEMA", "AttemptRecord", "attempt_model", "write_manifest"]


@dataclass(frozen=True)
class AttemptRecord:
    provider: str
    model: str
    outcome: str  # "succeeded" | "cached" | "failed" | "skipped"
    started_at: str
    finished_at: str
    seconds: float
    cost_usd: float | None = None
    error_class: str | None = None
    error: str | None = None


def attempt_model(record: AttemptRecord) -> Attempt:
    # asdict: a field the pipeline adds later is kept (Attempt is an open block).
    return Attempt.model_validate(asdict(record))


def write_manifest(manifest: Manifest, path: Path) -> str:
    """Write pretty JSON atomically; return the sha256 of the canonical form (what is signed)."""
    tmp = path.with_suffix(".json.partial")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    tmp.replace(path)
    return tagged_sha256(canonical_json(manifest.document()))
