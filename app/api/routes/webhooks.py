"""/v1/webhooks: the tenant's signed webhooks and their delivery record (agency admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from app.api.deps import AdminDep, PrincipalDep, ServiceDep, check_role
from app.api.errors import documented
from app.api.schemas import DeliveryOut, WebhookIn, WebhookOut
from app.api.state import Service
from app.api.views import iso
from app.errors import NotFound
from app.store import webhooks as webhook_store
from app.store.keys import Principal, Role
from app.store.models import WebhookRow

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
WebhookId = Annotated[str, Path(max_length=64)]


def _out(row: WebhookRow, secret: bool = False) -> WebhookOut:
    return WebhookOut(
        id=row.id,
        url=row.url,
        events=list(row.events),
        created_at=iso(row.created_at),
        secret=row.secret if secret else None,
    )


async def _own(service: Service, principal: Principal, webhook_id: str) -> WebhookRow:
    """Another tenant's webhook is a 404 for every role; then only admins may touch it."""
    row = await webhook_store.get_webhook(service.db, webhook_id)
    if row is None or row.tenant_id != principal.tenant:
        raise NotFound(f"no webhook {webhook_id}", field="webhook_id")
    check_role(principal, (Role.AGENCY_ADMIN,), "managing webhooks")
    return row


@router.post("", status_code=status.HTTP_201_CREATED, responses=documented(401, 403, 413, 422))
async def create_webhook(service: ServiceDep, principal: AdminDep, body: WebhookIn) -> WebhookOut:
    """Subscribe a URL; the response shows the signing secret once. Each delivery carries
    `Reelroute-Signature: t=<unix time>,v1=<hex HMAC-SHA256 over "<t>." + body>`."""
    row = await webhook_store.create_webhook(
        service.db, principal.tenant, body.url, list(body.events)
    )
    return _out(row, secret=True)


@router.get("", responses=documented(401, 403))
async def list_webhooks(service: ServiceDep, principal: AdminDep) -> list[WebhookOut]:
    return [_out(r) for r in await webhook_store.list_webhooks(service.db, principal.tenant)]


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(401, 403, 404, 422),
)
async def delete_webhook(
    service: ServiceDep, principal: PrincipalDep, webhook_id: WebhookId
) -> Response:
    row = await _own(service, principal, webhook_id)
    await webhook_store.delete_webhook(service.db, row.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{webhook_id}/deliveries", responses=documented(401, 403, 404, 422))
async def list_deliveries(
    service: ServiceDep, principal: PrincipalDep, webhook_id: WebhookId
) -> list[DeliveryOut]:
    """Every delivery attempt, newest first."""
    row = await _own(service, principal, webhook_id)
    return [
        DeliveryOut(
            id=d.id,
            event=d.event,
            render_id=d.render_id,
            attempt=d.attempt,
            status_code=d.status_code,
            ok=d.ok,
            error=d.error,
            created_at=iso(d.created_at),
        )
        for d in await webhook_store.deliveries(service.db, row.id)
    ]
