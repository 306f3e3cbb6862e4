"""The draft step of a draft-first render split across workers (`app.queue.work` holds its
lease): the draft is made as soon as the render starts, not when it is composed.

The step narrates the script and starts the draft exactly as a whole render does
(`app.pipeline.run.draft_alone`), its files copied to the bucket (`RenderEnv.draft_store`) for
the API process to serve. It then polls the ledger: each scene step that is done has its clip in
the clip cache (the bucket's, with S3), and that clip is swapped into the draft. Once every clip
is in (or the render moved on to composing) the draft is finished; when the render ends first,
the draft is dropped. Nothing waits for this step: the composition makes the final from the
scene steps' clips alone.

The final narrates again on the composing worker (each worker has its own narration cache): a
voice that samples noise (piper) can give a scene a slightly different length there, so the
draft's timing may differ from the final's by a fraction of a second. The draft is a preview;
the final's manifest describes the final alone.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import shutil
from pathlib import Path

from app.api import jobs
from app.api.state import Service
from app.pipeline.cache import ClipCache
from app.pipeline.clips import ClipOutcome
from app.pipeline.draft_start import RunningDraft
from app.pipeline.events import Emitter
from app.pipeline.run import draft_alone, reframe_for
from app.service.entry import PlannedRender, render_options
from app.store import leases
from app.store import renders as render_store
from app.store.leases import StepState
from app.store.renders import TERMINAL, RenderState

log = logging.getLogger(__name__)
POLL_S = 1.0  # how often the ledger is asked which scenes are done
_ENDED = frozenset(s.value for s in TERMINAL)


async def follow_draft(
    service: Service, render_id: str, scratch: Path, poll_s: float = POLL_S
) -> None:
    """Make render `render_id`'s draft and swap each scene's clip in as its step finishes,
    until every clip is in, the render composes, or it ends (then the draft is dropped, and
    deleted from the bucket when the final replaced it; a failed render's stays, as it does
    when the render runs in one process)."""
    planned = await jobs.approved_plan(service, render_id)
    env = dataclasses.replace(jobs.render_env(service, render_id), scratch_dir=scratch)
    work = scratch / f"draft-{render_id}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    em = Emitter(render_id, env.events)
    try:
        draft = await draft_alone(planned.script, render_options(planned, env), env, em, work)
        try:
            if not await _feed(service, planned, env.clips, draft, poll_s):
                await _finish_unless_ended(service, render_id, draft, poll_s)
        except BaseException:
            await draft.cancel()
            raise
        row = await render_store.get_render(service.db, render_id)
        if row is not None and row.state == RenderState.SUCCEEDED.value:
            # The final is stored: whatever this draft copied meanwhile is stale.
            await jobs.delete_draft(service, render_id)
        else:
            shutil.rmtree(draft.folder, ignore_errors=True)  # the bucket holds it for the API
    finally:
        await em.aclose()
        shutil.rmtree(work, ignore_errors=True)


async def _feed(
    service: Service, planned: PlannedRender, clips: ClipCache, draft: RunningDraft, poll_s: float
) -> bool:
    """Swap each finished scene's clip in; returns True when the render ended meanwhile."""
    render_id, scenes = planned.request.render_id, planned.script.scenes
    swapped: set[int] = set()
    while True:
        row = await render_store.get_render(service.db, render_id)
        if row is None or row.state in _ENDED:
            await draft.cancel()
            return True
        for step in await leases.steps_of(service.db, render_id):
            i = step.step
            if i < 0 or i in swapped or step.state != StepState.DONE.value or not step.cache_key:
                continue
            swapped.add(i)
            clip = await asyncio.to_thread(clips.load, step.cache_key)
            if clip is None:  # deleted meanwhile: the final makes it again; the draft keeps
                log.warning("render %s scene %s: clip not in the cache for the draft",
                            render_id, i)  # fmt: skip
                continue
            draft.clip_arrived(i, clip, reframe_for(scenes[i], ClipOutcome(clip, ())))
        if len(swapped) == len(scenes) or row.state != RenderState.GENERATING.value:
            return False
        await asyncio.sleep(poll_s)


async def _finish_unless_ended(
    service: Service, render_id: str, draft: RunningDraft, poll_s: float
) -> bool:
    """Let the draft swap its last clips in; drop it when the render ends first (the final is
    stored, or the render failed). Returns True when it ended."""
    finishing = asyncio.ensure_future(draft.finish())
    try:
        while not finishing.done():
            if await _ended(service, render_id):
                finishing.cancel()
                await draft.cancel()
                return True
            await asyncio.wait({finishing}, timeout=poll_s)
        await finishing
        return False
    finally:
        if not finishing.done():
            finishing.cancel()


async def _ended(service: Service, render_id: str) -> bool:
    row = await render_store.get_render(service.db, render_id)
    return row is None or row.state in _ENDED
