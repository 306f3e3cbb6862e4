"""The render job a queue runs: execute an approved plan and keep the ledger current.

It re-plans the stored request (pins, edits and the policy version are in it, so the plan is
the approved one unless the world changed: a provider went away, the tenant's budget ran out;
then planning fails and the render fails with that reason, before anything is spent).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.api import render_ops
from app.api.state import Service
from app.errors import PlanError, ReelrouteError
from app.logs import log_context
from app.pipeline.draft_outbox import draft_prefix
from app.queue.base import JobHandler
from app.service.entry import (
    PlannedRender,
    RenderEnv,
    RenderEvent,
    build_render_env,
    execute_plan,
)
from app.service.request import RenderRequest
from app.store import renders as render_store
from app.store.fingerprints import record_fingerprints
from app.store.keys import now
from app.store.models import AttemptRow, ClipRow
from app.store.renders import RenderState

log = logging.getLogger(__name__)
_STARTED = (RenderState.APPROVED, RenderState.GENERATING, RenderState.COMPOSING)


def _jsonable(event: RenderEvent) -> dict[str, Any]:
    data = asdict(event)
    if event.state is not None:
        data["state"] = event.state.value
    if event.draft is not None:
        data["draft"] = _draft_news(event.render_id, event.draft)
    return {k: v for k, v in data.items() if v is not None}


def _draft_news(render_id: str, news: dict[str, Any]) -> dict[str, Any]:
    """The draft's news with its files as API paths (the worker's folder is nobody's business)."""
    base = f"/v1/renders/{render_id}/draft"
    found = {k: v for k, v in news.items() if k != "folder"}
    found["playlist"] = f"{base}/{news['playlist']}"
    found["video"] = f"{base}/{news['video']}" if news.get("video") else None
    return found


class LedgerEvents:
    """The `RenderEvents` sink: every event into the log, scene states and attempts into
    their rows as they happen."""

    def __init__(self, service: Service, render_id: str) -> None:
        self.service, self.render_id = service, render_id

    async def __call__(self, event: RenderEvent) -> None:
        db = self.service.db
        if event.type == "scene" and event.scene is not None and event.state is not None:
            values: dict[str, Any] = {"state": event.state.value}
            if event.provider:
                values.update(provider=event.provider, model=event.model)
            await render_store.update_scene(db, self.render_id, event.scene, **values)
        elif event.type == "attempt" and event.attempt is not None:
            await render_store.add_attempt(db, self._attempt(event, event.attempt))
        elif event.type == "stage" and event.stage == "compose":
            composing = await render_store.set_state(
                db, self.render_id, RenderState.COMPOSING, only_from=[RenderState.GENERATING]
            )
            if composing:
                await self.service.announce(self.render_id, "state", {"state": "composing"})
        await self.service.announce(self.render_id, event.type, _jsonable(event))

    def _attempt(self, event: RenderEvent, record: dict[str, Any]) -> AttemptRow:
        task_id = next(
            (record[k] for k in ("provider_job_id", "vendor_task_id", "job_id") if record.get(k)),
            None,
        )
        return AttemptRow(
            render_id=self.render_id,
            scene_index=event.scene or 0,
            provider=record.get("provider") or event.provider,
            model=record.get("model") or event.model,
            outcome=record.get("outcome"),
            vendor_task_id=task_id,
            cost_usd=float(record.get("cost_usd") or 0.0),
            record=record,
            created_at=now(),
        )


def work_dir(service: Service, render_id: str) -> Path:
    return service.settings.data_dir / "work" / f"publish-{render_id}"


async def run_render(service: Service, render_id: str) -> None:
    """Execute one approved render; every outcome ends in the ledger."""
    moved = await render_store.set_state(
        service.db, render_id, RenderState.GENERATING, only_from=[RenderState.APPROVED]
    )
    if not moved:
        return  # cancelled (or already taken) before it started
    log.info("render started", extra={"state": RenderState.GENERATING.value})
    await service.announce(render_id, "state", {"state": "generating"})
    out_dir = work_dir(service, render_id) / "out"
    try:
        await _execute(service, render_id, out_dir)
    except asyncio.CancelledError:
        if not service.stopping:  # a shutdown leaves it in flight: the next start resumes it
            await finish(service, render_id, RenderState.CANCELLED, None)
        raise
    except ReelrouteError as exc:
        await finish(service, render_id, RenderState.FAILED, exc.to_dict())
    except Exception as exc:  # a bug must still end the render in the ledger, not hang it
        log.exception("render %s crashed", render_id)
        error = {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}", "field": None}
        await finish(service, render_id, RenderState.FAILED, error)
    finally:
        shutil.rmtree(work_dir(service, render_id), ignore_errors=True)


async def approved_plan(service: Service, render_id: str) -> PlannedRender:
    """The stored request planned again; `PlanError` when the effective policy changed since
    the plan was approved."""
    row = await render_store.get_render(service.db, render_id)
    assert row is not None
    request = RenderRequest.model_validate(row.request)
    planned = await render_ops.plan(service, request, executing=True)
    approved = (row.plan.get("policy") or {}).get("sha256")
    if approved and planned.policy.sha256 != approved:
        raise PlanError(
            f"the effective policy changed after approval ({approved} -> "
            f"{planned.policy.sha256}: the tenant's enforced policy was replaced); plan again"
        )
    return planned


def render_env(service: Service, render_id: str) -> RenderEnv:
    return build_render_env(
        service.settings,
        LedgerEvents(service, render_id),
        registry=service.registry,
        catalog=service.catalog,
        local_index=False,  # the ledger keeps the fingerprints (below)
    )


async def _execute(service: Service, render_id: str, out_dir: Path) -> None:
    planned = await approved_plan(service, render_id)
    await compose_and_publish(service, render_id, planned, render_env(service, render_id), out_dir)


async def compose_and_publish(
    service: Service, render_id: str, planned: PlannedRender, env: RenderEnv, out_dir: Path
) -> None:
    """Execute the plan (clips in `env.made` are used as they are), store the outputs in the
    blob store, record the clips and end the render as succeeded."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    await execute_plan(planned, env, out_dir)
    manifest_data = _read_manifest(out_dir)
    keys = service.blobs.put_tree(f"renders/{render_id}", out_dir)
    await _record_results(service, render_id, manifest_data, keys)
    await record_fingerprints(service.db, planned.request.tenant, manifest_data)
    await finish(
        service,
        render_id,
        RenderState.SUCCEEDED,
        None,
        outputs=_outputs(render_id, manifest_data, keys),
    )
    if planned.request.draft:
        await delete_draft(service, render_id)


async def delete_draft(service: Service, render_id: str) -> None:
    """A render's draft, from this process's folder and the blob store: once the final
    outputs are stored the draft is only a stale copy (its API then says the render is final)."""
    shutil.rmtree(service.settings.drafts_dir / render_id, ignore_errors=True)
    try:
        await asyncio.to_thread(service.blobs.delete_tree, draft_prefix(render_id))
    except OSError as exc:  # the render succeeded all the same
        log.warning("render %s: its draft was not deleted from the blob store: %s", render_id, exc)


def _read_manifest(out_dir: Path) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    return data


def _outputs(render_id: str, manifest: dict[str, Any], keys: list[str]) -> list[Any]:
    outputs = [
        {
            "aspect": o["aspect"],
            "key": f"renders/{render_id}/{o['file']}",
            "sha256": o["sha256"],
            "duration": o.get("duration"),
            "width": o.get("width"),
            "height": o.get("height"),
        }
        for o in manifest.get("outputs", [])
    ]
    for key in keys:
        name = key.rsplit("/", 1)[-1]
        if name.endswith((".srt", ".vtt", ".json", ".html")):
            outputs.append({"aspect": None, "key": key, "name": name})
    return outputs


async def _record_results(
    service: Service, render_id: str, manifest: dict[str, Any], keys: list[str]
) -> None:
    clips = []
    for scene in manifest.get("scenes", []):
        clip = scene.get("clip", {})
        cost = sum(float(a.get("cost_usd") or 0) for a in scene.get("attempts", []))
        await render_store.update_scene(
            service.db,
            render_id,
            int(scene["index"]),
            state="done",
            provider=clip.get("provider"),
            model=clip.get("model"),
            duration_s=float(clip.get("duration") or 0),
            cost_usd=cost,
        )
        clips.append(
            ClipRow(
                render_id=render_id,
                scene_index=int(scene["index"]),
                provider=clip.get("provider"),
                model=clip.get("model"),
                sha256=clip.get("sha256"),
                vendor_task_id=clip.get("provider_job_id"),
                duration_s=float(clip.get("duration") or 0),
            )
        )
    await render_store.record_clips(service.db, render_id, clips)


async def finish(
    service: Service,
    render_id: str,
    state: RenderState,
    error: dict[str, Any] | None,
    outputs: list[Any] | None = None,
) -> None:
    moved = await render_store.set_state(
        service.db, render_id, state, only_from=_STARTED, error=error, outputs=outputs
    )
    if not moved:
        return
    log.info("render %s", state.value, extra={"state": state.value, "error": error})
    webhook = {RenderState.SUCCEEDED: "render.succeeded", RenderState.FAILED: "render.failed"}
    data: dict[str, Any] = {"state": state.value}
    if error is not None:
        data["error"] = error
    await service.announce(render_id, "state", data, webhook=webhook.get(state))


def handler(service: Service) -> JobHandler:
    async def run(render_id: str) -> None:
        with log_context(render_id=render_id):  # every line logged for this render names it
            await run_render(service, render_id)

    return run


async def resume_interrupted(service: Service) -> None:
    """Renders a stopped server left in flight go back on the queue; clips already made come
    from the cache, so nothing made is paid for twice."""
    for render_id in await render_store.ids_in_states(service.db, _STARTED):
        await render_store.set_state(
            service.db, render_id, RenderState.APPROVED, only_from=_STARTED
        )
        await service.announce(render_id, "state", {"state": "approved", "resumed": True})
        await service.queue.enqueue(render_id)
