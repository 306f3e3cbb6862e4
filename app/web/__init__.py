"""The browser app served at `/`: server-rendered pages over the API's own handlers.

Pages call the same route functions the JSON API exposes under /v1 (with the signed-in key's
principal), so every rule (roles, tenant isolation, policy checks) lives in one place. See
`install` for what is mounted."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import Settings
from app.web import errors
from app.web.pages import environment
from app.web.routes import creator, media, renders, session
from app.web.security import SecurityHeaders
from app.web.session import SessionCodec, load_secret
from app.web.state import WebState

STATIC_DIR = Path(__file__).parent / "static"
ROUTERS = (session.router, renders.router, creator.router, media.router)


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the pages, /static, the page-aware error handlers and the security headers."""
    app.state.web = WebState(codec=SessionCodec(load_secret(settings)), templates=environment())
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
