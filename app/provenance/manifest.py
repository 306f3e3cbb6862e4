"""The render manifest, schema `reelroute.manifest/1` (DESIGN.md section 3).

Built as plain JSON-ready dicts from typed parts so the same structure is written, hashed and
later verified. `signature` is null in what gets signed (see `app.provenance.signing`).

The *disclosure core* (`CORE_KEYS`) is the part fixed before the outputs get their C2PA
credentials; its sha256 is what those credentials carry (see `app.provenance.credentials`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.provenance.canonical import canonical_json, tagged_sha256

SCHEMA = "reelroute.manifest/1"
CORE_KEYS = ("render_id", "input", "policy", "catalog", "scenes")


def disclosure_core(manifest: dict[str, Any]) -> dict[str, Any]:
    """Who made which scene under which policy: nothing here depends on the output files."""
    return {key: manifest.get(key) for key in CORE_KEYS}


def core_sha256(manifest: dict[str, Any]) -> str:
    return tagged_sha256(canonical_json(disclosure_core(manifest)))


@dataclass(frozen=True)
class AttemptRecord:
    provider: str
    model: str
    outcome: str  # "succeeded" | "cached" | "failed"
    started_at: str
    finished_at: str
    seconds: float
    cost_usd: float | None = None
    error_class: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ClipRecord:
    provider: str
    model: str
    model_version: str
    provider_job_id: str
    sha256: str
    duration: float
    width: int
    height: int
    fps: float
    cached: bool
    credentials: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class SceneRecord:
    index: int
    kind: str
    narration: str
    on_screen_text: str
    visual_prompt: str
    start: float
    end: float
    routing: dict[str, Any]
    attempts: list[AttemptRecord]
    clip: ClipRecord
    narration_sha256: str
    # per output aspect: how the scene reached it (native / tracked_crop / centre_crop / padded)
    # and, for a clip made for that aspect, its sha256, provider, model and cost
    reframing: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        record = {
            "index": self.index,
            "kind": self.kind,
            "narration": self.narration,
            "on_screen_text": self.on_screen_text,
            "visual_prompt": self.visual_prompt,
            "timeline": {"start": round(self.start, 3), "end": round(self.end, 3)},
            "routing": self.routing,
            "attempts": [asdict(a) for a in self.attempts],
            "clip": asdict(self.clip),
            "narration_audio": {"sha256": self.narration_sha256},
        }
        if self.reframing:
            record["reframing"] = self.reframing
        return record


@dataclass(frozen=True)
class OutputRecord:
    aspect: str
    file: str  # relative to the manifest's folder
    sha256: str
    duration: float
    width: int
    height: int
    integrated_lufs: float
    true_peak_dbtp: float


def build_manifest(
    *,
    header: dict[str, Any],
    scenes: list[SceneRecord],
    voice: dict[str, str],
    music: dict[str, Any],
    outputs: list[OutputRecord],
    disclosure: dict[str, Any],
) -> dict[str, Any]:
    """Assemble the manifest; `header` holds render id, tenant, time, input, policy, catalog."""
    return {
        "schema": SCHEMA,
        **header,
        "scenes": [s.to_dict() for s in scenes],
        "voice": voice,
        "music": music,
        "outputs": [asdict(o) for o in outputs],
        "disclosure": disclosure,
        "signature": None,
    }


def write_manifest(manifest: dict[str, Any], path: Path) -> str:
    """Write pretty JSON for people; return the sha256 of the canonical form (what gets signed)."""
    tmp = path.with_suffix(".json.partial")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return tagged_sha256(canonical_json(manifest))
