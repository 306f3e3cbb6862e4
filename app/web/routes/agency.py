"""The agency's other pages: the provider catalog with its evidence, budgets and spend, and
access (API keys and webhooks; each secret is shown once, on the page that made it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from app.api.deps import get_service
from app.api.routes import keys as keys_api
from app.api.routes import providers as providers_api
from app.api.routes import spend as spend_api
from app.api.routes import webhooks as webhooks_api
from app.api.schemas import WEBHOOK_EVENTS, KeyIn, WebhookIn, WebhookOut
from app.web.auth import WebUser, acting, page_for
from app.web.nav import ADMIN, AUDITORS, ROLE_LABELS
from app.web.pages import render

router = APIRouter(include_in_schema=False)
AuditorsPage = Annotated[WebUser, Depends(page_for(*AUDITORS))]
AdminPage = Annotated[WebUser, Depends(page_for(*ADMIN))]
AdminAction = Annotated[WebUser, Depends(acting(*ADMIN))]
STATUS_TONES = {
    "alleged": "badge--warn",
    "disputed": "badge--warn",
    "confirmed": "badge--bad",
    "cleared": "badge--ok",
}
FACTS = (
    ("access_kind", "Access"),
    ("training_data", "Training-data disclosure"),
    ("content_credentials", "Content credentials"),
    ("open_weights", "Open weights"),
)


def _fact(label: str, evidence: dict[str, Any]) -> dict[str, Any]:
    value = evidence.get("value")
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value) or "none"
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    source = str(evidence.get("source", ""))
    return {
        "label": label,
        "value": value,
        "basis": evidence.get("basis"),
        "source": source,
        "link": source if source.startswith(("https://", "http://")) else None,
        "as_of": evidence.get("as_of"),
    }


def provider_view(p: dict[str, Any]) -> dict[str, Any]:
    sourcing = p["sourcing"]
    facts = [_fact("Headquarters", p["headquarters"])]
    facts += [_fact(label, sourcing[name]) for name, label in FACTS]
    models = [
        {
            "id": m["id"],
            "label": m["label"],
            "price": _fact("Price per second (USD)", m["price_per_second_usd"]),
            "retired": m.get("lifecycle", {}).get("status") == "retired",
        }
        for m in p["models"].values()
    ]
    allegations = sorted(
        sourcing.get("allegations", []), key=lambda a: (a["status"] == "cleared", a["topic"])
    )
    return {
        "id": p["id"],
        "vendor": p["vendor"],
        "configured": p["configured"],
        "facts": facts,
        "models": models,
        "allegations": allegations,
    }


@router.get("/catalog")
async def catalog_page(request: Request, user: AuditorsPage) -> Response:
    catalog = await providers_api.list_providers(get_service(request), user.principal)
    providers = [provider_view(p) for p in catalog["providers"]]
    counts: dict[str, int] = {}
    for p in providers:
        for a in p["allegations"]:
            counts[a["status"]] = counts.get(a["status"], 0) + 1
    return render(
        request, "catalog.html", user, providers=providers, origins=catalog["origins"],
        counts=counts, tones=STATUS_TONES,
    )  # fmt: skip


@router.get("/spend")
async def spend_page(request: Request, user: AuditorsPage) -> Response:
    spend = await spend_api.get_spend(get_service(request), user.principal)
    return render(request, "spend.html", user, spend=spend)


async def _access(
    request: Request,
    user: WebUser,
    *,
    new_key: Any = None,
    new_webhook: WebhookOut | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    service = get_service(request)
    return render(
        request,
        "access.html",
        user,
        status_code,
        keys=await keys_api.list_keys(service, user.principal),
        webhooks=await webhooks_api.list_webhooks(service, user.principal),
        roles=ROLE_LABELS,
        events=WEBHOOK_EVENTS,
        new_key=new_key,
        new_webhook=new_webhook,
        error=error,
    )


@router.get("/access")
async def access_page(request: Request, user: AdminPage) -> Response:
    return await _access(request, user)


@router.post("/access/keys")
async def create_key(
    request: Request, user: AdminAction, role: Annotated[str, Form(max_length=32)] = ""
) -> Response:
    try:
        body = KeyIn.model_validate({"role": role})
    except ValidationError:
        return await _access(request, user, error="Choose a role for the key.", status_code=422)
    made = await keys_api.create_key(get_service(request), user.principal, body)
    return await _access(request, user, new_key=made)


@router.post("/access/keys/{key_id}/revoke")
async def revoke_key(request: Request, user: AdminAction, key_id: str) -> Response:
    if key_id == user.principal.key_id:
        return await _access(
            request, user, error="You cannot revoke the key you are signed in with.",
            status_code=409,
        )  # fmt: skip
    await keys_api.revoke_key(get_service(request), user.principal, key_id)
    return RedirectResponse("/access", status_code=303)


@router.post("/access/webhooks")
async def create_webhook(
    request: Request,
    user: AdminAction,
    url: Annotated[str, Form(max_length=2000)] = "",
    events: Annotated[list[str] | None, Form()] = None,
) -> Response:
    try:
        body = WebhookIn.model_validate({"url": url.strip(), "events": events or []})
    except ValidationError:
        return await _access(
            request, user, status_code=422,
            error="A webhook needs an http(s) URL and at least one event.",
        )  # fmt: skip
    made = await webhooks_api.create_webhook(get_service(request), user.principal, body)
    return await _access(request, user, new_webhook=made)


@router.post("/access/webhooks/{webhook_id}/delete")
async def delete_webhook(request: Request, user: AdminAction, webhook_id: str) -> Response:
    await webhooks_api.delete_webhook(get_service(request), user.principal, webhook_id)
    return RedirectResponse("/access", status_code=303)
