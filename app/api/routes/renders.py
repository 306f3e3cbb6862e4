"""/v1/renders: plan, edit, approve, watch, cancel, regenerate, reroute."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Path, Query, Response, status

from app.api import render_ops
from app.api.deps import WRITERS, PrincipalDep, ServiceDep, check_role, visible_render
from app.api.errors import documented
from app.api.schemas import (
    CreateRender,
    RegenerateIn,
    RenderOut,
    RenderPage,
    RerouteIn,
    SceneEditIn,
)
from app.api.state import Service
from app.api.views import render_out, render_summary
from app.store import renders as render_store
from app.store.keys import Principal, Role
from app.store.models import RenderRow
from app.store.renders import RenderState

router = APIRouter(prefix="/v1/renders", tags=["renders"])
RenderId = Annotated[str, Path(description="the render's id", max_length=64)]
SceneIndex = Annotated[int, Path(description="0-based scene index", ge=0, le=100_000)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="same key + body = same render"),
]
_ERRORS = documented(401, 403, 404, 409, 413, 422, 429)


async def _out(service: Service, render_id: str) -> RenderOut:
    row = await render_store.get_render(service.db, render_id)
    assert row is not None
    return render_out(row, await render_store.get_scenes(service.db, render_id))


async def _writable(
    service: Service, principal: Principal, render_id: str, action: str
) -> RenderRow:
    row = await visible_render(service, principal, render_id)
    check_role(principal, WRITERS, action)
    return row


@router.post("", status_code=status.HTTP_201_CREATED, responses=_ERRORS)
async def create_render(
    service: ServiceDep,
    principal: PrincipalDep,
    body: CreateRender,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> RenderOut:
    """Plan a render (nothing is spent); `approve: true` also queues it."""
    check_role(principal, WRITERS, "creating renders")
    row, replayed = await render_ops.create(service, principal, body, idempotency_key)
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return await _out(service, row.id)


@router.get("", responses=documented(401, 422))
async def list_renders(
    service: ServiceDep,
    principal: PrincipalDep,
    state: Annotated[RenderState | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> RenderPage:
    """The tenant's renders, newest first (a creator sees their own)."""
    mine = principal.key_id if principal.role is Role.CREATOR else None
    rows, total = await render_store.list_renders(
        service.db,
        principal.tenant,
        created_by=mine,
        state=state.value if state else None,
        limit=limit,
        offset=offset,
    )
    return RenderPage(
        items=[render_summary(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{render_id}", responses=documented(401, 404, 422))
async def get_render(
    service: ServiceDep, principal: PrincipalDep, render_id: RenderId
) -> RenderOut:
    """State, per-scene state and the plan."""
    row = await visible_render(service, principal, render_id)
    return await _out(service, row.id)


@router.patch("/{render_id}/scenes/{n}", responses=_ERRORS)
async def edit_scene(
    service: ServiceDep,
    principal: PrincipalDep,
    render_id: RenderId,
    n: SceneIndex,
    body: SceneEditIn,
) -> RenderOut:
    """Edit a planned scene's narration or visual prompt, or pin a provider/model; the plan
    and its estimate are recomputed. A pin the policy forbids is a 422 with the reasons."""
    row = await _writable(service, principal, render_id, "editing renders")
    await render_ops.edit_scene(service, row, n, body)
    return await _out(service, row.id)


@router.post("/{render_id}/approve", responses=_ERRORS)
async def approve_render(
    service: ServiceDep, principal: PrincipalDep, render_id: RenderId
) -> RenderOut:
    """Queue a planned render for generation (the first moment anything is spent)."""
    row = await _writable(service, principal, render_id, "approving renders")
    await render_ops.approve(service, row, principal)
    return await _out(service, row.id)


@router.post("/{render_id}/cancel", responses=_ERRORS)
async def cancel_render(
    service: ServiceDep, principal: PrincipalDep, render_id: RenderId
) -> RenderOut:
    """Stop a render; vendor tasks are cancelled where allowed, made clips stay cached."""
    row = await _writable(service, principal, render_id, "cancelling renders")
    await render_ops.cancel(service, row)
    return await _out(service, row.id)


@router.post(
    "/{render_id}/scenes/{n}/regenerate", status_code=status.HTTP_201_CREATED, responses=_ERRORS
)
async def regenerate_scene(
    service: ServiceDep,
    principal: PrincipalDep,
    render_id: RenderId,
    n: SceneIndex,
    body: Annotated[
        RegenerateIn | None, Body(examples=[{"pin": "local/local-motion-1", "approve": True}])
    ] = None,
) -> RenderOut:
    """A new render version with a new take of scene `n`: by the model that made it, or by
    `pin`; every other clip is reused."""
    parent = await _writable(service, principal, render_id, "regenerating scenes")
    body = body or RegenerateIn()
    row = await render_ops.derive(
        service, principal, parent, regenerate=n, pin=body.pin, approve_now=body.approve
    )
    return await _out(service, row.id)


@router.post("/{render_id}/reroute", status_code=status.HTTP_201_CREATED, responses=_ERRORS)
async def reroute_render(
    service: ServiceDep, principal: PrincipalDep, render_id: RenderId, body: RerouteIn
) -> RenderOut:
    """A new render, linked to this one, under another policy: only scenes whose maker the
    new policy excludes are made again."""
    parent = await _writable(service, principal, render_id, "re-routing renders")
    row = await render_ops.derive(
        service,
        principal,
        parent,
        policy=render_ops.policy_ref(body.policy),
        approve_now=body.approve,
    )
    return await _out(service, row.id)
