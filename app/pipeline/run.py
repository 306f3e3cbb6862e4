"""One render, start to finish: plan -> narrate -> clips + music -> compose -> disclose."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app import __version__
from app.config import Settings
from app.ingest.model import Scene, Script
from app.pipeline.cache import ClipCache
from app.pipeline.clips import (
    Candidate,
    ClipOutcome,
    Clock,
    Sleep,
    Timing,
    generate_clip,
    utc_now,
)
from app.pipeline.disclose import RenderRecord, RenderResult, write_disclosure
from app.pipeline.events import ProgressEvent, ProgressSink, Stage
from app.pipeline.health import CircuitBoard
from app.pipeline.layout import LayoutJob, SceneLayout, lay_out
from app.pipeline.narration import SceneVoice, narrate_all
from app.pipeline.plan import check_plan, plan_script
from app.provenance.canonical import tagged_sha256
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
from providers.music import MusicTrack, generate_music
from providers.profile import Catalog
from providers.registry import Registry
from providers.types import Aspect, ClipRequest, SceneKind
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


class RenderFailed(Exception):
    """The render could not finish; clips already made stay cached for the next run."""


@dataclass(frozen=True)
class RenderOptions:
    out_dir: Path
    policy: Policy
    aspects: tuple[Aspect, ...] = DEFAULT_ASPECTS
    quality: Quality = Quality.STANDARD
    input_ref: str | None = None  # path or URL the script came from, for the manifest
    tenant: str = "local"
    spent_usd: float = 0.0  # already spent by the tenant against budget.per_tenant_usd


@dataclass
class RenderContext:
    """Collaborators a render uses; tests inject their own clock, ids and providers."""

    settings: Settings
    registry: Registry
    catalog: Catalog
    voice: VoiceEngine
    progress: ProgressSink = lambda _e: None
    clock: Clock = utc_now
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex[:16])
    sleep: Sleep = asyncio.sleep  # retry backoff and rate-limit waits
    monotonic: Callable[[], float] = time.monotonic  # attempt timings and circuit cooldowns
    # Shared breakers (e.g. one per worker); None: a fresh board per render, set by the policy.
    breakers: CircuitBoard | None = None


def _tag(aspect: Aspect) -> str:
    return aspect.value.replace(":", "x")


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:48].rstrip("-") or "video"


def scene_duration(voice: SceneVoice) -> float:
    return max(MIN_SCENE, LEAD_IN + voice.narration.duration + TAIL_OUT)


def clip_request(
    scene: Scene, seconds: float, size: tuple[int, int], aspect: Aspect
) -> ClipRequest:
    # Clips run past their slot by one transition: the next scene starts that far into its clip.
    seed = int(tagged_sha256(scene.visual_prompt + scene.narration)[7:15], 16)
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


async def _generate_all(
    script: Script,
    requests: Sequence[ClipRequest],
    decisions: Sequence[RoutingDecision],
    ctx: RenderContext,
) -> list[ClipOutcome]:
    """Every clip concurrently; when some scene fails, the others still finish and are cached."""
    cache = ClipCache(ctx.settings.clip_cache_dir)
    gates: dict[str, asyncio.Semaphore] = {}
    done = 0
    total = len(requests)
    timing = Timing(ctx.clock, ctx.sleep, ctx.monotonic)
    board = ctx.breakers
    if board is None and decisions:
        board = CircuitBoard.from_rules(decisions[0].failure, ctx.monotonic)

    async def one(i: int) -> ClipOutcome:
        nonlocal done
        outcome = await generate_clip(
            i, requests[i], chain_of(decisions[i]), ctx.registry, cache, gates, timing,
            rules=decisions[i].failure, board=board,
        )  # fmt: skip
        done += 1
        ctx.progress(ProgressEvent(Stage.GENERATE, done, total, f"scene {i + 1}"))
        return outcome

    for pid in ctx.registry.ids():
        # A vendor's own allowance when it declares one; the CPU-bound renderer gets the default.
        limit = in_flight_limit(ctx.registry.get(pid), ctx.settings.clip_concurrency)
        gates[pid] = asyncio.Semaphore(limit)
    results = await asyncio.gather(*(one(i) for i in range(total)), return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        lines = [str(f) for f in failures]
        raise RenderFailed(
            f"{len(failures)} of {total} scenes could not be generated "
            f"({total - len(failures)} clips were made and are cached):\n  " + "\n  ".join(lines)
        ) from failures[0]
    return [r for r in results if isinstance(r, ClipOutcome)]


def _captions(scene: Scene, voice: SceneVoice) -> tuple[Caption, ...]:
    words = [(w.start, w.end) for w in voice.narration.words]
    return time_captions(scene.narration, LEAD_IN, voice.narration.duration, words)


async def render_script(script: Script, options: RenderOptions, ctx: RenderContext) -> RenderResult:
    """Render `script` into `options.out_dir`; raises PlanError or RenderFailed with reasons."""
    if not script.scenes:
        raise RenderFailed("the script has no scenes")
    render_id, started = ctx.new_id(), ctx.clock()
    enc = SETTINGS[options.quality]
    master_aspect = options.aspects[0]
    master = master_aspect.frame_size(enc.short_side)

    ctx.progress(ProgressEvent(Stage.PLAN, 0, 1))
    routed = plan_script(
        script, options.policy, ctx.catalog, ctx.registry, master_aspect,
        today=started.date(), spent_usd=options.spent_usd, breakers=ctx.breakers,
    )  # fmt: skip
    check_plan(routed, len(script.scenes))
    ctx.progress(ProgressEvent(Stage.PLAN, 1, 1))

    n = len(script.scenes)
    voices = await narrate_all(
        ctx.voice,
        [s.narration for s in script.scenes],
        ctx.settings.narration_cache_dir,
        lambda k: ctx.progress(ProgressEvent(Stage.NARRATE, k, n)),
    )
    durations = [scene_duration(v) for v in voices]
    requests = [
        clip_request(s, d, master, master_aspect)
        for s, d in zip(script.scenes, durations, strict=True)
    ]
    work = options.out_dir / f".work-{render_id}"
    work.mkdir(parents=True, exist_ok=True)
    music_task = _music(ctx, sum(durations) + 1.0, work / "music.wav")
    outcomes, music = await asyncio.gather(
        _generate_all(script, requests, routed.decisions, ctx), music_task
    )

    layouts = await _lay_out(script, requests, outcomes, routed, options, ctx)
    tl = build_timeline(
        durations,
        [o.clip.path for o in outcomes if o.clip is not None],
        [(o.clip.width, o.clip.height) for o in outcomes if o.clip is not None],
        [lay.reframe for lay in layouts],
        [_captions(s, v) for s, v in zip(script.scenes, voices, strict=True)],
        fps=enc.fps,
        transition=TRANSITION,
        label=_label(options.policy),
        natives=[tuple(m.clip for m in lay.natives) for lay in layouts],
        tracks=[lay.track for lay in layouts],
    )
    composed = await _compose(script, options, ctx, tl, voices, music, work, enc)
    record = RenderRecord(
        render_id=render_id,
        tenant=options.tenant,
        started=started,
        script=script,
        input_ref=options.input_ref,
        policy=options.policy,
        catalog=ctx.catalog,
        voice=ctx.voice.info,
        quality=options.quality.value,
        routed=routed,
        outcomes=outcomes,
        voices=voices,
        timeline=tl,
        composed=composed,
        music=music,
        version=__version__,
        layouts=tuple(layouts),
    )
    result = await write_disclosure(record, options.out_dir, ctx.settings)
    ctx.progress(ProgressEvent(Stage.DISCLOSE, 1, 1))
    shutil.rmtree(work, ignore_errors=True)
    return result


async def _lay_out(
    script: Script,
    requests: Sequence[ClipRequest],
    outcomes: Sequence[ClipOutcome],
    routed: Plan,
    options: RenderOptions,
    ctx: RenderContext,
) -> list[SceneLayout]:
    """Each scene made for every aspect where it can be (built-in scenes; `reframe: generate`
    within budget), else its clip reframed (app.pipeline.layout)."""
    extras = aspect_extras(routed, options.policy, ctx.catalog.profiles, options.aspects)
    if not extras_within_budget(routed, extras):
        extras = ()  # the scenes are reframed instead: the budget was checked without them
    job = LayoutJob(
        ctx.registry, ClipCache(ctx.settings.clip_cache_dir), options.aspects,
        SETTINGS[options.quality].short_side, ctx.settings.clip_concurrency,
        options.policy.failure_rules(), Timing(ctx.clock, ctx.sleep, ctx.monotonic),
        lambda done, total: ctx.progress(ProgressEvent(Stage.LAYOUT, done, total)),
    )  # fmt: skip
    reframes = [reframe_for(s, o) for s, o in zip(script.scenes, outcomes, strict=True)]
    return await lay_out(requests, outcomes, reframes, extras, job)


def _label(policy: Policy) -> VisibleLabel | None:
    d = policy.disclosure
    return VisibleLabel(d.label_text, d.label_position.value) if d.visible_label else None


async def _music(ctx: RenderContext, seconds: float, dest: Path) -> MusicTrack:
    ctx.progress(ProgressEvent(Stage.MUSIC, 0, 1))
    track = await generate_music(ctx.settings.music_mood, seconds, ctx.settings.music_seed, dest)
    ctx.progress(ProgressEvent(Stage.MUSIC, 1, 1))
    return track


async def _compose(
    script: Script,
    options: RenderOptions,
    ctx: RenderContext,
    tl: Timeline,
    voices: Sequence[SceneVoice],
    music: MusicTrack,
    work: Path,
    enc: EncodeSettings,
) -> ComposeResult:
    slug = slugify(script.title)
    outputs = [
        OutputSpec(
            a,
            *a.frame_size(enc.short_side),
            options.out_dir / f"{slug}-{a.value.replace(':', 'x')}.mp4",
        )
        for a in options.aspects
    ]
    placements = [
        VoicePlacement(v.narration.path, slot.start + LEAD_IN)
        for v, slot in zip(voices, tl.slots, strict=True)
    ]

    def report(stage: str, done: int, total: int) -> None:
        ctx.progress(ProgressEvent(Stage(stage), done, total))

    return await compose(
        tl, outputs, placements, music.path, work, enc,
        title=script.title, concurrency=ctx.settings.compose_concurrency, progress=report,
    )  # fmt: skip


__all__ = [
    "RenderContext",
    "RenderFailed",
    "RenderOptions",
    "RenderResult",
    "render_script",
]
