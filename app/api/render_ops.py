"""What the render endpoints do: plan, edit, approve, cancel, regenerate, reroute.

Every plan goes through the contract's `plan_render`; nothing here calls a provider. The
worker (`app.api.jobs`) is the only place that executes an approved plan.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from app.api.errors import IdempotencyConflict, InputTooLarge, InvalidState, TooManyInFlight
from app.api.policy_source import load_policy_source, split_ref
from app.api.schemas import CreateRender, PolicyIn, SceneEditIn
from app.api.state import Service
from app.api.written import WrittenScripts
from app.errors import InputError, NotFound
from app.service.entry import PlanEnv, PlannedRender, plan_render
from app.service.request import PolicyRef, RenderRequest, RenderSource, SceneEdit
from app.store import policies as policy_store
from app.store import renders as render_store
from app.store.keys import Principal, now
from app.store.models import RenderRow
from app.store.renders import RenderState


def new_render_id() -> str:
    return "rnd_" + secrets.token_hex(8)


def policy_ref(given: PolicyIn | str | None) -> PolicyRef | None:
    if given is None:
        return None
    if isinstance(given, str):
        return PolicyRef(id=given)
    return PolicyRef(id=given.id, body=given.body)


def check_words(service: Service, source: RenderSource) -> None:
    words = len((source.text or "").split())
    cap = service.settings.max_words
    if words > cap:
        raise InputTooLarge(
            f"the source has {words} words; the limit is {cap} words per render",
            field="source.text",
        )


async def plan(
    service: Service, request: RenderRequest, *, executing: bool = False
) -> PlannedRender:
    """Plan `request` for its tenant: ledger policies, the enforced policy, the tenant's spend
    (`executing`: the render's own spend left out, see `tenant_spend`)."""
    policies = await load_policy_source(service.db, request.tenant, request.policy, service.catalog)
    env = PlanEnv(
        catalog=service.catalog,
        registry=service.registry,
        policies=policies,
        words_per_minute=service.settings.words_per_minute,
        spent_usd=await render_store.tenant_spend(
            service.db, request.tenant, excluding=request.render_id if executing else None
        ),
        writer=_writer(service),
    )
    planned = await plan_render(request, env)
    cap = service.settings.max_scenes
    if len(planned.script.scenes) > cap:
        raise InputTooLarge(
            f"the source makes {len(planned.script.scenes)} scenes; the limit is {cap} scenes "
            "per render",
            field="source",
        )
    return planned


def _writer(service: Service) -> WrittenScripts:
    """URL sources and LLM-written prompts, the same script at planning and at execution."""
    if service.written is None:
        service.written = WrittenScripts(service.settings, service.db)
    return service.written


def _request_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _policy_columns(planned: PlannedRender, ref: PolicyRef | None) -> dict[str, Any]:
    name, version = None, None
    if ref is not None and ref.id is not None:
        name, _, v = ref.id.partition("@")
        version = int(v) if v else None
    return {
        "policy_name": name,
        "policy_version": version,
        "policy_sha256": planned.policy.sha256,
    }


async def create(
    service: Service, principal: Principal, body: CreateRender, idempotency_key: str | None
) -> tuple[RenderRow, bool]:
    """Plan a new render (and approve it when asked). Returns (row, replayed)."""
    body_hash = _request_hash(body.model_dump(mode="json"))
    if idempotency_key is not None:
        existing = await render_store.by_idempotency_key(
            service.db, principal.tenant, idempotency_key
        )
        if existing is not None:
            return _replay(existing, body_hash, idempotency_key), True
    if body.approve:  # refuse before anything is stored, not after
        await _check_in_flight(service, principal.tenant)
    request = await _request_from(service, principal, body)
    planned = await plan(service, request)
    row = _new_row(principal, request, planned, body_hash, idempotency_key)
    try:
        await render_store.insert_render(service.db, row)
    except IntegrityError:
        if idempotency_key is None:
            raise
        existing = await render_store.by_idempotency_key(
            service.db, principal.tenant, idempotency_key
        )
        if existing is None:
            raise
        return _replay(existing, body_hash, idempotency_key), True
    await service.announce(row.id, "state", {"state": "planned"}, webhook="render.planned")
    if body.approve:
        await approve(service, row, principal)
    return row, False


async def _request_from(
    service: Service, principal: Principal, body: CreateRender
) -> RenderRequest:
    try:
        source = RenderSource(**body.source.model_dump())
        check_words(service, source)
        return RenderRequest(
            render_id=new_render_id(),
            tenant=principal.tenant,
            source=source,
            policy=await versioned(service, principal.tenant, policy_ref(body.policy)),
            aspects=body.aspects,
            quality=body.quality,
            voice=body.voice,
            music_mood=body.music_mood,
            draft=body.draft,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or None
        raise InputError(f"{field or 'body'}: {first.get('msg')}", field=field) from exc


def _replay(existing: RenderRow, body_hash: str, key: str) -> RenderRow:
    if existing.request_sha256 != body_hash:
        raise IdempotencyConflict(
            f"Idempotency-Key {key!r} was used with a different body", field="Idempotency-Key"
        )
    return existing


def _new_row(
    principal: Principal,
    request: RenderRequest,
    planned: PlannedRender,
    body_hash: str,
    idempotency_key: str | None,
    parent_id: str | None = None,
) -> RenderRow:
    stamp = now()
    plan_dict = planned.to_dict()
    return RenderRow(
        id=request.render_id,
        tenant_id=principal.tenant,
        created_by=principal.key_id,
        state=RenderState.PLANNED.value,
        request=request.model_dump(mode="json"),
        plan=plan_dict,
        estimated_cost_usd=float(plan_dict.get("estimated_cost_usd") or 0),
        cost_usd=0.0,
        parent_id=parent_id,
        idempotency_key=idempotency_key,
        request_sha256=body_hash,
        error=None,
        outputs=[],
        created_at=stamp,
        updated_at=stamp,
        **_policy_columns(planned, request.policy),
    )


async def versioned(service: Service, tenant: str, ref: PolicyRef | None) -> PolicyRef | None:
    """A named policy pinned to its current version (`name@3`), so the stored request and
    the execution use exactly what was planned even if the policy changes later."""
    if ref is None or ref.id is None:
        return ref
    name, version = split_ref(ref.id)
    if version is not None:
        return ref
    row = await policy_store.get_policy(service.db, tenant, name)
    if row is None:
        raise NotFound(f"no policy {name!r} in this tenant", field="policy.id")
    return PolicyRef(id=f"{name}@{row.version}")


def _require_state(row: RenderRow, *states: RenderState, action: str) -> None:
    if row.state not in {s.value for s in states}:
        allowed = " or ".join(s.value for s in states)
        raise InvalidState(f"cannot {action} a render that is {row.state} (only {allowed})")


def _apply_edit(current: SceneEdit | None, edit: SceneEditIn) -> SceneEdit:
    merged = current.model_dump() if current is not None else {}
    for name in edit.model_fields_set:
        merged[name] = getattr(edit, name)
    return SceneEdit(**merged)


async def edit_scene(service: Service, row: RenderRow, index: int, edit: SceneEditIn) -> None:
    """Change one scene's narration/visual prompt/pin and re-plan (a forbidden pin is a 422
    from `plan_render`; the stored plan is left as it was)."""
    _require_state(row, RenderState.PLANNED, action="edit")
    scenes = row.plan.get("scenes", [])
    if not 0 <= index < len(scenes):
        raise NotFound(
            f"render {row.id} has scenes 0-{len(scenes) - 1}; no scene {index}", field="n"
        )
    request = RenderRequest.model_validate(row.request)
    try:
        request.edits[index] = _apply_edit(request.edits.get(index), edit)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or None
        raise InputError(f"{field or 'edit'}: {first.get('msg')}", field=field) from exc
    planned = await plan(service, request)
    await render_store.replace_plan(
        service.db, row.id, request.model_dump(mode="json"), planned.to_dict()
    )
    await service.announce(row.id, "plan", {"edited_scene": index})


async def _check_in_flight(service: Service, tenant: str) -> None:
    cap = service.settings.max_in_flight
    if await render_store.count_in_flight(service.db, tenant) >= cap:
        raise TooManyInFlight(
            f"the tenant already has {cap} renders in flight (the limit); wait for one to "
            "finish or cancel one"
        )


async def _mark_policies_used(service: Service, row: RenderRow) -> None:
    """The versions an approved render uses become immutable: its own and the enforced one."""
    if row.policy_name is not None and row.policy_version is not None:
        await policy_store.mark_used(service.db, row.tenant_id, row.policy_name, row.policy_version)
    enforced = await policy_store.enforced_name(service.db, row.tenant_id)
    if enforced is not None:
        current = await policy_store.get_policy(service.db, row.tenant_id, enforced)
        if current is not None:
            await policy_store.mark_used(service.db, row.tenant_id, enforced, current.version)


async def approve(service: Service, row: RenderRow, principal: Principal) -> None:
    """Queue a planned render, recording who approved it and when: the manifest and the C2PA
    `humanOversightLevel` (`human_validated`) say a person approved the plan."""
    _require_state(row, RenderState.PLANNED, action="approve")
    await _check_in_flight(service, row.tenant_id)
    await _mark_policies_used(service, row)
    moved = await render_store.set_state(
        service.db, row.id, RenderState.APPROVED, only_from=[RenderState.PLANNED]
    )
    if not moved:
        raise InvalidState(f"render {row.id} is no longer planned")
    approval = {"by": f"key {principal.key_id}", "at": datetime.now(UTC).isoformat()}
    await render_store.set_request(service.db, row.id, {**row.request, "approval": approval})
    await service.announce(row.id, "state", {"state": "approved"})
    await service.queue.enqueue(row.id)


async def cancel(service: Service, row: RenderRow) -> None:
    live = (RenderState.PLANNED, *render_store.IN_FLIGHT)
    _require_state(row, *live, action="cancel")
    await service.queue.cancel(row.id)
    if await render_store.set_state(service.db, row.id, RenderState.CANCELLED, only_from=live):
        await service.announce(row.id, "state", {"state": "cancelled"})


async def _keep_others(
    service: Service, parent: RenderRow, request: RenderRequest, skip: set[int]
) -> None:
    """Prefer each kept scene's maker, so the new plan reuses its cached clip when the policy
    still allows it (a soft preference: routed anew otherwise)."""
    for scene in await render_store.get_scenes(service.db, parent.id):
        made = f"{scene.provider}/{scene.model}" if scene.provider and scene.model else None
        made = made or scene.chosen
        if scene.index in skip or not made:
            continue
        edit = request.edits.get(scene.index) or SceneEdit()
        if edit.pin is None:
            request.edits[scene.index] = edit.model_copy(update={"prefer": made})


async def _new_take(
    service: Service, parent: RenderRow, edit: SceneEdit, index: int, pin: str | None
) -> SceneEdit:
    """The scene's next take: its seed changes, so even the same model makes a new clip.
    Without a pin the model that made the parent's clip is preferred (a soft preference)."""
    scenes = {s.index: s for s in await render_store.get_scenes(service.db, parent.id)}
    scene = scenes.get(index)
    made = scene and scene.provider and scene.model and f"{scene.provider}/{scene.model}"
    prefer = None if pin else (made or (scene.chosen if scene else None) or None)
    take = (edit.take or 1) + 1
    return edit.model_copy(update={"pin": pin, "prefer": prefer, "take": take})


async def derive(
    service: Service,
    principal: Principal,
    parent: RenderRow,
    *,
    regenerate: int | None = None,
    pin: str | None = None,
    policy: PolicyRef | None = None,
    approve_now: bool = True,
) -> RenderRow:
    """A new render linked to `parent`: one scene regenerated (optionally pinned), or the
    whole render re-routed under another policy. Every other clip is reused."""
    _require_state(
        parent,
        RenderState.SUCCEEDED,
        RenderState.FAILED,
        RenderState.CANCELLED,
        action="derive from",
    )
    request = RenderRequest.model_validate(parent.request)
    # A derived render is approved (or not) on its own: the parent's approval does not carry.
    request = request.model_copy(
        update={"render_id": new_render_id(), "parent_id": parent.id, "approval": None}
    )
    if policy is not None:
        request.policy = await versioned(service, principal.tenant, policy)
    skip: set[int] = set()
    if regenerate is not None:
        count = len(parent.plan.get("scenes", []))
        if not 0 <= regenerate < count:
            raise NotFound(f"render {parent.id} has no scene {regenerate}", field="n")
        skip.add(regenerate)
        current = request.edits.get(regenerate) or SceneEdit()
        request.edits[regenerate] = await _new_take(service, parent, current, regenerate, pin)
    await _keep_others(service, parent, request, skip)
    planned = await plan(service, request)
    row = _new_row(
        principal,
        request,
        planned,
        _request_hash(request.model_dump(mode="json")),
        None,
        parent_id=parent.id,
    )
    await render_store.insert_render(service.db, row)
    await service.announce(
        row.id, "state", {"state": "planned", "parent_id": parent.id}, webhook="render.planned"
    )
    if approve_now:
        await approve(service, row, principal)
    return row
