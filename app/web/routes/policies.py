"""The agency's policies: list, the YAML editor (validated as you type), what a policy does
(against a pasted script too), saving, versions with their renders, the enforced policy."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from app.api.deps import get_service
from app.api.policy_preview import PreviewIn, PreviewOut, preview
from app.api.routes import policies as api
from app.api.schemas import EnforcedIn
from app.errors import PolicyInvalid
from app.store import policies as policy_store
from app.store.keys import Role
from app.web.auth import WebUser, acting, page_for
from app.web.pages import render
from app.web.views import explanation_view, plan_changes, plan_view

router = APIRouter(include_in_schema=False)
AdminPage = Annotated[WebUser, Depends(page_for(Role.AGENCY_ADMIN))]
AdminAction = Annotated[WebUser, Depends(acting(Role.AGENCY_ADMIN))]
SourceField = Annotated[str, Form(max_length=64_000)]
ScriptField = Annotated[str, Form(max_length=64_000)]
STARTER = """id: acme-strict
name: ACME strict sourcing
sourcing:
  official_api: true
allegations:
  exclude_topics: [unauthorized-distillation]
  min_status: alleged
sort: quality
"""


@router.get("/policies")
async def policies_page(request: Request, user: AdminPage) -> Response:
    service = get_service(request)
    items = await api.list_policies(service, user.principal)
    enforced = await api.get_enforced(service, user.principal)
    return render(request, "policies.html", user, items=items, enforced=enforced.policy_id)


@router.post("/policies/enforced")
async def set_enforced(
    request: Request, user: AdminAction, policy_id: Annotated[str, Form(max_length=128)] = ""
) -> Response:
    body = EnforcedIn(policy_id=policy_id or None)
    await api.set_enforced(get_service(request), user.principal, body)
    return RedirectResponse("/policies", status_code=303)


async def _saved_source(request: Request, user: WebUser, name: str | None) -> str | None:
    if not name:
        return None
    row = await policy_store.get_policy(get_service(request).db, user.principal.tenant, name)
    return row.source if row is not None else None


async def _editor(
    request: Request,
    user: WebUser,
    *,
    source: str,
    script: str = "",
    base: str | None = None,
    result: PreviewOut | None = None,
    saved_error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The editor page; with `result`, what the draft does (and its plan, compared with the
    saved version's plan when the draft edits a saved policy)."""
    changes = None
    if result is not None and result.plan is not None and base:
        saved = await _saved_source(request, user, base)
        if saved is not None:
            before = await preview(
                get_service(request), user.principal, PreviewIn(source=saved, script=script)
            )
            changes = plan_changes(before.plan, result.plan) if before.plan else None
    return render(
        request,
        "policy_edit.html",
        user,
        status_code,
        source=source,
        script=script,
        base=base,
        result=result,
        explanation=explanation_view(result.explanation) if result and result.explanation else None,
        plan=plan_view(result.plan) if result and result.plan else None,
        changes=changes,
        saved_error=saved_error,
    )


@router.get("/policies/edit")
async def editor_page(
    request: Request, user: AdminPage, name: Annotated[str | None, Query(max_length=128)] = None
) -> Response:
    saved = await _saved_source(request, user, name)
    return await _editor(
        request, user, source=saved if saved is not None else STARTER, base=name if saved else None
    )


@router.post("/policies/preview")
async def preview_page(
    request: Request,
    user: AdminAction,
    source: SourceField = "",
    script: ScriptField = "",
    base: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    body = PreviewIn(source=source, script=script or None)
    result = await preview(get_service(request), user.principal, body)
    return await _editor(
        request, user, source=source, script=script, base=base or None, result=result
    )


@router.post("/policies/check")
async def check_draft(
    request: Request, user: AdminAction, body: Annotated[PreviewIn, Body()]
) -> JSONResponse:
    """The editor's validate-as-you-type: the draft's issues (field and line) as JSON."""
    result = await preview(get_service(request), user.principal, body)
    out: dict[str, Any] = {
        "valid": result.valid,
        "issues": [i.model_dump() for i in result.issues],
        "policy": result.policy.model_dump() if result.policy else None,
    }
    return JSONResponse(out, headers={"Cache-Control": "no-store"})


@router.post("/policies/save")
async def save_page(
    request: Request,
    user: AdminAction,
    source: SourceField = "",
    script: ScriptField = "",
    base: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    service = get_service(request)
    try:
        saved = await api.store_policy(service, user.principal.tenant, source)
    except PolicyInvalid as exc:
        result = await preview(service, user.principal, PreviewIn(source=source))
        return await _editor(
            request, user, source=source, script=script, base=base or None, result=result,
            saved_error=exc.message, status_code=422,
        )  # fmt: skip
    return RedirectResponse(
        f"/policies/{saved.row.name}?saved={saved.row.version}", status_code=303
    )


@router.get("/policies/{name}")
async def policy_page(
    request: Request,
    user: AdminPage,
    name: str,
    saved: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    service = get_service(request)
    versions = await api.policy_versions(service, user.principal, name)
    latest = versions[-1]
    explained = await api.explain(service, user.principal, name, None)
    enforced = await api.get_enforced(service, user.principal)
    return render(
        request,
        "policy.html",
        user,
        name=name,
        versions=list(reversed(versions)),
        latest=latest,
        explanation=explanation_view(explained),
        enforced=enforced.policy_id == name,
        saved=saved,
    )
