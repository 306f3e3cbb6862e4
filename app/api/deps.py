"""Request dependencies as `Annotated` aliases: the service, the caller, role checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.api.errors import Unauthorized
from app.api.state import Service
from app.errors import Forbidden, NotFound
from app.store import renders as render_store
from app.store.keys import Principal, Role, authenticate
from app.store.models import RenderRow


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]
_bearer = HTTPBearer(auto_error=False, description="An API key from `reelroute keys create`.")


async def get_principal(
    service: ServiceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send an API key as `Authorization: Bearer <key>`")
    principal = await authenticate(service.db, credentials.credentials)
    if principal is None:
        raise Unauthorized("unknown or revoked API key")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def check_role(principal: Principal, allowed: tuple[Role, ...], action: str) -> None:
    """A role's forbidden action is a 403 (checked after the resource was found: another
    tenant's resource is a 404 first)."""
    if principal.role not in allowed:
        roles = " or ".join(r.value for r in allowed)
        raise Forbidden(f"{action} needs the {roles} role; this key is {principal.role.value}")


def role(*allowed: Role, action: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def dependency(principal: PrincipalDep) -> Principal:
        check_role(principal, allowed, action)
        return principal

    return dependency


ANY_ROLE = (Role.CREATOR, Role.AGENCY_ADMIN, Role.AUDITOR)
WRITERS = (Role.CREATOR, Role.AGENCY_ADMIN)  # may create and change renders
READERS_ALL = (Role.AGENCY_ADMIN, Role.AUDITOR)  # see every render of the tenant

CreatorDep = Annotated[Principal, Depends(role(*WRITERS, action="creating renders"))]
AdminDep = Annotated[Principal, Depends(role(Role.AGENCY_ADMIN, action="this"))]
AuditDep = Annotated[Principal, Depends(role(*READERS_ALL, action="audit queries"))]


async def visible_render(service: Service, principal: Principal, render_id: str) -> RenderRow:
    """The render when the caller may see it; anything else (another tenant's, another
    creator's, none) is the same 404."""
    row = await render_store.get_render(service.db, render_id)
    if row is None or row.tenant_id != principal.tenant:
        raise NotFound(f"no render {render_id}", field="id")
    if principal.role is Role.CREATOR and row.created_by != principal.key_id:
        raise NotFound(f"no render {render_id}", field="id")
    return row
