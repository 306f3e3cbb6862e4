"""A second loopback server that records what reaches it, and a fake wrapper whose replies name
it: every URL in a vendor's JSON reply that pointed at the vendor now points elsewhere."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from tests.fakes_http.server import Handler, Reply, Request

CREDENTIAL_HEADERS = frozenset({"authorization", "x-goog-api-key", "proxy-authorization"})


class Recorder:
    """Records every request; serves `video` on /files/ paths (a result host), else 404."""

    def __init__(self, video: bytes) -> None:
        self.video = video
        self.requests: list[Request] = []
        self._lock = threading.Lock()

    def handle(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
        if "/files/" in request.path:
            return Reply(200, self.video, {"Content-Type": "video/mp4"})
        return Reply(404, {"error": "not here"})

    def credentials_seen(self, *secrets: str) -> list[str]:
        """Every credential header, or secret value in any header, that reached us."""
        seen = []
        for request in self.requests:
            for name, value in request.headers.items():
                if name in CREDENTIAL_HEADERS or any(s and s in value for s in secrets):
                    seen.append(f"{request.method} {request.path}: {name}")
        return seen


def _rewrite(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new + value[len(old) :] if value.startswith(old) else value
    if isinstance(value, dict):
        return {k: _rewrite(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, old, new) for v in value]
    return value


class PointingElsewhere:
    """Serves `fake`, but every URL its replies name on its own origin points at `elsewhere`.
    Set `own` and `elsewhere` once both servers run."""

    def __init__(self, fake: Handler) -> None:
        self.fake, self.own, self.elsewhere = fake, "", ""

    def handle(self, request: Request) -> Reply:
        reply = self.fake.handle(request)
        if isinstance(reply.body, bytes):
            return reply
        return replace(reply, body=_rewrite(reply.body, self.own, self.elsewhere))
