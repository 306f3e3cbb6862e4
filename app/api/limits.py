"""Request bodies over their cap are refused with a 413 before they are read whole."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """Pure ASGI middleware: `upload_paths` get `upload_cap`, everything else `cap`."""

    def __init__(
        self, app: ASGIApp, *, cap: int, upload_cap: int, upload_paths: tuple[str, ...]
    ) -> None:
        self.app, self.cap, self.upload_cap, self.upload_paths = app, cap, upload_cap, upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.upload_cap if scope["path"] in self.upload_paths else self.cap
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            await _too_large(send, cap)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise _Overflow
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked_send)
        except _Overflow:
            if not started:
                await _too_large(send, cap)


class _Overflow(Exception):
    """A streamed body passed its cap."""


async def _too_large(send: Send, cap: int) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "limit_exceeded",
                "field": None,
                "message": f"the request body is over the {cap}-byte limit",
            }
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})
