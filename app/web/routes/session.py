"""Sign in with an API key, sign out, and the home page of each role."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from app.api.deps import get_service
from app.store.keys import authenticate
from app.web.auth import SignedInDep, check_csrf, check_pre_csrf, current_user
from app.web.nav import nav_for
from app.web.pages import render, set_cookie
from app.web.session import PRE_COOKIE, SESSION_COOKIE, SESSION_TTL_S
from app.web.state import get_web

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site may be the next page: no scheme, no host, no `//evil`, and no
    backslash or control character (browsers read `/\\evil` as `//evil`)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    if await current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "sign_in.html", None, next=safe_next(next), error=None)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    api_key: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    web = get_web(request)
    await check_pre_csrf(request, web)
    principal = await authenticate(get_service(request).db, api_key.strip())
    if principal is None:
        error = (
            "Enter an API key." if not api_key.strip() else "That API key is unknown or revoked."
        )
        return render(request, "sign_in.html", None, 401, next=safe_next(next), error=error)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, web.codec.seal(api_key.strip()), SESSION_TTL_S)
    response.delete_cookie(PRE_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, user: SignedInDep) -> Response:
    await check_csrf(request, user)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/")
async def home(request: Request, user: SignedInDep) -> Response:
    return render(request, "home.html", user, sections=nav_for(user.principal.role))
