"""Response headers for every web page: a strict Content-Security-Policy (nothing from outside
the server, no inline script or style; media also from the page's own MediaSource, a blob:
URL), no framing, no sniffing, no referrer leaks.

The API under /v1 and its interactive docs keep their own headers (Swagger UI loads its assets
from a CDN, which this policy would block)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "media-src 'self' blob:",  # the draft player's MediaSource is a blob: URL
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
# The JSON API and the operators' probes answer as the API does, whatever the web app does.
API_PREFIXES = ("/v1/", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz", "/metrics")


def is_web_path(path: str) -> bool:
    return not (path == "/v1" or path.startswith(API_PREFIXES))


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_web_path(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
