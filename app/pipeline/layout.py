"""How each scene reaches every output aspect: its own clip per aspect, or its clip reframed.

- The built-in renderer lays every look out for each frame it is given, and costs nothing but
  CPU, so a local scene is always made for every aspect: no built-in scene is letterboxed.
  Its other aspects are drawn straight into the compositor's graph from a recipe (a quarter of
  the cost of another clip: no encode, no decode); a scene over a reference image gets a clip
  per aspect instead.
- A vendor scene whose kind the policy sets to `reframe: generate` gets a clip per aspect its
  model offers, when the budget allows the extra (`routing.reframe`); if one fails, that aspect
  falls back to reframing the scene's clip.
- Otherwise a photographic clip is cropped around its subject (`app.render.subject`, cached
  beside the clip) and text, data and stylised clips are fitted whole over a blurred pad.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.pipeline.cache import ClipCache
from app.pipeline.clips import Candidate, ClipOutcome, SceneFailed, Timing, generate_clip
from app.pipeline.health import CircuitBoard
from app.render.reframe import cover_crop, framing
from app.render.subject import subject_track
from app.render.timeline import (
    AspectClip,
    DrawnScene,
    OutputSpec,
    Reframe,
    SceneSlot,
    SubjectTrack,
)
from providers.base import in_flight_limit
from providers.errors import ProviderError
from providers.local import MODEL_ID
from providers.local import PROVIDER_ID as LOCAL
from providers.local.recipe import recipe_of
from providers.media import RenderError
from providers.registry import Registry
from providers.types import Aspect, Clip, ClipRequest
from routing.policy import FailureRules
from routing.reframe import AspectExtra


@dataclass(frozen=True)
class AspectMade:
    """A clip made (or a scene to draw) for one aspect, with what it cost (for the manifest)."""

    clip: AspectClip | DrawnScene
    sha256: str  # the clip's, or the recipe's
    provider: str
    model: str
    cost_usd: float | None
    cached: bool
    recipe: dict[str, Any] | None = None  # the request a drawn scene is drawn from


@dataclass(frozen=True)
class SceneLayout:
    reframe: Reframe
    natives: tuple[AspectMade, ...]
    track: SubjectTrack | None


@dataclass(frozen=True)
class LayoutJob:
    """What laying out a render needs besides the scenes themselves."""

    registry: Registry
    cache: ClipCache
    aspects: tuple[Aspect, ...]
    short_side: int
    concurrency: int
    rules: FailureRules
    timing: Timing
    progress: Callable[[int, int], None] = lambda _done, _total: None  # scenes laid out


def aspect_request(request: ClipRequest, aspect: Aspect, short_side: int) -> ClipRequest:
    """The scene's request again, for another aspect at that aspect's output size."""
    width, height = aspect.frame_size(short_side)
    tag = aspect.value.replace(":", "x")
    key = f"{request.idempotency_key}-{tag}" if request.idempotency_key else ""
    return replace(request, aspect=aspect, width=width, height=height, idempotency_key=key)


def wanted_aspects(
    clip: Clip, request: ClipRequest, extra: AspectExtra | None, aspects: Sequence[Aspect]
) -> tuple[Aspect, ...]:
    others = tuple(a for a in aspects if a != request.aspect)
    if clip.provider_id == LOCAL:
        return others
    if extra is not None and (extra.provider, extra.model) == (clip.provider_id, clip.model_id):
        return tuple(a for a in others if a in extra.aspects)
    return ()


def needs_track(clip: Clip, reframe: Reframe, missing: Sequence[Aspect], short_side: int) -> bool:
    src = (clip.width, clip.height)
    return reframe is Reframe.TRACK and any(
        cover_crop(src, a.frame_size(short_side)) != src for a in missing
    )


async def lay_out(
    requests: Sequence[ClipRequest],
    outcomes: Sequence[ClipOutcome],
    reframes: Sequence[Reframe],
    extras: Sequence[AspectExtra],
    job: LayoutJob,
) -> list[SceneLayout]:
    """Every scene's layout; clips per aspect are generated concurrently through the cache."""
    by_scene = {e.scene: e for e in extras}
    gates: dict[str, asyncio.Semaphore] = {}
    for pid in job.registry.ids():
        gates[pid] = asyncio.Semaphore(in_flight_limit(job.registry.get(pid), job.concurrency))
    board = CircuitBoard.from_rules(job.rules, job.timing.monotonic)
    done = 0

    async def one(i: int) -> SceneLayout:
        clip = outcomes[i].clip
        assert clip is not None
        aspects = wanted_aspects(clip, requests[i], by_scene.get(i), job.aspects)
        drawn = [_drawn(clip, requests[i], a, job.short_side) for a in aspects]
        made: list[AspectMade | None] = [d for d in drawn if d is not None]
        made += await asyncio.gather(
            *(
                _aspect_clip(i, requests[i], a, clip, job, gates, board)
                for a, d in zip(aspects, drawn, strict=True)
                if d is None
            )
        )
        natives = tuple(m for m in made if m is not None)
        have = {requests[i].aspect, *(n.clip.aspect for n in natives)}
        missing = [a for a in job.aspects if a not in have]
        track = None
        if needs_track(clip, reframes[i], missing, job.short_side):
            track = await _track(clip)
        nonlocal done
        done += 1
        job.progress(done, len(requests))
        return SceneLayout(reframes[i], natives, track)

    return list(await asyncio.gather(*(one(i) for i in range(len(requests)))))


async def _aspect_clip(
    index: int,
    request: ClipRequest,
    aspect: Aspect,
    clip: Clip,
    job: LayoutJob,
    gates: dict[str, asyncio.Semaphore],
    board: CircuitBoard,
) -> AspectMade | None:
    """The scene's model again, in `aspect`; None (reframe instead) if it cannot deliver."""
    asked = aspect_request(request, aspect, job.short_side)
    chain = [Candidate(clip.provider_id, clip.model_id)]
    try:
        outcome = await generate_clip(
            index, asked, chain, job.registry, job.cache, gates, job.timing,
            rules=job.rules, board=board,
        )  # fmt: skip
    except SceneFailed:
        return None
    made = outcome.clip
    assert made is not None
    native = AspectClip(aspect, made.path, (made.width, made.height))
    return AspectMade(
        native, made.sha256, made.provider_id, made.model_id, made.cost_usd, outcome.cached
    )


def _drawn(clip: Clip, request: ClipRequest, aspect: Aspect, short_side: int) -> AspectMade | None:
    """The built-in renderer's recipe for `aspect`; None when the scene must be a clip."""
    if (clip.provider_id, clip.model_id) != (LOCAL, MODEL_ID):
        return None
    asked = aspect_request(request, aspect, short_side)
    try:
        recipe = recipe_of(asked)
    except ProviderError:
        return None
    drawn = DrawnScene(
        aspect, recipe.graph, (recipe.width, recipe.height), recipe.fps, recipe.sha256
    )
    record = json.loads(json.dumps(dataclasses.asdict(asked), default=str))
    return AspectMade(drawn, recipe.sha256, LOCAL, MODEL_ID, 0.0, False, record)


async def _track(clip: Clip) -> SubjectTrack | None:
    """The clip's subject, or None (the crop stays centred) when the clip can't be analysed."""
    try:
        return await subject_track(clip.path, (clip.width, clip.height), clip.sha256)
    except (RenderError, OSError, ValueError):
        return None


def reframing_record(
    slot: SceneSlot, layout: SceneLayout | None, outputs: Sequence[OutputSpec]
) -> dict[str, dict[str, Any]]:
    """Per output aspect, how the scene reached it, for the manifest."""
    made = {m.clip.aspect: m for m in layout.natives} if layout else {}
    record: dict[str, dict[str, Any]] = {}
    for out in outputs:
        entry: dict[str, Any] = {"method": framing(slot, out).value}
        native = made.get(out.aspect)
        if native is not None and native.recipe is not None:
            # drawn in the compositor's graph: the recipe stands in for a clip (`verify`
            # re-hashes it and rebuilds the drawing from it)
            entry |= {
                "recipe_sha256": "sha256:" + native.sha256, "recipe": native.recipe,
                "provider": native.provider, "model": native.model, "cost_usd": 0.0,
            }  # fmt: skip
        elif native is not None:
            entry |= {
                "clip_sha256": "sha256:" + native.sha256, "provider": native.provider,
                "model": native.model, "cost_usd": native.cost_usd, "cached": native.cached,
            }  # fmt: skip
        record[out.aspect.value] = entry
    return record
