"""One planned render, start to finish: preflight -> narrate -> clips + music -> compose ->
captions -> disclose -> publish into the output folder."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.errors import RenderFailed
from app.ingest.model import Scene, Script
from app.logs import log_context
from app.pipeline.cache import request_key
from app.pipeline.caption_files import write_caption_files
from app.pipeline.clips import (
    SKIPPED,
    UNKNOWN,
    Candidate,
    ClipOutcome,
    SceneFailed,
    Timing,
    generate_clip,
)
from app.pipeline.disclose import RenderRecord, RenderResult
from app.pipeline.draft_start import DraftInputs, RunningDraft, start_draft
from app.pipeline.env import RenderEnv
from app.pipeline.events import Emitter, RenderEvent, SceneState, Stage
from app.pipeline.health import CircuitBoard
from app.pipeline.layout import LayoutJob, SceneLayout, lay_out
from app.pipeline.narration import SceneVoice, narrate_all
from app.pipeline.output import OutputLock, check_output_folder, check_writable, publish
from app.pipeline.plan import check_plan
from app.pipeline.workdir import WorkFolder
from app.provenance.canonical import tagged_sha256
from app.provenance.label_scope import labelled_scenes
from app.provenance.manifest import AttemptRecord
from app.provenance.manifest_model import Approval
from app.render.audio import VoicePlacement
from app.render.captions import time_captions
from app.render.compose import ComposeResult, compose
from app.render.quality import SETTINGS, EncodeSettings, Quality
from app.render.timeline import (
    Caption,
    OutputSpec,
    Reframe,
    Timeline,
    VisibleLabel,
    build_timeline,
)
from providers.base import in_flight_limit
from providers.music import Mood, MusicTrack, generate_music
from providers.types import Aspect, Clip, ClipRequest, SceneKind
from providers.voice import VoiceEngine
from routing.policy import Policy
from routing.reframe import aspect_extras, extras_within_budget
from routing.router import Plan, RoutingDecision

LEAD_IN = 0.35  # silence before a scene's narration starts
TAIL_OUT = 0.55  # breathing room after it ends
MIN_SCENE = 2.5
TRANSITION = 0.4
DEFAULT_ASPECTS = (Aspect.LANDSCAPE, Aspect.PORTRAIT, Aspect.SQUARE)
# Footage with text or charts must stay whole in every aspect; photographic scenes can be cropped.
_PAD_KINDS = frozenset({SceneKind.TEXT, SceneKind.DATA, SceneKind.STYLIZED})


@dataclass(frozen=True)
class RenderOptions:
    """What to render, as decided by planning (`app.service.entry.plan_render`)."""

    render_id: str
    policy: Policy  # the effective policy: the chosen one within the enforced one
    aspects: tuple[Aspect, ...] = DEFAULT_ASPECTS
    quality: Quality = Quality.STANDARD
    input_ref: str | None = None  # path or URL the script came from, for the manifest
    tenant: str = "local"
    chosen_policy: Policy | None = None  # what the creator picked (None: `policy`)
    enforced_policy: Policy | None = None  # the tenant's binding policy, if any
    parent_id: str | None = None  # the render this one regenerates or re-routes
    voice: VoiceEngine | None = None  # None: the environment's default voice
    music_mood: Mood | None = None  # None: the environment's default mood
    approval: Approval | None = None  # who approved the plan (the service's gate); CLI: None
    takes: Mapping[int, int] = field(default_factory=dict)  # scene index -> take (2nd, 3rd...)
    draft: bool = False  # make a 540p draft first, refined as clips arrive (app.pipeline.draft)


def _tag(aspect: Aspect) -> str:
    return aspect.value.replace(":", "x")


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:48].rstrip("-") or "video"


def scene_duration(voice: SceneVoice) -> float:
    return max(MIN_SCENE, LEAD_IN + voice.narration.duration + TAIL_OUT)


def clip_request(
    scene: Scene, seconds: float, size: tuple[int, int], aspect: Aspect, take: int = 0
) -> ClipRequest:
    # Clips run past their slot by one transition: the next scene starts that far into its clip.
    # A later take folds its number into the seed (and so the cache key and idempotency key):
    # the same model is asked again; the first take keeps the seed every earlier render used.
    salt = f"#take{take}" if take else ""
    seed = int(tagged_sha256(scene.visual_prompt + scene.narration + salt)[7:15], 16)
    return ClipRequest(
        prompt=scene.visual_prompt,
        duration=round(seconds + TRANSITION, 3),
        aspect=aspect,
        width=size[0],
        height=size[1],
        kind=scene.kind,
        on_screen_text=scene.on_screen_text,
        reference_image=scene.image_hint,
        seed=seed,
        idempotency_key=f"scene-{scene.index}-{seed:08x}",
    )


def reframe_for(scene: Scene, outcome: ClipOutcome) -> Reframe:
    """How the scene's clip is fitted to an aspect it has no clip of its own for."""
    assert outcome.clip is not None
    # The offline renderer sets type in the frame (its scenes are normally drawn for every
    # aspect; this is the fallback): cropping it for 9:16 would cut words off.
    typography = outcome.clip.provider_id == "local"
    return Reframe.PAD if typography or scene.kind in _PAD_KINDS else Reframe.TRACK


def chain_of(decision: RoutingDecision) -> list[Candidate]:
    picks = [decision.chosen, *decision.fallbacks] if decision.chosen else []
    return [Candidate(c.provider, c.model) for c in picks if c is not None]


class _SceneWatch:
    """Turns clip attempts into scene events as they happen."""

    def __init__(self, em: Emitter, decisions: Sequence[RoutingDecision]) -> None:
        self.em = em
        self.decisions = decisions
        self.fell_back: set[int] = set()

    def state(self, i: int, state: SceneState, who: Candidate | None = None, msg: str = "") -> None:
        self.em.emit(RenderEvent(
            self.em.render_id, "scene", scene=i, state=state,
            provider=who.provider if who else None, model=who.model if who else None,
            message=msg,
        ))  # fmt: skip

    def submitted(self, i: int, rec: AttemptRecord, job_id: str, reply: Any) -> None:
        """The vendor accepted the job: its id (and its answer, which a resumed attempt polls
        from) goes to the ledger before the job is polled."""
        record = {**asdict(rec), "provider_job_id": job_id, "submit_reply": reply}
        self.em.emit(RenderEvent(
            self.em.render_id, "attempt", scene=i, provider=rec.provider, model=rec.model,
            attempt=record, message=rec.outcome,
        ))  # fmt: skip

    def attempt(self, i: int, rec: AttemptRecord, clip: Clip | None) -> None:
        record = {**asdict(rec), "provider_job_id": clip.provider_job_id if clip else None}
        self.em.emit(RenderEvent(
            self.em.render_id, "attempt", scene=i, provider=rec.provider, model=rec.model,
            attempt=record, message=rec.outcome,
        ))  # fmt: skip
        if rec.outcome in ("failed", UNKNOWN, SKIPPED) and i not in self.fell_back:
            self.fell_back.add(i)
            self.state(i, SceneState.FALLBACK, msg=f"{rec.provider}/{rec.model}: {rec.outcome}")


@dataclass
class _Generation:
    """What the scenes of one render (or one scene job) share while their clips are made."""

    env: RenderEnv
    em: Emitter
    watch: _SceneWatch
    decisions: Sequence[RoutingDecision]
    gates: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for pid in self.env.registry.ids():
            # A vendor's own allowance when it declares one; the CPU-bound renderer gets the
            # default.
            limit = in_flight_limit(self.env.registry.get(pid), self.env.clip_concurrency)
            self.gates[pid] = asyncio.Semaphore(limit)
        board = self.env.breakers
        if board is None and self.decisions:
            board = CircuitBoard.from_rules(self.decisions[0].failure, self.env.monotonic)
        self.board = board

    async def one(self, i: int, request: ClipRequest) -> ClipOutcome:
        """Scene `i`'s clip: made earlier by a scene job (`RenderEnv.made`), or made now."""
        env, watch = self.env, self.watch
        made = env.made.get(i)
        if made is not None and made.clip is not None:
            who = Candidate(made.clip.provider_id, made.clip.model_id)
            watch.state(i, SceneState.DONE, who, "made by a scene job")
            return made
        chain = chain_of(self.decisions[i])
        watch.state(i, SceneState.GENERATING, chain[0] if chain else None)
        try:
            outcome = await generate_clip(
                i, request, chain, env.registry, env.clips, self.gates,
                Timing(env.clock, env.sleep, env.monotonic), rules=self.decisions[i].failure,
                board=self.board, on_attempt=watch.attempt, on_submitted=watch.submitted,
                recorded=self.em.flush, resume=env.resume.get(i),
            )  # fmt: skip
        except SceneFailed as exc:
            watch.state(i, SceneState.FAILED, msg=str(exc))
            raise
        assert outcome.clip is not None
        who = Candidate(outcome.clip.provider_id, outcome.clip.model_id)
        watch.state(i, SceneState.DONE, who, "cached" if outcome.cached else "made")
        return outcome


async def _generate_all(
    requests: Sequence[ClipRequest],
    decisions: Sequence[RoutingDecision],
    env: RenderEnv,
    em: Emitter,
    arrived: Callable[[int, ClipOutcome], None] | None = None,
) -> list[ClipOutcome]:
    """Every clip concurrently; when some scene fails, the others still finish and are cached.
    `arrived` hears of each scene's clip as soon as it is there."""
    done = 0
    total = len(requests)
    gen = _Generation(env, em, _SceneWatch(em, decisions), decisions)

    async def one(i: int) -> ClipOutcome:
        nonlocal done
        outcome = await gen.one(i, requests[i])
        if arrived is not None:
            arrived(i, outcome)
        done += 1
        em.stage(Stage.GENERATE, done, total, f"scene {i + 1}")
        return outcome

    for i in range(total):
        if i not in env.made:
            gen.watch.state(i, SceneState.QUEUED)

    async def logged(i: int) -> ClipOutcome:
        with log_context(scene=i):  # each scene's task logs with its index
            return await one(i)

    results = await asyncio.gather(*(logged(i) for i in range(total)), return_exceptions=True)
    cancelled = [r for r in results if isinstance(r, asyncio.CancelledError)]
    if cancelled:
        raise cancelled[0]
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        lines = [str(f) for f in failures]
        raise RenderFailed(
            f"{len(failures)} of {total} scenes could not be generated "
            f"({total - len(failures)} clips were made and are cached):\n  " + "\n  ".join(lines)
        ) from failures[0]
    return [r for r in results if isinstance(r, ClipOutcome)]


@dataclass(frozen=True)
class SceneClip:
    """A scene job's result: the clip, where it is in the clip cache, and every attempt."""

    outcome: ClipOutcome
    cache_key: str


async def generate_scene(
    script: Script, routed: Plan, options: RenderOptions, env: RenderEnv, index: int
) -> SceneClip:
    """Make scene `index`'s clip alone (a worker's scene job): the same narration timing,
    request, chain and clip cache as a whole render, so the composition finds the clip.
    Raises `SceneFailed` when no candidate delivers."""
    scene = script.scenes[index]
    em = Emitter(options.render_id, env.events)
    try:
        check_writable(env.clips.root, "clip cache")
        enc = SETTINGS[options.quality]
        master_aspect = options.aspects[0]
        voice = options.voice or env.voice
        voices = await narrate_all(
            voice, [scene.narration], env.narration_dir, shared=env.narration_store
        )
        request = clip_request(
            scene, scene_duration(voices[0]), master_aspect.frame_size(enc.short_side),
            master_aspect, options.takes.get(index, 0),
        )  # fmt: skip
        gen = _Generation(env, em, _SceneWatch(em, routed.decisions), routed.decisions)
        outcome = await gen.one(index, request)
        assert outcome.clip is not None
        last = outcome.attempts[-1]  # the attempt that delivered (made or cached)
        return SceneClip(outcome, request_key(request, last.provider, last.model))
    finally:
        await em.aclose()


def _captions(scene: Scene, voice: SceneVoice) -> tuple[Caption, ...]:
    words = [(w.start, w.end) for w in voice.narration.words]
    return time_captions(scene.narration, LEAD_IN, voice.narration.duration, words)


def preflight(routed: Plan, n_scenes: int, env: RenderEnv) -> None:
    """Everything that can fail before the first provider call, checked before it: the plan,
    the data folders, the signing keys and the C2PA certificate."""
    check_plan(routed, n_scenes)
    check_writable(env.scratch_dir, "data folder")
    check_writable(env.clips.root, "clip cache")
    check_writable(env.narration_dir, "narration cache")
    env.signer.preflight()


async def render_script(
    script: Script, routed: Plan, options: RenderOptions, env: RenderEnv, out_dir: Path
) -> RenderResult:
    """Render `script` as `routed` says into `out_dir` (see `app.pipeline.output` for how the
    folder is shared). Raises `ReelrouteError`s: `OutputBusy`, `SetupError`, `PlanError`,
    `RenderFailed`. A failure or cancellation leaves `out_dir` as it was and no work folder."""
    if not script.scenes:
        raise RenderFailed("the script has no scenes")
    em = Emitter(options.render_id, env.events)
    try:
        check_output_folder(out_dir)
        with OutputLock(out_dir, options.render_id):
            preflight(routed, len(script.scenes), env)
            em.stage(Stage.PLAN, 1, 1)
            with WorkFolder(env.scratch_dir, options.render_id) as work:
                stage = work / "set"
                stage.mkdir()
                result = await _make(script, routed, options, env, em, work, stage)
                em.stage(Stage.PUBLISH, 0, 1)
                await _uninterrupted(asyncio.to_thread(publish, stage, out_dir, options.render_id))
                em.stage(Stage.PUBLISH, 1, 1)
            published = _moved(result, stage, out_dir)
            await env.signer.index(published)
            return published
    finally:
        await em.aclose()


async def _uninterrupted(step: Awaitable[None]) -> None:
    """Run `step` to its end even when the render is cancelled meanwhile (then re-raise): the
    lock must outlive the swap it protects."""
    task = asyncio.ensure_future(step)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


def _moved(result: RenderResult, stage: Path, out_dir: Path) -> RenderResult:
    def there(path: Path) -> Path:
        return out_dir / path.relative_to(stage)

    return replace(
        result,
        out_dir=out_dir,
        manifest_path=there(result.manifest_path),
        disclosure_path=there(result.disclosure_path),
        report_path=there(result.report_path),
        outputs=tuple(replace(o, path=there(o.path)) for o in result.outputs),
    )


async def _make(
    script: Script,
    routed: Plan,
    options: RenderOptions,
    env: RenderEnv,
    em: Emitter,
    work: Path,
    stage: Path,
) -> RenderResult:
    """Narrate, generate, compose and disclose into `stage`; intermediates stay in `work`."""
    said = await _narrate(script, options, env, em, work)
    draft = _start_draft(script, options, env, em, said) if options.draft else None
    try:
        return await _after_narration(script, routed, options, env, em, (work, stage), said,
                                      draft)  # fmt: skip
    except BaseException:
        if draft is not None:
            await draft.cancel()
        raise


async def _narrate(
    script: Script, options: RenderOptions, env: RenderEnv, em: Emitter, work: Path
) -> _Narrated:
    """Every scene's narration, its slot and clip request, and the music started (into
    `work`): what the final and the draft share."""
    started = env.clock()
    enc = SETTINGS[options.quality]
    master_aspect = options.aspects[0]
    master = master_aspect.frame_size(enc.short_side)
    voice = options.voice or env.voice
    n = len(script.scenes)
    voices = await narrate_all(
        voice,
        [s.narration for s in script.scenes],
        env.narration_dir,
        lambda k: em.stage(Stage.NARRATE, k, n),
        shared=env.narration_store,
    )
    durations = [scene_duration(v) for v in voices]
    requests = [
        clip_request(s, d, master, master_aspect, options.takes.get(i, 0))
        for i, (s, d) in enumerate(zip(script.scenes, durations, strict=True))
    ]
    mood = options.music_mood or env.music_mood
    music_task = asyncio.ensure_future(
        _music(env, em, mood, sum(durations) + 1.0, work / "music.wav")
    )
    captions = [_captions(s, v) for s, v in zip(script.scenes, voices, strict=True)]
    return _Narrated(started, voice, voices, durations, requests, captions, music_task)


async def draft_alone(
    script: Script, options: RenderOptions, env: RenderEnv, em: Emitter, work: Path
) -> RunningDraft:
    """Start a render's draft without its final (a worker's draft step): the same narration,
    timeline and builder as a whole draft-first render; clips are fed in by the caller."""
    said = await _narrate(script, options, env, em, work)
    return _start_draft(script, options, env, em, said)


@dataclass(frozen=True)
class _Narrated:
    """What a render knows once its narration is made (the final and the draft share it)."""

    started: datetime
    voice: VoiceEngine
    voices: Sequence[SceneVoice]
    durations: Sequence[float]
    requests: Sequence[ClipRequest]
    captions: Sequence[tuple[Caption, ...]]
    music: Awaitable[MusicTrack]


def _start_draft(
    script: Script, options: RenderOptions, env: RenderEnv, em: Emitter, said: _Narrated
) -> RunningDraft:
    inputs = DraftInputs(
        options.render_id, options.tenant, script.title, options.aspects[0], said.requests,
        said.durations, said.captions, [v.narration.path for v in said.voices], LEAD_IN,
        TRANSITION, _label(options.policy), options.policy.disclosure.label_scope,
    )  # fmt: skip
    folder = (env.drafts_dir or env.scratch_dir.parent / "drafts") / options.render_id
    return start_draft(inputs, said.music, folder, em, env.draft_store)


async def _after_narration(
    script: Script,
    routed: Plan,
    options: RenderOptions,
    env: RenderEnv,
    em: Emitter,
    folders: tuple[Path, Path],
    said: _Narrated,
    draft: RunningDraft | None,
) -> RenderResult:
    """Clips (each swapped into the draft as it lands), layout, compose and disclose."""
    work, stage = folders
    enc = SETTINGS[options.quality]
    started, voice, voices, durations = said.started, said.voice, said.voices, said.durations
    requests, captions = said.requests, said.captions

    def arrived(i: int, outcome: ClipOutcome) -> None:
        assert draft is not None and outcome.clip is not None
        draft.clip_arrived(i, outcome.clip, reframe_for(script.scenes[i], outcome))

    outcomes, music = await asyncio.gather(
        _generate_all(requests, routed.decisions, env, em, arrived if draft else None),
        said.music,
    )

    layouts = await _lay_out(script, requests, outcomes, routed, options, env, em)
    tl = build_timeline(
        list(durations),
        [o.clip.path for o in outcomes if o.clip is not None],
        [(o.clip.width, o.clip.height) for o in outcomes if o.clip is not None],
        [lay.reframe for lay in layouts],
        list(captions),
        fps=enc.fps,
        transition=TRANSITION,
        label=_label(options.policy),
        natives=[tuple(m.clip for m in lay.natives) for lay in layouts],
        tracks=[lay.track for lay in layouts],
    )
    providers = [o.clip.provider_id for o in outcomes if o.clip is not None]
    scope = options.policy.disclosure.label_scope
    tl = replace(tl, label_scenes=labelled_scenes(providers, scope))
    composed = await _compose(script, options, env, em, tl, voices, music, work, stage, enc)
    write_caption_files(tl, stage)
    record = RenderRecord(
        render_id=options.render_id,
        tenant=options.tenant,
        started=started,
        script=script,
        input_ref=options.input_ref,
        policy=options.policy,
        catalog=env.catalog,
        voice=voice.info,
        quality=options.quality.value,
        routed=routed,
        outcomes=outcomes,
        voices=voices,
        timeline=tl,
        composed=composed,
        music=music,
        version=__version__,
        chosen_policy=options.chosen_policy,
        enforced_policy=options.enforced_policy,
        parent_id=options.parent_id,
        approval=options.approval,
        layouts=tuple(layouts),
    )
    em.stage(Stage.DISCLOSE, 0, 1)
    result = await env.signer.disclose(record, stage)
    em.stage(Stage.DISCLOSE, 1, 1)
    if draft is not None:
        await draft.finish()
    return result


async def _lay_out(
    script: Script,
    requests: Sequence[ClipRequest],
    outcomes: Sequence[ClipOutcome],
    routed: Plan,
    options: RenderOptions,
    env: RenderEnv,
    em: Emitter,
) -> list[SceneLayout]:
    """Each scene made for every aspect where it can be (built-in scenes; `reframe: generate`
    within budget), else its clip reframed (app.pipeline.layout)."""
    extras = aspect_extras(routed, options.policy, env.catalog.profiles, options.aspects)
    if not extras_within_budget(routed, extras):
        extras = ()  # the scenes are reframed instead: the budget was checked without them
    job = LayoutJob(
        env.registry, env.clips, options.aspects,
        SETTINGS[options.quality].short_side, env.clip_concurrency,
        options.policy.failure_rules(), Timing(env.clock, env.sleep, env.monotonic),
        lambda done, total: em.stage(Stage.LAYOUT, done, total),
    )  # fmt: skip
    reframes = [reframe_for(s, o) for s, o in zip(script.scenes, outcomes, strict=True)]
    return await lay_out(requests, outcomes, reframes, extras, job)


def _label(policy: Policy) -> VisibleLabel | None:
    d = policy.disclosure
    return VisibleLabel(d.label_text, d.label_position.value) if d.visible_label else None


async def _music(env: RenderEnv, em: Emitter, mood: Mood, seconds: float, dest: Path) -> MusicTrack:
    em.stage(Stage.MUSIC, 0, 1)
    track = await generate_music(mood, seconds, env.music_seed, dest)
    em.stage(Stage.MUSIC, 1, 1)
    return track


async def _compose(
    script: Script,
    options: RenderOptions,
    env: RenderEnv,
    em: Emitter,
    tl: Timeline,
    voices: Sequence[SceneVoice],
    music: MusicTrack,
    work: Path,
    stage: Path,
    enc: EncodeSettings,
) -> ComposeResult:
    slug = slugify(script.title)
    outputs = [
        OutputSpec(a, *a.frame_size(enc.short_side), stage / f"{slug}-{_tag(a)}.mp4")
        for a in options.aspects
    ]
    placements = [
        VoicePlacement(v.narration.path, slot.start + LEAD_IN)
        for v, slot in zip(voices, tl.slots, strict=True)
    ]

    def report(stage_name: str, done: int, total: int) -> None:
        em.stage(Stage(stage_name), done, total)

    return await compose(
        tl, outputs, placements, music.path, work, enc,
        title=script.title, concurrency=env.compose_concurrency, progress=report,
    )  # fmt: skip


__all__ = [
    "RenderFailed",
    "RenderOptions",
    "RenderResult",
    "SceneClip",
    "draft_alone",
    "generate_scene",
    "preflight",
    "render_script",
]
