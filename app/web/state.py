"""What the web app keeps per server: the session codec and the page templates."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from jinja2 import Environment

from app.web.session import SessionCodec


@dataclass
class WebState:
    codec: SessionCodec
    templates: Environment


def get_web(request: Request) -> WebState:
    web: WebState = request.app.state.web
    return web
