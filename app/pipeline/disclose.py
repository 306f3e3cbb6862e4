"""Turn a finished render into its disclosure: disclosure.vtt, C2PA credentials embedded in
every output, the signed manifest.json and report.html.

The order matters (see `app.provenance.credentials` for why): the disclosure core is fixed
first, the outputs are embedded with credentials that carry its sha256, then the manifest
records the outputs' final sha256 and is signed; the report is written last, with the result
of verifying the finished folder.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.config import Settings
from app.ingest.model import Script
from app.pipeline.clips import ClipOutcome
from app.pipeline.layout import SceneLayout, reframing_record
from app.pipeline.narration import SceneVoice
from app.provenance.credentials import (
    CredentialError,
    CredentialSpec,
    IngredientSpec,
    embed_credentials,
    load_identity,
    trust_anchors,
)
from app.provenance.disclosure import DisclosureCue, disclosure_vtt
from app.provenance.manifest import (
    ClipRecord,
    OutputRecord,
    SceneRecord,
    build_manifest,
    core_sha256,
    write_manifest,
)
from app.provenance.report import render_report, scene_thumbnails
from app.provenance.signing import key_id, load_or_create_key, sign_manifest
from app.provenance.verify import VerifyInputs, verify_path
from app.render.compose import ComposeResult
from app.render.timeline import OutputSpec, Timeline
from providers.media import probe, sha256_file
from providers.music import MusicTrack
from providers.profile import Catalog
from providers.voice import VoiceInfo
from routing.policy import Policy
from routing.router import Plan


@dataclass(frozen=True)
class SceneResult:
    index: int
    provider: str
    model: str
    cached: bool


@dataclass(frozen=True)
class RenderResult:
    render_id: str
    out_dir: Path
    manifest_path: Path
    disclosure_path: Path
    outputs: tuple[OutputSpec, ...]
    scenes: tuple[SceneResult, ...]
    duration: float
    integrated_lufs: float
    true_peak_dbtp: float
    manifest_sha256: str
    report_path: Path


@dataclass(frozen=True)
class RenderRecord:
    """Everything a finished render knows about itself."""

    render_id: str
    tenant: str
    started: datetime
    script: Script
    input_ref: str | None
    policy: Policy
    catalog: Catalog
    voice: VoiceInfo
    quality: str
    routed: Plan
    outcomes: Sequence[ClipOutcome]
    voices: Sequence[SceneVoice]
    timeline: Timeline
    composed: ComposeResult
    music: MusicTrack
    version: str
    layouts: Sequence[SceneLayout] = ()  # per scene: clips per aspect, subject track


def _model_version(catalog: Catalog, provider: str, model: str) -> str:
    try:
        found = catalog.get(provider).models.get(model)
    except KeyError:
        return ""
    return found.label if found else ""


def _scene_records(rec: RenderRecord) -> list[SceneRecord]:
    scenes: list[SceneRecord] = []
    for scene, slot, outcome, voice, decision in zip(
        rec.script.scenes, rec.timeline.slots, rec.outcomes, rec.voices,
        rec.routed.decisions, strict=True,
    ):  # fmt: skip
        clip = outcome.clip
        assert clip is not None
        scenes.append(
            SceneRecord(
                index=scene.index,
                kind=scene.kind.value,
                narration=scene.narration,
                on_screen_text=scene.on_screen_text,
                visual_prompt=scene.visual_prompt,
                start=slot.start,
                end=slot.start + slot.duration,
                routing=decision.to_dict(),
                attempts=list(outcome.attempts),
                clip=ClipRecord(
                    provider=clip.provider_id,
                    model=clip.model_id,
                    model_version=_model_version(rec.catalog, clip.provider_id, clip.model_id),
                    provider_job_id=clip.provider_job_id,
                    sha256="sha256:" + clip.sha256,
                    duration=round(clip.duration, 3),
                    width=clip.width,
                    height=clip.height,
                    fps=clip.fps,
                    cached=outcome.cached,
                    credentials=[
                        {"kind": c.kind, "name": c.name, "detail": c.detail}
                        for c in clip.credentials
                    ],
                ),
                narration_sha256=voice.sha256,
                reframing=reframing_record(slot, _layout(rec, scene.index), rec.composed.outputs),
            )
        )
    return scenes


def _layout(rec: RenderRecord, index: int) -> SceneLayout | None:
    return rec.layouts[index] if index < len(rec.layouts) else None


def _output_records(rec: RenderRecord, out_dir: Path) -> list[OutputRecord]:
    records: list[OutputRecord] = []
    for out in rec.composed.outputs:
        info = probe(out.path)
        records.append(
            OutputRecord(
                aspect=out.aspect.value,
                file=out.path.relative_to(out_dir).as_posix(),
                sha256="sha256:" + sha256_file(out.path),
                duration=round(info.duration, 3),
                width=info.width,
                height=info.height,
                integrated_lufs=rec.composed.loudness.integrated,
                true_peak_dbtp=rec.composed.loudness.true_peak,
            )
        )
    return records


def _header(rec: RenderRecord) -> dict[str, Any]:
    policy_body = json.loads(rec.policy.canonical_json())
    return {
        "render_id": rec.render_id,
        "tenant": rec.tenant,
        "created_at": rec.started.isoformat().replace("+00:00", "Z"),
        "software": {"name": "reelroute", "version": rec.version},
        "input": {
            "kind": rec.script.source_kind.value,
            "title": rec.script.title,
            "ref": rec.input_ref,
            "sha256": rec.script.source_sha256,
        },
        "policy": {
            "id": rec.policy.id,
            "version": rec.policy.version,
            "sha256": rec.policy.sha256,
            "body": policy_body,
        },
        "catalog": {"sha256": rec.catalog.sha256},
        "render": {
            "quality": rec.quality,
            "fps": rec.timeline.fps,
            "transition_s": rec.timeline.transition,
            "duration_s": round(rec.timeline.duration, 3),
            "estimated_cost_usd": rec.routed.estimated_cost_usd,
            "actual_cost_usd": _actual_cost(rec.outcomes, rec.layouts),
        },
    }


def _actual_cost(
    outcomes: Sequence[ClipOutcome], layouts: Sequence[SceneLayout] = ()
) -> float | None:
    costs = [a.cost_usd for o in outcomes for a in o.attempts if a.outcome == "succeeded"]
    costs += [m.cost_usd for lay in layouts for m in lay.natives if not m.cached]
    if any(c is None for c in costs):
        return None
    return round(sum(c for c in costs if c is not None), 4)


def _manifest(rec: RenderRecord, scenes: list[SceneRecord], vtt_path: Path) -> dict[str, Any]:
    """The manifest without outputs: they are recorded after their credentials are embedded."""
    return build_manifest(
        header=_header(rec),
        scenes=scenes,
        voice={
            "engine": rec.voice.engine,
            "voice": rec.voice.voice,
            "model_sha256": rec.voice.model_sha256,
            "licence": rec.voice.licence,
            "source": rec.voice.source,
        },
        music={
            "source": rec.music.source,
            "licence": rec.music.licence,
            "mood": rec.music.mood.value,
            "seed": rec.music.seed,
            "sha256": "sha256:" + rec.music.sha256.removeprefix("sha256:"),
        },
        outputs=[],
        disclosure={
            "vtt": vtt_path.name,
            "sha256": "sha256:" + sha256_file(vtt_path),
            "visible_label": (
                {"text": rec.timeline.label.text, "position": rec.timeline.label.position}
                if rec.timeline.label
                else None
            ),
        },
    )


def _credential_spec(
    rec: RenderRecord, scenes: list[SceneRecord], core: str, signer_key_id: str
) -> CredentialSpec:
    ingredients = []
    for scene, outcome in zip(scenes, rec.outcomes, strict=True):
        assert outcome.clip is not None
        ingredients.append(
            IngredientSpec(
                index=scene.index,
                provider=scene.clip.provider,
                model=scene.clip.model,
                start=round(scene.start, 3),
                end=round(scene.end, 3),
                clip_sha256=scene.clip.sha256,
                clip_path=outcome.clip.path,
            )
        )
    return CredentialSpec(
        render_id=rec.render_id,
        policy={"id": rec.policy.id, "version": rec.policy.version, "sha256": rec.policy.sha256},
        core_sha256=core,
        manifest_key_id=signer_key_id,
        software_version=rec.version,
        scenes=ingredients,
    )


def _seal(rec: RenderRecord, out_dir: Path, settings: Settings) -> tuple[dict[str, Any], str]:
    """Embed C2PA in every output, then sign and write manifest.json; blocking."""
    key = load_or_create_key(settings.signing_key_path, settings.keys_dir)
    identity = load_identity(settings)
    scenes = _scene_records(rec)
    cues = [
        DisclosureCue(s.index, s.start, s.end, s.clip.provider, s.clip.model, rec.policy.id)
        for s in scenes
    ]
    vtt_path = out_dir / "disclosure.vtt"
    vtt_path.write_text(disclosure_vtt(cues), encoding="utf-8")
    manifest = _manifest(rec, scenes, vtt_path)
    core = core_sha256(manifest)
    spec = _credential_spec(rec, scenes, core, key_id(key.public_key()))
    for out in rec.composed.outputs:
        embed_credentials(out.path, spec, identity)
    manifest["outputs"] = [asdict(o) for o in _output_records(rec, out_dir)]
    manifest["disclosure"]["core_sha256"] = core
    signed = sign_manifest(manifest, key)
    return signed, write_manifest(signed, out_dir / "manifest.json")


async def _write_report(
    rec: RenderRecord, manifest: dict[str, Any], out_dir: Path, settings: Settings
) -> Path:
    landscape = [o for o in rec.composed.outputs if o.aspect.value == "16:9"]
    video = (landscape or list(rec.composed.outputs))[0].path
    mids = [(s["timeline"]["start"] + s["timeline"]["end"]) / 2 for s in manifest["scenes"]]
    thumbs = await scene_thumbnails(video, mids)
    try:
        anchors, problem = trust_anchors(settings), ""
    except CredentialError as exc:
        anchors, problem = None, str(exc)
    inputs = VerifyInputs(anchors, problem, settings.clip_cache_dir, rec.catalog)
    checks = await asyncio.to_thread(verify_path, out_dir, inputs)
    path = out_dir / "report.html"
    path.write_text(render_report(manifest, thumbs, checks), encoding="utf-8")
    return path


async def write_disclosure(rec: RenderRecord, out_dir: Path, settings: Settings) -> RenderResult:
    """Write disclosure.vtt, C2PA credentials, the signed manifest.json and report.html.

    Raises CredentialError (naming the output) or SigningKeyError when sealing fails."""
    manifest, digest = await asyncio.to_thread(_seal, rec, out_dir, settings)
    report = await _write_report(rec, manifest, out_dir, settings)
    return RenderResult(
        render_id=rec.render_id,
        out_dir=out_dir,
        manifest_path=out_dir / "manifest.json",
        disclosure_path=out_dir / "disclosure.vtt",
        outputs=rec.composed.outputs,
        scenes=tuple(
            SceneResult(s["index"], s["clip"]["provider"], s["clip"]["model"], s["clip"]["cached"])
            for s in manifest["scenes"]
        ),
        duration=rec.timeline.duration,
        integrated_lufs=rec.composed.loudness.integrated,
        true_peak_dbtp=rec.composed.loudness.true_peak,
        manifest_sha256=digest,
        report_path=report,
    )
