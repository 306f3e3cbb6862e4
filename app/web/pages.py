"""Rendering a page: the templates, the header's navigation, the CSRF token and cookies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.web.auth import WebUser
from app.web.nav import ROLE_LABELS, nav_for
from app.web.session import PRE_COOKIE, SESSION_TTL_S, new_nonce
from app.web.state import get_web


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("app.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["usd"] = usd
    env.filters["when"] = when
    env.filters["seconds"] = seconds
    return env


def usd(value: float | None) -> str:
    if value is None:
        return "—"
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:,.4f}"


def when(value: str | datetime | None) -> str:
    """An ISO time as '4 Dec 2026, 14:03 UTC'."""
    if value is None:
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.strftime("%-d %b %Y, %H:%M UTC")


def seconds(value: float | None) -> str:
    """A duration as 'm:ss' (or '12.3 s' under a minute)."""
    if value is None:
        return "—"
    if value < 60:
        return f"{value:.1f} s"
    whole = round(value)
    return f"{whole // 60}:{whole % 60:02d}"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def render(
    request: Request,
    template: str,
    user: WebUser | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page, with the navigation of the user's role and a CSRF token for its forms (before
    sign-in: a token for a fresh `rr_pre` nonce cookie)."""
    web = get_web(request)
    pre_nonce = None
    if user is not None:
        csrf = user.csrf
    else:
        pre_nonce = request.cookies.get(PRE_COOKIE) or new_nonce()
        csrf = web.codec.csrf_token(pre_nonce)
    html = web.templates.get_template(template).render(
        user=user,
        nav=nav_for(user.principal.role) if user else [],
        role_label=ROLE_LABELS[user.principal.role] if user else "",
        csrf=csrf,
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    if pre_nonce is not None and request.cookies.get(PRE_COOKIE) != pre_nonce:
        set_cookie(request, response, PRE_COOKIE, pre_nonce, SESSION_TTL_S)
    return response
