"""Every error leaves the API in one shape, mapped here and nowhere else:
`{"error": {"code", "message", "field"}}` with the status from `ReelrouteError.http_status`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match

from app.errors import LimitExceeded, ReelrouteError


class ApiError(Exception):
    """Errors only the HTTP surface raises (authentication, state and replay conflicts). The
    CLI can never meet them, so they stand beside the app's `ReelrouteError` tree (whose every
    code the CLI knows) and are mapped by the same handler, in the same shape."""

    code: str = "api_error"
    http_status: int = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Unauthorized(ApiError):
    code = "unauthorized"
    http_status = 401


class InvalidState(ApiError):
    """The render is not in a state that allows this (approve twice, edit after approval)."""

    code = "invalid_state"
    http_status = 409


class DraftReplaced(ApiError):
    """A final render's draft was deleted once its outputs were stored."""

    code = "draft_replaced"
    http_status = 410


class IdempotencyConflict(ApiError):
    """An Idempotency-Key reused with a different body."""

    code = "idempotency_conflict"
    http_status = 409


class InputTooLarge(LimitExceeded):
    """A count over its cap inside a well-formed body (words, scenes, aspects)."""

    http_status = 422


class TooManyInFlight(LimitExceeded):
    """The tenant already has its allowance of renders in flight."""

    http_status = 429


class ErrorDetail(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["no render rnd_4f1c2a9e8b7d6c5a"])
    field: str | None = Field(default=None, examples=[None])


class ErrorBody(BaseModel):
    error: ErrorDetail


def _body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    413: "limit_exceeded",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "invalid_input",
    429: "limit_exceeded",
}


def _validation_field(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


async def _reelroute(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ReelrouteError | ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
    return JSONResponse(
        _body(exc.code, exc.message, exc.field), status_code=exc.http_status, headers=headers
    )


async def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    field = _validation_field(tuple(first.get("loc", ())))
    message = "; ".join(
        f"{_validation_field(tuple(e.get('loc', ()))) or 'body'}: {e.get('msg')}"
        for e in exc.errors()[:5]
    )
    return JSONResponse(_body("invalid_input", message, field), status_code=422)


def _allowed_methods(request: Request) -> str:
    """Every method the path supports, across the routes that share it (GET and POST of one
    path are two routes, and Starlette's own `Allow` names only one)."""
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, BaseRoute) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return JSONResponse(_body(code, str(exc.detail)), status_code=exc.status_code, headers=headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ReelrouteError, _reelroute)
    app.add_exception_handler(ApiError, _reelroute)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries in the one error shape for the given statuses."""
    every = sorted({400, *statuses})  # 400: a body that cannot be parsed at all
    return {s: {"model": ErrorBody, "description": _STATUS_CODES.get(s, "error")} for s in every}
