"""Who is signed in, what their role may open, and the CSRF check on every state change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.api.deps import get_service
from app.store.keys import Principal, Role, authenticate
from app.web.session import CSRF_FIELD, CSRF_HEADER, PRE_COOKIE, SESSION_COOKIE
from app.web.state import WebState, get_web


@dataclass(frozen=True)
class WebUser:
    principal: Principal
    csrf: str  # the token forms and fetches send back


class SignInRequired(Exception):
    """No valid session: pages redirect to sign-in, other requests get a 401."""


class WrongRole(Exception):
    """A signed-in user opened a page of another role."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        super().__init__("this page is for " + " or ".join(r.value for r in roles))
        self.roles = roles


class CsrfRejected(Exception):
    """A state-changing request without the token of its session."""


async def current_user(request: Request) -> WebUser | None:
    """The signed-in user, or None (no cookie, an expired or forged one, a revoked key)."""
    web = get_web(request)
    session = web.codec.open(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    principal = await authenticate(get_service(request).db, session.api_key)
    if principal is None:
        return None
    return WebUser(principal, web.codec.csrf_token(session.nonce))


async def signed_in(request: Request) -> WebUser:
    user = await current_user(request)
    if user is None:
        raise SignInRequired()
    return user


SignedInDep = Annotated[WebUser, Depends(signed_in)]


def page_for(*roles: Role) -> Callable[[Request], Awaitable[WebUser]]:
    """A dependency: the signed-in user when their role may open the page."""

    async def dependency(request: Request) -> WebUser:
        user = await signed_in(request)
        if user.principal.role not in roles:
            raise WrongRole(roles)
        return user

    return dependency


async def submitted_token(request: Request) -> str | None:
    """The CSRF token of a request: the `X-CSRF-Token` header (fetches) or the form field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_csrf(request: Request, user: WebUser) -> None:
    if (await submitted_token(request)) != user.csrf:
        raise CsrfRejected()


async def check_pre_csrf(request: Request, web: WebState) -> None:
    """The sign-in form's check: its token must match the browser's `rr_pre` nonce."""
    if not web.codec.csrf_valid(request.cookies.get(PRE_COOKIE), await submitted_token(request)):
        raise CsrfRejected()


def acting(*roles: Role) -> Callable[[Request], Awaitable[WebUser]]:
    """A dependency for state-changing requests: signed in, allowed, and CSRF-checked."""
    allowed = page_for(*roles)

    async def dependency(request: Request) -> WebUser:
        user = await allowed(request)
        await check_csrf(request, user)
        return user

    return dependency
