"""Errors on web paths become pages; on API paths they keep the API's JSON shape.

The API's handlers (app.api.errors) stay the only mapping for /v1; this module wraps them so a
browser that meets a missing render, a wrong role or an expired session sees a page with a way
on, in the same status the API would give (another tenant's render is a 404 here too)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.errors import ApiError
from app.errors import ReelrouteError
from app.web.auth import CsrfRejected, SignInRequired, WrongRole, current_user
from app.web.pages import render
from app.web.security import is_web_path

Handler = Callable[[Request, Exception], Awaitable[Response]]
TITLES = {
    400: "Bad request",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Not possible now",
    413: "Too large",
    422: "Check the form",
    429: "Too many at once",
}


async def error_page(request: Request, status: int, message: str) -> Response:
    user = await current_user(request)
    title = TITLES.get(status, "Something went wrong")
    return render(request, "error.html", user, status, title=title, message=message)


def _message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, ReelrouteError | ApiError):
        return exc.http_status, exc.message
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return 404, "There is no page at this address."
        return exc.status_code, str(exc.detail)
    if isinstance(exc, RequestValidationError):
        fields = ", ".join(str(e.get("loc", ("",))[-1]) for e in exc.errors()[:5])
        return 422, f"The form is missing or has an invalid value: {fields}."
    return 500, "Something went wrong."


def _for_web(api_handler: Handler | None) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        if not is_web_path(request.url.path) and api_handler is not None:
            return await api_handler(request, exc)
        status, message = _message(exc)
        return await error_page(request, status, message)

    return handler


async def _sign_in_required(request: Request, _exc: Exception) -> Response:
    if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)
    return await error_page(request, 401, "Your session has ended. Sign in again.")


async def _wrong_role(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WrongRole)
    return await error_page(request, 403, f"This page is not part of your role: {exc}.")


async def _csrf(request: Request, _exc: Exception) -> Response:
    return await error_page(
        request, 403, "This form has expired or did not come from this site. Reload and retry."
    )


def install(app: FastAPI) -> None:
    """Wrap the API's handlers (installed first) so web paths get pages."""
    for exc_type in (ReelrouteError, ApiError, RequestValidationError, StarletteHTTPException):
        api_handler = cast(Handler | None, app.exception_handlers.get(exc_type))
        app.add_exception_handler(exc_type, _for_web(api_handler))
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(WrongRole, _wrong_role)
    app.add_exception_handler(CsrfRejected, _csrf)
