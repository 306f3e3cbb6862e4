"""The creator's pages: "New video", the plan (edit, pin, approve), progress, the result
(players, downloads, scene strip, regenerate, re-render under another policy).

Every action calls the API's own route function with the signed-in principal, so roles,
tenant isolation and the policy checks are the API's; a refused action comes back as the page
with the API's message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from app.api.deps import get_service, visible_render
from app.api.errors import ApiError
from app.api.routes import policies as api_policies
from app.api.routes import renders as api
from app.api.schemas import PolicyIn, RegenerateIn, RenderOut, RerouteIn, SceneEditIn
from app.errors import PinForbidden, ReelrouteError
from app.web import explain
from app.web.auth import WebUser, acting, page_for
from app.web.forms import (
    ASPECT_CHOICES,
    MOOD_CHOICES,
    QUALITY_CHOICES,
    VOICE_CHOICES,
    NewVideo,
    decode_script_file,
)
from app.web.nav import CREATORS
from app.web.pages import render
from app.web.render_view import render_view
from app.web.routes.renders import STATE_BADGES

router = APIRouter(include_in_schema=False)
CreatorPage = Annotated[WebUser, Depends(page_for(*CREATORS))]
CreatorAction = Annotated[WebUser, Depends(acting(*CREATORS))]
RenderId = Annotated[str, Path(max_length=64)]
SceneIndex = Annotated[int, Path(ge=0, le=100_000)]


def _text(form: FormData, name: str, limit: int = 200_000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


async def _policy_names(request: Request, user: WebUser) -> list[str]:
    policies = await api_policies.list_policies(get_service(request), user.principal)
    return [p.id for p in policies]


async def _new_page(
    request: Request, user: WebUser, form: NewVideo, error: str | None, status: int = 200
) -> Response:
    return render(
        request,
        "new.html",
        user,
        status,
        form=form,
        error=error,
        aspects=ASPECT_CHOICES,
        voices=VOICE_CHOICES,
        moods=MOOD_CHOICES,
        qualities=QUALITY_CHOICES,
        policies=await _policy_names(request, user),
    )


@router.get("/new")
async def new_video(request: Request, user: CreatorPage) -> Response:
    return await _new_page(request, user, NewVideo(), None)


@router.post("/new")
async def plan_video(request: Request, user: CreatorAction) -> Response:
    posted = await request.form()
    form = NewVideo(
        script=_text(posted, "script"),
        outline=posted.get("outline") == "on",
        url=_text(posted, "url", 2000),
        prompt=_text(posted, "prompt", 20_000),
        minutes=_text(posted, "minutes", 20),
        aspects=[a for a in posted.getlist("aspects") if isinstance(a, str)],
        quality=_text(posted, "quality", 20),
        voice=_text(posted, "voice", 20),
        music_mood=_text(posted, "music_mood", 20),
        policy=_text(posted, "policy", 200),
    )
    try:
        upload = posted.get("script_file")
        if isinstance(upload, UploadFile) and upload.filename:
            form.script = form.script or decode_script_file(await upload.read())
        created = await api.create_render(
            get_service(request), user.principal, form.body(), Response(), None
        )
    except (ReelrouteError, ApiError) as exc:
        return await _new_page(request, user, form, exc.message, exc.http_status)
    return RedirectResponse(f"/renders/{created.id}", status_code=303)


async def _render_page(
    request: Request,
    user: WebUser,
    render_id: str,
    *,
    error: str | None = None,
    error_scene: int | None = None,
    status: int = 200,
) -> Response:
    service = get_service(request)
    out = await api.get_render(service, user.principal, render_id)
    row = await visible_render(service, user.principal, render_id)
    view = render_view(service, out, row)
    return render(
        request,
        "render.html",
        user,
        status,
        r=out,
        view=view,
        badges=STATE_BADGES,
        error=error,
        error_scene=error_scene,
        policies=await _policy_names(request, user),
        explain=explain,
    )


@router.get("/renders/{render_id}")
async def render_page(request: Request, user: CreatorPage, render_id: RenderId) -> Response:
    return await _render_page(request, user, render_id)


def _scene_edit(form: FormData, current: dict[str, Any], pinned: str | None) -> SceneEditIn:
    """Only what changed: the narration if edited, the pin if another was picked."""
    change: dict[str, Any] = {}
    narration = _text(form, "narration", 20_000).strip()
    if narration and narration != current.get("narration"):
        change["narration"] = narration
    model = _text(form, "model", 200)
    if model != (pinned or ""):
        change["pin"] = model or None
    return SceneEditIn.model_validate(change)


@router.post("/renders/{render_id}/scenes/{n}")
async def edit_scene(
    request: Request, user: CreatorAction, render_id: RenderId, n: SceneIndex
) -> Response:
    service = get_service(request)
    row = await visible_render(service, user.principal, render_id)
    scenes = row.plan.get("scenes") or []
    if n >= len(scenes):
        return await _render_page(
            request, user, render_id, error=f"There is no scene {n + 1}.", status=404
        )
    pinned = ((row.request.get("edits") or {}).get(str(n)) or {}).get("pin")
    try:
        edit = _scene_edit(await request.form(), scenes[n], pinned)
    except ValidationError as exc:
        message = f"That is not a valid edit: {exc.errors()[0].get('msg')}"
        return await _render_page(
            request, user, render_id, error=message, error_scene=n, status=422
        )
    try:
        if edit.model_fields_set:
            await api.edit_scene(service, user.principal, render_id, n, edit)
    except PinForbidden as exc:
        message = forbidden_pin(edit.pin or "", exc, n)
        return await _render_page(
            request, user, render_id, error=message, error_scene=n, status=422
        )
    except (ReelrouteError, ApiError) as exc:
        return await _render_page(
            request, user, render_id, error=exc.message, error_scene=n, status=exc.http_status
        )
    return RedirectResponse(f"/renders/{render_id}#scene-{n + 1}", status_code=303)


def forbidden_pin(pin: str, exc: PinForbidden, n: int) -> str:
    """The policy's reasons in words, with their codes."""
    reasons = "; ".join(f"{explain.reason_text(r)} ({r})" for r in exc.reasons)
    return f"{pin} may not make scene {n + 1}: {reasons or exc.message}."


async def _act(
    request: Request, user: WebUser, render_id: str, action: Callable[[], Awaitable[RenderOut]]
) -> Response:
    """Run an API action; a refusal shows the render page with the API's message."""
    try:
        target = await action()
    except (ReelrouteError, ApiError) as exc:
        return await _render_page(
            request, user, render_id, error=exc.message, status=exc.http_status
        )
    return RedirectResponse(f"/renders/{target.id}", status_code=303)


@router.post("/renders/{render_id}/approve")
async def approve(request: Request, user: CreatorAction, render_id: RenderId) -> Response:
    service = get_service(request)
    return await _act(
        request,
        user,
        render_id,
        lambda: api.approve_render(service, user.principal, render_id),
    )


@router.post("/renders/{render_id}/cancel")
async def cancel(request: Request, user: CreatorAction, render_id: RenderId) -> Response:
    service = get_service(request)
    return await _act(
        request, user, render_id, lambda: api.cancel_render(service, user.principal, render_id)
    )


@router.post("/renders/{render_id}/scenes/{n}/regenerate")
async def regenerate(
    request: Request, user: CreatorAction, render_id: RenderId, n: SceneIndex
) -> Response:
    service = get_service(request)
    model = _text(await request.form(), "model", 200)
    try:
        body = RegenerateIn(pin=model, approve=True) if model else RegenerateIn()
    except ValidationError:
        return await _render_page(
            request, user, render_id, error=f"{model!r} is not a provider/model.", status=422
        )
    return await _act(
        request,
        user,
        render_id,
        lambda: api.regenerate_scene(service, user.principal, render_id, n, body),
    )


@router.post("/renders/{render_id}/reroute")
async def reroute(request: Request, user: CreatorAction, render_id: RenderId) -> Response:
    service = get_service(request)
    policy = _text(await request.form(), "policy", 200)
    if not policy:
        return await _render_page(
            request, user, render_id, error="Pick a policy to re-render under.", status=422
        )
    body = RerouteIn(policy=PolicyIn(id=policy), approve=True)
    return await _act(
        request,
        user,
        render_id,
        lambda: api.reroute_render(service, user.principal, render_id, body),
    )
