"""A finished render's disclosure for auditors: per scene, who made it, why the policy allowed
it and what it cost, and what `verify` says of the stored files (signature, C2PA, hashes).

Everything comes from the signed manifest and a fresh verification of the files the server
holds, so the page shows what an auditor with the files alone would find.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import VerifyCheck
from app.api.state import Service
from app.errors import NotFound
from app.provenance.checks import Check
from app.provenance.credentials import load_trust_anchors
from app.provenance.verify import VerifyInputs, failed, verify_path
from app.store.models import RenderRow
from routing.reasons import describe


class Reason(BaseModel):
    code: str
    text: str


class Candidate(BaseModel):
    ref: str = Field(description="provider/model")
    score: float | None = None
    reasons: list[Reason] = Field(default_factory=list, description="why it was excluded")


class SceneAttempt(BaseModel):
    ref: str
    outcome: str
    error_class: str | None = None
    cost_usd: float | None = None
    seconds: float


class SceneDisclosure(BaseModel):
    index: int
    start: float
    end: float
    kind: str
    narration: str
    provider: str
    model: str
    model_version: str
    planned: str | None = Field(description="the model routing chose first")
    fell_back: bool = Field(description="made by a fallback, not the first choice")
    verdict: VerifyCheck | None = Field(description="the scene re-checked against the policy")
    score: dict[str, Any] | None = Field(description="the maker's score and its parts")
    eligible: list[Candidate]
    excluded: list[Candidate]
    attempts: list[SceneAttempt]
    cost_usd: float
    upstream_credentials: list[dict[str, Any]]


class DisclosureOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "render_id": "rnd_4f1c2a9e8b7d6c5a",
                    "created_at": "2026-12-04T14:00:00Z",
                    "title": "Lisbon's trams",
                    "policy": {"id": "acme-strict", "version": 2, "sha256": "sha256:9f2c…"},
                    "catalog_sha256": "sha256:51ab…",
                    "signature": {"alg": "ed25519", "key_id": "sha256:a312…"},
                    "cost_usd": 0.0,
                    "verified": True,
                    "checks": [],
                    "scenes": [],
                    "downloads": {"manifest": "/v1/renders/rnd_4f1c2a9e8b7d6c5a/manifest"},
                }
            ]
        }
    )
    render_id: str
    created_at: str
    title: str
    policy: dict[str, Any]
    catalog_sha256: str
    signature: dict[str, str] | None
    cost_usd: float
    verified: bool = Field(description="every check passed (skips and warnings allowed)")
    checks: list[VerifyCheck]
    scenes: list[SceneDisclosure]
    downloads: dict[str, str]


def _stored(service: Service, row: RenderRow) -> dict[str, Path]:
    """Each stored file of the render by its name inside the render folder."""
    prefix = f"renders/{row.id}/"
    files: dict[str, Path] = {}
    for entry in row.outputs:
        key = str(entry.get("key") or "")
        path = service.blobs.local_path(key) if key.startswith(prefix) else None
        if path is None:
            raise NotFound(f"the stored files of render {row.id} are not all reachable")
        files[key.removeprefix(prefix)] = path
    if "manifest.json" not in files:
        raise NotFound(f"render {row.id} has no manifest")
    return files


def _verify(files: dict[str, Path], inputs: VerifyInputs) -> list[Check]:
    """`verify` over a copy of the render folder (a check never touches the stored files)."""
    with tempfile.TemporaryDirectory(prefix="reelroute-disclosure-") as tmp:
        folder = Path(tmp)
        for name, path in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        inside = f"{folder}/"
        return [
            Check(c.name, c.verdict, c.detail.replace(inside, ""))
            for c in verify_path(folder, inputs)
        ]


def _candidates(routing: dict[str, Any]) -> tuple[list[Candidate], list[Candidate]]:
    scores = routing.get("scores", {})
    eligible = sorted(
        (Candidate(ref=ref, score=s.get("total")) for ref, s in scores.items()),
        key=lambda c: -(c.score or 0.0),
    )
    excluded = [
        Candidate(
            ref=f"{e['provider']}/{e['model']}",
            reasons=[Reason(code=r, text=describe(r)) for r in e.get("reasons", [])],
        )
        for e in routing.get("exclusions", [])
    ]
    return eligible, excluded


def _scene(scene: dict[str, Any], verdicts: dict[str, VerifyCheck]) -> SceneDisclosure:
    clip, routing = scene["clip"], scene["routing"]
    ref = f"{clip['provider']}/{clip['model']}"
    chosen = routing.get("chosen")
    planned = f"{chosen['provider']}/{chosen['model']}" if chosen else None
    eligible, excluded = _candidates(routing)
    attempts = [
        SceneAttempt(
            ref=f"{a['provider']}/{a['model']}",
            outcome=a["outcome"],
            error_class=a.get("error_class"),
            cost_usd=a.get("cost_usd"),
            seconds=a.get("seconds", 0.0),
        )
        for a in scene.get("attempts", [])
    ]
    return SceneDisclosure(
        index=scene["index"],
        start=scene["timeline"]["start"],
        end=scene["timeline"]["end"],
        kind=scene["kind"],
        narration=scene["narration"],
        provider=clip["provider"],
        model=clip["model"],
        model_version=clip.get("model_version", ""),
        planned=planned,
        fell_back=planned is not None and planned != ref,
        verdict=verdicts.get(f"scene[{scene['index'] + 1}].policy"),
        score=routing.get("scores", {}).get(ref),
        eligible=eligible,
        excluded=excluded,
        attempts=attempts,
        cost_usd=round(sum(a.cost_usd or 0.0 for a in attempts), 6),
        upstream_credentials=list(clip.get("credentials", [])),
    )


async def disclose(service: Service, row: RenderRow) -> DisclosureOut:
    files = _stored(service, row)
    manifest = json.loads(files["manifest.json"].read_text(encoding="utf-8"))
    inputs = VerifyInputs(
        load_trust_anchors(service.settings), service.settings.clip_cache_dir, service.catalog
    )
    checks = await asyncio.to_thread(_verify, files, inputs)
    out = [VerifyCheck(name=c.name, verdict=c.verdict.value, detail=c.detail) for c in checks]
    verdicts = {c.name: c for c in out}
    signature = manifest.get("signature")
    base = f"/v1/renders/{row.id}"
    return DisclosureOut(
        render_id=row.id,
        created_at=manifest["created_at"],
        title=manifest.get("input", {}).get("title", ""),
        policy={k: manifest["policy"].get(k) for k in ("id", "version", "sha256")},
        catalog_sha256=manifest["catalog"]["sha256"],
        signature={"alg": signature["alg"], "key_id": signature["key_id"]} if signature else None,
        cost_usd=row.cost_usd,
        verified=not failed(checks),
        checks=out,
        scenes=[_scene(s, verdicts) for s in manifest["scenes"]],
        downloads={
            "manifest": f"{base}/manifest",
            "report": f"{base}/report",
            "disclosure_vtt": f"{base}/disclosure.vtt",
        },
    )
