"""Turn a finished render into its disclosure: disclosure.vtt, C2PA credentials embedded in
every output, report.html and the signed manifest.json.

The order matters (see `app.provenance.credentials` and `app.provenance.coverage` for why):

1. the disclosure core is fixed first, and the outputs are embedded with C2PA credentials
   that carry its sha256 and the id of the key that will sign the manifest;
2. the manifest records the outputs' final sha256;
3. report.html is written from that manifest, with every check that does not need the
   signature, and its sha256 goes into the manifest (`disclosure.report`);
4. the manifest is signed and written last, so its signature covers the report too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.config import Settings
from app.ingest.model import Script
from app.pipeline.clips import ClipOutcome
from app.pipeline.layout import SceneLayout, reframing_record
from app.pipeline.narration import SceneVoice
from app.provenance.ai_disclosure import disclosure_assertions
from app.provenance.credentials import (
    CredentialError,
    CredentialSpec,
    IngredientSpec,
    embed_credentials,
    load_identity,
    load_trust_anchors,
)
from app.provenance.disclosure import DisclosureCue, disclosure_vtt
from app.provenance.fingerprint import ALG, FPS, from_hex, to_hex, video_hashes
from app.provenance.fingerprint_index import IndexedOutput, SqliteFingerprintIndex
from app.provenance.input_images import InputImageError, input_image
from app.provenance.label_scope import label_ranges
from app.provenance.manifest import attempt_model, write_manifest
from app.provenance.manifest_model import (
    Approval,
    CatalogRecord,
    ClipRecord,
    DisclosureRecord,
    FileDigest,
    Fingerprint,
    InputImage,
    InputRecord,
    Manifest,
    MusicRecord,
    NarrationAudio,
    OutputRecord,
    PolicyRecord,
    RenderSettings,
    Routing,
    SceneRecord,
    Software,
    TimeRange,
    UpstreamCredential,
    VisibleLabel,
    VoiceRecord,
)
from app.provenance.report import render_report, scene_thumbnails
from app.provenance.signing import key_id, load_or_create_key, sign
from app.provenance.source_types import (
    music_source_type,
    visual_source_type,
    voice_source_type,
    whole_source_type,
)
from app.provenance.upstream_marks import upstream_marks
from app.provenance.verify import VerifyInputs, verify_before_signing
from app.render.compose import ComposeResult
from app.render.timeline import OutputSpec, SceneSlot, Timeline
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
    manifest: Manifest  # what manifest.json holds, typed (for the ledger)


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
    chosen_policy: Policy | None = None  # what the creator picked, when an enforced one binds
    enforced_policy: Policy | None = None  # the tenant's binding policy
    parent_id: str | None = None  # the render this one regenerates or re-routes
    approval: Approval | None = None  # who approved the plan (the service's gate); CLI: None
    layouts: Sequence[SceneLayout] = ()  # per scene: clips per aspect, subject track


def _policy_ref(policy: Policy | None) -> dict[str, Any] | None:
    if policy is None:
        return None
    return {"id": policy.id, "version": policy.version, "sha256": policy.sha256,
            "body": json.loads(policy.canonical_json())}  # fmt: skip


def _model_version(catalog: Catalog, provider: str, model: str) -> str:
    try:
        found = catalog.get(provider).models.get(model)
    except KeyError:
        return ""
    return found.label if found else ""


def _clip_record(rec: RenderRecord, outcome: ClipOutcome) -> ClipRecord:
    clip = outcome.clip
    assert clip is not None
    return ClipRecord(
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
            UpstreamCredential(kind=c.kind, name=c.name, detail=c.detail) for c in clip.credentials
        ],
    )


def _day(rec: RenderRecord) -> str:
    return rec.started.date().isoformat()


def _scene_records(rec: RenderRecord) -> list[SceneRecord]:
    return [_with_sources(rec, s) for s in _bare_scene_records(rec)]


def _with_sources(rec: RenderRecord, scene: SceneRecord) -> SceneRecord:
    """What made the scene's picture, what became of its vendor's watermark, and the image
    the clip was made from (recorded only when there is one)."""
    clip = scene.clip
    update: dict[str, Any] = {
        "source_type": visual_source_type(clip.provider),
        "upstream_marks": upstream_marks(rec.catalog, clip.provider, clip.model, _day(rec)),
    }
    image = _input_image(rec, scene.index)
    return scene.model_copy(update=update | ({"input_image": image} if image else {}))


def _input_image(rec: RenderRecord, index: int) -> InputImage | None:
    made = rec.outcomes[index].clip
    assert made is not None
    path = rec.script.scenes[index].image_hint
    try:
        return input_image(index, made.image_sha256, path, rec.script.source)
    except InputImageError as exc:
        raise CredentialError(f"cannot record the scene's input image: {exc}") from exc


def _bare_scene_records(rec: RenderRecord) -> list[SceneRecord]:
    return [
        SceneRecord(
            index=scene.index,
            kind=scene.kind.value,
            narration=scene.narration,
            on_screen_text=scene.on_screen_text,
            visual_prompt=scene.visual_prompt,
            timeline=TimeRange(
                start=round(slot.start, 3), end=round(slot.start + slot.duration, 3)
            ),
            routing=Routing.model_validate(decision.to_dict()),
            attempts=[attempt_model(a) for a in outcome.attempts],
            clip=_clip_record(rec, outcome),
            narration_audio=NarrationAudio(sha256=voice.sha256),
            **_reframing(rec, scene.index, slot),
        )
        for scene, slot, outcome, voice, decision in zip(
            rec.script.scenes,
            rec.timeline.slots,
            rec.outcomes,
            rec.voices,
            rec.routed.decisions,
            strict=True,
        )
    ]


def _reframing(rec: RenderRecord, index: int, slot: SceneSlot) -> dict[str, Any]:
    # Per output aspect, how the scene reached it; left out when there is nothing to say.
    record = reframing_record(slot, _layout(rec, index), rec.composed.outputs)
    return {"reframing": record} if record else {}


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


def _source_block(script: Script) -> dict[str, Any]:
    # A fetched or LLM-written script: fetch, extraction, citations, images, writer
    # (app.ingest.source_record). Absent for a file or text used as given.
    return {"source": script.source.to_manifest(script.scenes)} if script.source else {}


def _actual_cost(
    outcomes: Sequence[ClipOutcome], layouts: Sequence[SceneLayout] = ()
) -> float | None:
    costs = [a.cost_usd for o in outcomes for a in o.attempts if a.outcome == "succeeded"]
    costs += [m.cost_usd for lay in layouts for m in lay.natives if not m.cached]
    if any(c is None for c in costs):
        return None
    return round(sum(c for c in costs if c is not None), 4)


def _render_settings(rec: RenderRecord) -> RenderSettings:
    return RenderSettings(
        quality=rec.quality,
        fps=rec.timeline.fps,
        transition_s=rec.timeline.transition,
        duration_s=round(rec.timeline.duration, 3),
        estimated_cost_usd=rec.routed.estimated_cost_usd,
        actual_cost_usd=_actual_cost(rec.outcomes, rec.layouts),
    )


def _voice_and_music(rec: RenderRecord) -> tuple[VoiceRecord, MusicRecord]:
    voice = VoiceRecord(
        engine=rec.voice.engine,
        voice=rec.voice.voice,
        model_sha256=rec.voice.model_sha256,
        licence=rec.voice.licence,
        source=rec.voice.source,
        source_type=voice_source_type(rec.voice.engine),
    )
    music = MusicRecord(
        source=rec.music.source,
        licence=rec.music.licence,
        mood=rec.music.mood.value,
        seed=rec.music.seed,
        sha256="sha256:" + rec.music.sha256.removeprefix("sha256:"),
        source_type=music_source_type(rec.music.source),
    )
    return voice, music


def _label_where(rec: RenderRecord, scenes: list[SceneRecord]) -> dict[str, Any]:
    """The label's scope and the time ranges it is on screen (none without a label)."""
    tl = rec.timeline
    if tl.label is None:
        return {}
    shown = frozenset(s.index for s in scenes if tl.shows_label(s.index))
    spans = [(float(s.timeline.start), float(s.timeline.end)) for s in scenes]
    return {
        "label_scope": rec.policy.disclosure.label_scope,
        "label_ranges": [TimeRange(start=a, end=b) for a, b in label_ranges(spans, shown)],
    }


def _draft(rec: RenderRecord, scenes: list[SceneRecord], vtt_path: Path) -> Manifest:
    """The manifest without outputs: they are recorded after their credentials are embedded."""
    label = rec.timeline.label
    voice, music = _voice_and_music(rec)
    parts = [s.source_type or "" for s in scenes] + [
        voice.source_type or "",
        music.source_type or "",
    ]
    manifest = Manifest(
        render_id=rec.render_id,
        tenant=rec.tenant,
        created_at=rec.started.isoformat().replace("+00:00", "Z"),
        software=Software(name="reelroute", version=rec.version),
        input=InputRecord(
            kind=rec.script.source_kind.value,
            title=rec.script.title,
            ref=rec.input_ref,
            sha256=rec.script.source_sha256,
            **_source_block(rec.script),
        ),
        policy=PolicyRecord(
            id=rec.policy.id,
            version=rec.policy.version,
            sha256=rec.policy.sha256,
            body=json.loads(rec.policy.canonical_json()),
        ),
        # `policy` is the effective one; these are what it was combined from.
        policies={
            "chosen": _policy_ref(rec.chosen_policy or rec.policy),
            "enforced": _policy_ref(rec.enforced_policy),
        },
        parent_id=rec.parent_id,
        digital_source_type=whole_source_type(parts),
        catalog=CatalogRecord(sha256=rec.catalog.sha256),
        render=_render_settings(rec),
        scenes=scenes,
        voice=voice,
        music=music,
        outputs=[],
        disclosure=DisclosureRecord(
            vtt=vtt_path.name,
            sha256="sha256:" + sha256_file(vtt_path),
            visible_label=VisibleLabel(text=label.text, position=label.position) if label else None,
            **_label_where(rec, scenes),
        ),
    )
    # Only a render someone approved records `approval` (older manifests have no such key).
    return manifest.model_copy(update={"approval": rec.approval}) if rec.approval else manifest


def _credential_spec(
    rec: RenderRecord, draft: Manifest, core: str, signer_key_id: str
) -> CredentialSpec:
    ingredients = []
    for scene, outcome in zip(draft.scenes, rec.outcomes, strict=True):
        assert outcome.clip is not None
        ingredients.append(
            IngredientSpec(
                index=scene.index,
                provider=scene.clip.provider,
                model=scene.clip.model,
                start=scene.timeline.start,
                end=scene.timeline.end,
                clip_sha256=scene.clip.sha256,
                clip_path=outcome.clip.path,
                source_type=scene.source_type or "",
                input_image=scene.input_image,
                input_path=rec.script.scenes[scene.index].image_hint,
            )
        )
    voice, music = draft.voice, draft.music
    return CredentialSpec(
        render_id=rec.render_id,
        policy={"id": rec.policy.id, "version": rec.policy.version, "sha256": rec.policy.sha256},
        core_sha256=core,
        manifest_key_id=signer_key_id,
        software_version=rec.version,
        scenes=ingredients,
        digital_source_type=draft.digital_source_type or "",
        narration=(f"{voice.engine}/{voice.voice}", voice.source_type or ""),
        music=(music.source, music.source_type or ""),
        ai_disclosures=disclosure_assertions(draft),
    )


def soft_binding_data(fingerprint: Fingerprint, duration: float) -> dict[str, Any]:
    """The `c2pa.soft-binding` data for an output: one block over its whole time span whose
    value is the fingerprint's hashes, concatenated hex. c2pa-rs reads timespans as unsigned
    integers (a float makes the claim malformed), so they are whole milliseconds."""
    return {
        "alg": fingerprint.alg,
        "blocks": [
            {"scope": {"timespan": {"start": 0, "end": round(duration * 1000)}},
             "value": "".join(fingerprint.hashes)},
        ],
        "alg_params": {"fps": fingerprint.fps, "timespan_unit": "ms"},
    }  # fmt: skip


async def _fingerprints(rec: RenderRecord) -> dict[str, Fingerprint]:
    """Each output's picture fingerprint, by aspect, taken before credentials are embedded
    (embedding leaves the picture as it is)."""
    found = {}
    for out in rec.composed.outputs:
        hashes = await video_hashes(out.path, FPS)
        found[out.aspect.value] = Fingerprint(alg=ALG, fps=FPS, hashes=to_hex(hashes))
    return found


def _cues(rec: RenderRecord, scenes: list[SceneRecord], voice: VoiceRecord) -> list[DisclosureCue]:
    narration = f"{voice.engine} {voice.voice} ({voice.source_type})"
    return [
        DisclosureCue(s.index, s.timeline.start, s.timeline.end, s.clip.provider, s.clip.model,
                      rec.policy.id, s.source_type or "", narration, _made_from(s))
        for s in scenes
    ]  # fmt: skip


def _made_from(scene: SceneRecord) -> str:
    image = scene.input_image
    if image is None:
        return ""
    return f"the {'article' if image.origin == 'article' else 'local'} image {image.ref}"


def _embed(
    rec: RenderRecord, out_dir: Path, settings: Settings, prints: dict[str, Fingerprint]
) -> tuple[Manifest, Ed25519PrivateKey]:
    """Write disclosure.vtt and embed C2PA in every output; blocking. Returns the unsigned
    manifest (outputs recorded) and the key that will sign it."""
    key = load_or_create_key(settings.signing_key_path, settings.keys_dir)
    identity = load_identity(settings)
    scenes = _scene_records(rec)
    voice, _music = _voice_and_music(rec)
    vtt_path = out_dir / "disclosure.vtt"
    vtt_path.write_text(disclosure_vtt(_cues(rec, scenes, voice)), encoding="utf-8")
    draft = _draft(rec, scenes, vtt_path)
    core = draft.core_sha256()
    spec = _credential_spec(rec, draft, core, key_id(key.public_key()))
    for out in rec.composed.outputs:
        fingerprint = prints[out.aspect.value]
        binding = soft_binding_data(fingerprint, rec.timeline.duration)
        embed_credentials(out.path, spec, identity, binding)
    disclosure = draft.disclosure.model_copy(update={"core_sha256": core})
    outputs = [
        o.model_copy(update={"fingerprint": prints[o.aspect]})
        for o in _output_records(rec, out_dir)
    ]
    return draft.model_copy(update={"outputs": outputs, "disclosure": disclosure}), key


def index_outputs(manifest: Manifest, out_dir: Path, settings: Settings) -> None:
    """Record every output's fingerprint in the local index (`verify --find`); `out_dir` is
    the published render folder."""
    index = SqliteFingerprintIndex.in_data_dir(settings.data_dir)
    for o in manifest.outputs:
        if o.fingerprint is not None:
            hashes = from_hex(o.fingerprint.hashes)
            fps = int(o.fingerprint.fps)
            index.add(IndexedOutput(manifest.render_id, o.aspect, o.file, out_dir, hashes, fps))


async def _write_report(
    rec: RenderRecord, manifest: Manifest, signer: str, out_dir: Path, settings: Settings
) -> FileDigest:
    """report.html from the unsigned manifest; returns its digest for the manifest to sign."""
    landscape = [o for o in rec.composed.outputs if o.aspect.value == "16:9"]
    video = (landscape or list(rec.composed.outputs))[0].path
    mids = [(s.timeline.start + s.timeline.end) / 2 for s in manifest.scenes]
    thumbs = await scene_thumbnails(video, mids)
    inputs = VerifyInputs(load_trust_anchors(settings), settings.clip_cache_dir, rec.catalog)
    checks = await asyncio.to_thread(verify_before_signing, out_dir, manifest, signer, inputs)
    path = out_dir / "report.html"
    path.write_text(render_report(manifest, thumbs, checks, signer), encoding="utf-8")
    return FileDigest(file=path.name, sha256="sha256:" + sha256_file(path))


def _sign_and_write(
    manifest: Manifest, key: Ed25519PrivateKey, out_dir: Path
) -> tuple[Manifest, str]:
    signed = sign(manifest, key)
    return signed, write_manifest(signed, out_dir / "manifest.json")


async def write_disclosure(rec: RenderRecord, out_dir: Path, settings: Settings) -> RenderResult:
    """Write disclosure.vtt, C2PA credentials, report.html and the signed manifest.json (last).

    Raises CredentialError (naming the output) or SigningKeyError when sealing fails."""
    prints = await _fingerprints(rec)
    unsigned, key = await asyncio.to_thread(_embed, rec, out_dir, settings, prints)
    report = await _write_report(rec, unsigned, key_id(key.public_key()), out_dir, settings)
    with_report = unsigned.model_copy(
        update={"disclosure": unsigned.disclosure.model_copy(update={"report": report})}
    )
    manifest, digest = await asyncio.to_thread(_sign_and_write, with_report, key, out_dir)
    return RenderResult(
        render_id=rec.render_id,
        out_dir=out_dir,
        manifest_path=out_dir / "manifest.json",
        disclosure_path=out_dir / "disclosure.vtt",
        outputs=rec.composed.outputs,
        scenes=tuple(
            SceneResult(s.index, s.clip.provider, s.clip.model, s.clip.cached)
            for s in manifest.scenes
        ),
        duration=rec.timeline.duration,
        integrated_lufs=rec.composed.loudness.integrated,
        true_peak_dbtp=rec.composed.loudness.true_peak,
        manifest_sha256=digest,
        report_path=out_dir / report.file,
        manifest=manifest,
    )
