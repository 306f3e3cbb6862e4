"""The jobs a `reelroute worker` runs: a render split into one job per scene and one
composition job, held by leases in the ledger (`app.store.leases`).

    start(R)        approved -> generating; one queued step per scene (+ the composition);
                    every scene step enqueued
    scene(R, i)     take the step's lease (heartbeat keeps it), make scene i's clip into the
                    clip cache, mark the step done; the last scene to finish moves the render
                    to composing (one conditional UPDATE: exactly one wins) and enqueues compose
    compose(R)      take the composition's lease; execute the plan with every clip the scene
                    jobs made (nothing is generated again), publish to the blob store, succeed
    draft(R)        a draft-first render's draft (`app.queue.draft_step`), started by start(R)
                    beside the worker's job slots (it mostly waits for scenes, and must never
                    wait for a slot, nor hold one a scene step needs), under its own lease;
                    each scene's clip is swapped in as its step is done. A reaper takes an
                    expired one over directly, not through the queue. A side path: nothing
                    waits for it, and its failure is logged, never the render's

A worker that dies stops renewing its leases; every worker's reaper re-enqueues steps whose
lease expired (and queued steps whose job was lost), so another worker takes them over. A
resumed scene finds its unfinished vendor submission in the ledger and polls that task instead
of submitting again. On SIGTERM a worker hands its steps back (queued, re-enqueued) and exits.

The queue is only a doorbell: job ids carry the step's lease generation, so re-enqueuing the
same take-over twice (two reapers) is one job, and a job that runs late finds the ledger
already past it and does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from app.api import jobs
from app.api.state import Service
from app.errors import ReelrouteError, RenderFailed
from app.logs import log_context
from app.pipeline.clips import SUBMITTED, ClipOutcome, SceneFailed
from app.provenance.manifest import AttemptRecord
from app.queue.draft_step import follow_draft
from app.service.entry import execute_scene
from app.store import leases
from app.store import renders as render_store
from app.store.leases import COMPOSE_STEP, DRAFT_STEP, Held
from app.store.models import AttemptRow
from app.store.renders import TERMINAL, RenderState

log = logging.getLogger(__name__)
ENDED = frozenset(s.value for s in TERMINAL)
STOPPED = frozenset({RenderState.FAILED.value, RenderState.CANCELLED.value})  # stop its steps


class StepDoorbell(Protocol):
    """How the jobs put work on the queue (the Redis queue in production)."""

    async def enqueue_step(
        self, render_id: str, step: int, generation: int, ring: str = ""
    ) -> None: ...


class StepLost(Exception):
    """The step's lease was taken over, or its render ended: stop quietly."""


@dataclass
class Worker:
    """One worker process's collaborators and identity."""

    service: Service
    worker_id: str
    fingerprint: str  # of the manifest key it signs with (`app.queue.identity`)
    doorbell: StepDoorbell
    lease_s: float
    stopping: bool = False  # shutting down: running steps are handed back
    _held: dict[tuple[str, int], Held] = field(default_factory=dict)
    beside: set[asyncio.Task[None]] = field(default_factory=set)  # draft steps, off the slots
    drafting: int = 0  # draft places taken (`Settings.worker_drafts` at most)

    @property
    def scratch(self) -> Path:
        """This worker's own work folders: two workers never share a render's folder."""
        return self.service.settings.work_dir / f"worker-{self.worker_id}"


async def start_render(w: Worker, render_id: str) -> None:
    """Approved -> generating, and one job per scene."""
    with log_context(render_id=render_id):
        await _start_render(w, render_id)


async def _start_render(w: Worker, render_id: str) -> None:
    service = w.service
    if await render_store.set_state(
        service.db, render_id, RenderState.GENERATING, only_from=[RenderState.APPROVED]
    ):
        await service.announce(render_id, "state", {"state": "generating"})
    row = await render_store.get_render(service.db, render_id)
    if row is None or row.state != RenderState.GENERATING.value:
        return  # cancelled before it started, or already past this point
    try:
        planned = await jobs.approved_plan(service, render_id)
    except ReelrouteError as exc:
        await _end(w, render_id, RenderState.FAILED, exc.to_dict())
        return
    scenes = len(planned.script.scenes)
    await leases.create_steps(service.db, render_id, scenes, draft=planned.request.draft)
    for step in await leases.steps_of(service.db, render_id):
        if step.state != leases.StepState.QUEUED.value or step.step == COMPOSE_STEP:
            continue
        if step.step == DRAFT_STEP:  # started here and now: it needs no job slot
            await _begin_draft(w, render_id)
        else:
            await w.doorbell.enqueue_step(render_id, step.step, step.generation)


async def run_step(w: Worker, render_id: str, step: int) -> None:
    """A scene's clip or the composition, under the step's lease; its log lines carry both."""
    with log_context(render_id=render_id, scene=step if step >= 0 else None):
        if step == DRAFT_STEP:
            await _begin_draft(w, render_id)
        else:
            await _run_step(w, render_id, step)


async def _run_step(w: Worker, render_id: str, step: int) -> None:
    row = await render_store.get_render(w.service.db, render_id)
    wanted = RenderState.COMPOSING if step == COMPOSE_STEP else RenderState.GENERATING
    if row is None or row.state != wanted.value:
        return  # ended, or not there yet (a reaper's early doorbell): the ledger decides
    held = await leases.acquire(w.service.db, render_id, step, w.worker_id, w.lease_s)
    if held is None:
        return  # another worker holds it, or it is done
    w._held[(render_id, step)] = held
    try:
        async with _heartbeat(w, held):
            if step == COMPOSE_STEP:
                await _compose(w, held)
            else:
                cache_key = await _scene(w, held)
        # Past the heartbeat: a beat must not see the finished step as a lost one.
        if step == COMPOSE_STEP:
            await leases.finish(w.service.db, held)
        elif await leases.finish(w.service.db, held, cache_key):
            await advance(w, render_id)
        else:
            raise StepLost(f"scene {step}")
    except StepLost:
        log.info("render %s step %s: lease lost or render ended; stopped", render_id, step)
    except asyncio.CancelledError:
        if w.stopping:
            await _hand_back(w, held)
        raise
    except ReelrouteError as exc:
        await _end(w, render_id, RenderState.FAILED, exc.to_dict())
    except Exception as exc:  # a bug must still end the render in the ledger, not hang it
        log.exception("render %s step %s crashed", render_id, step)
        error = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}", "field": None}
        await _end(w, render_id, RenderState.FAILED, error)
    finally:
        w._held.pop((render_id, step), None)


async def _begin_draft(w: Worker, render_id: str) -> bool:
    """Take the draft step and run it beside the job slots (a job calling this returns at
    once). Taken after the scenes are all done, it is closed without a draft: the final is
    near. With `worker_drafts` drafts running here the step stays queued: it starts when one
    of them ends, or on another worker whose reaper finds it waiting."""
    if w.stopping or w.drafting >= w.service.settings.worker_drafts:
        return False
    w.drafting += 1  # the place is taken before the first await: two callers can't both fit
    started = False
    try:
        started = await _take_draft(w, render_id)
    finally:
        if not started:
            w.drafting -= 1
    return started


async def _take_draft(w: Worker, render_id: str) -> bool:
    """The draft step's lease and its task; False when there is no draft to make here."""
    row = await render_store.get_render(w.service.db, render_id)
    if row is None or row.state in ENDED:
        return False
    held = await leases.acquire(w.service.db, render_id, DRAFT_STEP, w.worker_id, w.lease_s)
    if held is None:
        return False
    if row.state != RenderState.GENERATING.value:
        await leases.finish(w.service.db, held)
        return False
    task = asyncio.create_task(_draft(w, held))
    w.beside.add(task)
    task.add_done_callback(w.beside.discard)
    log.info("render %s: draft started (%d of %d draft places here taken)",
             render_id, w.drafting, w.service.settings.worker_drafts)  # fmt: skip
    return True


async def _next_drafts(w: Worker) -> None:
    """A draft place freed up: start the drafts that waited for one, longest waiting first."""
    try:
        for render_id in await leases.queued_drafts(w.service.db):
            if w.stopping or w.drafting >= w.service.settings.worker_drafts:
                return
            with log_context(render_id=render_id):
                await _begin_draft(w, render_id)
    except Exception:  # the ledger blinked: the reaper finds the waiting drafts
        log.warning("worker %s: waiting drafts not started", w.worker_id, exc_info=True)


async def _draft(w: Worker, held: Held) -> None:
    try:
        await _draft_step(w, held)
    finally:
        w.drafting -= 1
        log.info("render %s: draft step over (%d draft places taken)", held.render_id, w.drafting)
    if not w.stopping:
        await _next_drafts(w)


async def _draft_step(w: Worker, held: Held) -> None:
    render_id = held.render_id
    w._held[(render_id, DRAFT_STEP)] = held
    try:
        with log_context(render_id=render_id):
            async with _heartbeat(w, held):
                await follow_draft(w.service, render_id, w.scratch)
            await leases.finish(w.service.db, held)
    except StepLost:
        log.info("render %s draft: lease lost or render ended; stopped", render_id)
    except asyncio.CancelledError:
        if w.stopping:
            await _hand_back(w, held)
        raise
    except Exception:  # the draft is a side path: logged, closed, never the render's failure
        log.exception("render %s: its draft failed; the render goes on without one", render_id)
        try:
            await leases.finish(w.service.db, held)
        except Exception:  # the ledger blinked: the lease expires and the reaper closes it
            log.warning("render %s: draft step not closed", render_id, exc_info=True)
    finally:
        w._held.pop((render_id, DRAFT_STEP), None)


async def stop_beside(w: Worker) -> None:
    """Shutting down: running draft steps are handed back (another worker remakes them)."""
    w.stopping = True
    for task in list(w.beside):
        task.cancel()
    await asyncio.gather(*w.beside, return_exceptions=True)


async def _scene(w: Worker, held: Held) -> str:
    """Scene `held.step`'s clip into the clip cache; returns its cache key."""
    service, render_id, index = w.service, held.render_id, held.step
    planned = await jobs.approved_plan(service, render_id)
    attempts = await render_store.attempts_of(service.db, render_id)
    env = dataclasses.replace(
        jobs.render_env(service, render_id),
        scratch_dir=w.scratch,
        resume={index: resumable(attempts, index)},
    )
    try:
        made = await execute_scene(planned, env, index)
    except SceneFailed as exc:
        raise RenderFailed(str(exc)) from exc
    return made.cache_key


async def advance(w: Worker, render_id: str) -> None:
    """When every scene is done, the render moves to composing and the composition is
    enqueued; exactly one caller wins the conditional UPDATE (the last scene to finish, or a
    reaper finding a render whose last scene's worker died just after finishing)."""
    service = w.service
    if await leases.scenes_left(service.db, render_id) > 0:
        return
    if await render_store.set_state(
        service.db, render_id, RenderState.COMPOSING, only_from=[RenderState.GENERATING]
    ):
        await service.announce(render_id, "state", {"state": "composing"})
        await w.doorbell.enqueue_step(render_id, COMPOSE_STEP, 0)


def resumable(attempts: list[AttemptRow], index: int) -> dict[str, Any]:
    """Scene `index`'s submissions the vendor accepted that never ended (the worker making
    them died): "provider/model" -> the vendor's recorded answer, to poll instead of paying
    for a new job."""
    found: dict[str, Any] = {}
    for row in attempts:
        if row.scene_index != index or row.outcome != SUBMITTED:
            continue
        reply = (row.record or {}).get("submit_reply")
        if reply is not None:
            found[f"{row.provider}/{row.model}"] = reply
    return found


async def _compose(w: Worker, held: Held) -> None:
    service, render_id = w.service, held.render_id
    planned = await jobs.approved_plan(service, render_id)
    env = dataclasses.replace(jobs.render_env(service, render_id), scratch_dir=w.scratch)
    made = await _made_clips(w, render_id, env.clips)
    env = dataclasses.replace(env, made=made)
    out_dir = w.scratch / f"publish-{render_id}" / "out"
    steps = await leases.steps_of(service.db, render_id)
    draft_step = any(s.step == DRAFT_STEP for s in steps)
    if draft_step:  # the draft step makes the draft; the final never waits for it
        final_only = planned.request.model_copy(update={"draft": False})
        planned = dataclasses.replace(planned, request=final_only)
    try:
        await jobs.compose_and_publish(service, render_id, planned, env, out_dir)
    finally:
        shutil.rmtree(out_dir.parent, ignore_errors=True)
    if draft_step:
        await jobs.delete_draft(service, render_id)  # the final is stored: the draft is stale


async def _made_clips(w: Worker, render_id: str, cache: Any) -> dict[int, ClipOutcome]:
    """Each scene's clip from the clip cache, with the attempts the ledger holds for it. A
    clip missing from the cache (deleted meanwhile) is left out: the pipeline makes it again."""
    steps = await leases.steps_of(w.service.db, render_id)
    attempts = await render_store.attempts_of(w.service.db, render_id)
    made: dict[int, ClipOutcome] = {}
    for step in steps:
        if step.step < 0 or not step.cache_key:  # the composition or the draft
            continue
        clip = cache.load(step.cache_key)
        if clip is None:
            log.warning("render %s scene %s: clip missing from the cache", render_id, step.step)
            continue
        records = tuple(
            _record(a.record) for a in attempts if a.scene_index == step.step and a.outcome
            and a.outcome != SUBMITTED
        )  # fmt: skip
        made[step.step] = ClipOutcome(clip, records)
    return made


def _record(data: dict[str, Any]) -> AttemptRecord:
    names = {f.name for f in dataclasses.fields(AttemptRecord)}
    return AttemptRecord(**{k: v for k, v in data.items() if k in names})


@contextlib.asynccontextmanager
async def _heartbeat(w: Worker, held: Held) -> AsyncIterator[None]:
    """Renew the lease while the block runs; cancel the block (as StepLost) when the lease is
    lost or the render ended (a user's cancel)."""
    step_task = asyncio.current_task()
    assert step_task is not None
    lost = False

    async def renew() -> None:
        nonlocal lost
        while True:
            await asyncio.sleep(w.lease_s / 3)
            try:
                ours = await leases.renew(w.service.db, held, w.lease_s)
                row = await render_store.get_render(w.service.db, held.render_id)
            except Exception:  # the ledger blinked: try again next beat; the lease has slack
                log.warning("render %s: heartbeat failed", held.render_id, exc_info=True)
                continue
            if not ours or row is None or row.state in STOPPED:
                lost = True
                step_task.cancel()
                return

    beating = asyncio.create_task(renew())
    try:
        yield
    except asyncio.CancelledError:
        if lost and not w.stopping:
            raise StepLost(held.render_id) from None
        raise
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating


async def _hand_back(w: Worker, held: Held) -> None:
    """Shutting down: the step goes back to the queue for another worker (the vendor's task,
    if any, keeps running and is resumed from the ledger)."""
    if await leases.hand_back(w.service.db, held):
        await w.doorbell.enqueue_step(held.render_id, held.step, held.generation)
        log.info("render %s step %s handed back", held.render_id, held.step)


async def _end(w: Worker, render_id: str, state: RenderState, error: dict[str, Any] | None) -> None:
    await jobs.finish(w.service, render_id, state, error)
    await leases.delete_steps(w.service.db, [render_id])


async def reap(w: Worker) -> int:
    """Start renders whose start job was lost, re-enqueue steps whose lease expired and
    queued steps whose job was lost (queued longer than a lease); returns how many."""
    db = w.service.db
    rung = 0
    for render_id in await leases.unstarted(db, w.lease_s):
        await start_render(w, render_id)  # idempotent: whoever starts it first wins
        rung += 1
    for render_id in await leases.all_scenes_done(db, w.lease_s):
        await advance(w, render_id)
        rung += 1
    for step in [*await leases.expired(db), *await leases.stale_queued(db, w.lease_s)]:
        row = await render_store.get_render(db, step.render_id)
        if row is None or row.state in ENDED:
            await leases.delete_steps(db, [step.render_id])
            continue
        if step.step == DRAFT_STEP:  # taken over here, beside the slots (all may be busy)
            rung += await _begin_draft(w, step.render_id)  # not when its places are all taken
            continue
        due = RenderState.COMPOSING if step.step == COMPOSE_STEP else RenderState.GENERATING
        if row.state != due.value:
            continue  # the composition waits for its scenes; a late scene step has nothing to do
        # A new doorbell every few leases: the job rung before may be pinned in the queue by a
        # worker that took it and died before taking the lease. Rung again within the same
        # span (many reapers), it is the same job.
        ring = f"r{int(step.waited_s // (3 * w.lease_s))}"
        await w.doorbell.enqueue_step(step.render_id, step.step, step.generation, ring)
        rung += 1
    return rung


async def keep_alive(w: Worker) -> None:
    """The worker's own heartbeat (with its key fingerprint) and its reaper, every third of a
    lease, until cancelled."""
    while True:
        try:
            await leases.beat(w.service.db, w.worker_id, w.fingerprint)
            reaped = await reap(w)
            if reaped:
                log.info("reaper: %d steps put back on the queue", reaped)
        except Exception:  # the ledger or Redis blinked: the next round tries again
            log.warning("worker %s: heartbeat or reaper failed", w.worker_id, exc_info=True)
        await asyncio.sleep(w.lease_s / 3)
