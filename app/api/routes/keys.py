"""/v1/keys: an agency admin manages the tenant's API keys (secrets are shown once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from app.api.deps import AdminDep, PrincipalDep, ServiceDep, check_role
from app.api.errors import documented
from app.api.schemas import KeyIn, KeyOut
from app.api.views import iso
from app.errors import NotFound
from app.store import keys as key_store
from app.store.keys import Role

router = APIRouter(prefix="/v1/keys", tags=["keys"])


@router.post("", status_code=status.HTTP_201_CREATED, responses=documented(401, 403, 422))
async def create_key(service: ServiceDep, principal: AdminDep, body: KeyIn) -> KeyOut:
    """A new key for this tenant; `key` is shown only in this response."""
    made = await key_store.create_key(service.db, principal.tenant, Role(body.role))
    return KeyOut(
        id=made.principal.key_id, tenant=principal.tenant, role=body.role, key=made.secret
    )


@router.get("", responses=documented(401, 403))
async def list_keys(service: ServiceDep, principal: AdminDep) -> list[KeyOut]:
    return [
        KeyOut(
            id=k.id,
            tenant=k.tenant_id,
            role=k.role,
            created_at=iso(k.created_at),
            revoked=k.revoked_at is not None,
        )
        for k in await key_store.list_keys(service.db, principal.tenant)
    ]


@router.delete(
    "/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=documented(401, 403, 404, 422)
)
async def revoke_key(
    service: ServiceDep, principal: PrincipalDep, key_id: Annotated[str, Path(max_length=64)]
) -> Response:
    """Revoke a key of this tenant at once (another tenant's key is a 404 for every role)."""
    row = await key_store.get_key(service.db, key_id)
    if row is None or row.tenant_id != principal.tenant or row.revoked_at is not None:
        raise NotFound(f"no live key {key_id}", field="key_id")
    check_role(principal, (Role.AGENCY_ADMIN,), "revoking keys")
    await key_store.revoke_key(service.db, key_id, tenant=principal.tenant)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
