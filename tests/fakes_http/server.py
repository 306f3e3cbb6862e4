"""A real HTTP server on 127.0.0.1 for fake vendors: stdlib `http.server` in a thread.

A fake vendor is any object with `handle(Request) -> Reply`. `VendorFake` adds what every fake
needs: a record of requests, queued misbehaviour per route (`fail("submit", Reply(429, ...))`),
task state walks, and a file route serving a real MP4 (which can expire or be truncated).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list → JSON; bytes → as is
    headers: dict[str, str] = field(default_factory=dict)
    hang_s: float = 0.0  # sleep before answering (a server that hangs past our timeout)
    truncate_to: int | None = None  # send only this many body bytes, announcing all of them
    drip_s: float = 0.0  # send the body one byte at a time, this many seconds apart
    drop: bool = False  # close the connection without answering (the request was received)


class Handler(Protocol):
    def handle(self, request: Request) -> Reply: ...


def _make_handler(app: Handler) -> type[BaseHTTPRequestHandler]:
    class _H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = Request(
                self.command, parts.path, dict(parse_qsl(parts.query)),
                {k.lower(): v for k, v in self.headers.items()}, body,
            )  # fmt: skip
            reply = app.handle(request)
            if reply.drop:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if reply.hang_s:
                time.sleep(reply.hang_s)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._write(reply)  # the client may have given up on a hanging reply

        def _write(self, reply: Reply) -> None:
            payload = reply.body
            headers = dict(reply.headers)
            if not isinstance(payload, bytes):
                payload = b"" if payload is None else json.dumps(payload).encode()
                headers.setdefault("Content-Type", "application/json")
            self.send_response(reply.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            if reply.truncate_to is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
                payload = payload[: reply.truncate_to]
            self.end_headers()
            if reply.drip_s:
                self._drip(payload, reply.drip_s)
                return
            self.wfile.write(payload)
            self.wfile.flush()

        def _drip(self, payload: bytes, every_s: float) -> None:
            for i in range(len(payload)):
                self.wfile.write(payload[i : i + 1])
                self.wfile.flush()
                time.sleep(every_s)

        do_GET = do_POST = do_DELETE = do_PUT = _serve

    return _H


@contextmanager
def serve(app: Handler) -> Iterator[str]:
    """Run `app` on a free loopback port; yields its base URL (`http://127.0.0.1:<port>`)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(app))
    server.daemon_threads = True  # a hanging handler must not block shutdown
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Task:
    id: str
    steps: list[dict[str, Any]]  # what each poll shows, the last one repeats
    polls: int = 0

    def next(self) -> dict[str, Any]:
        step = self.steps[min(self.polls, len(self.steps) - 1)]
        self.polls += 1
        return step


class VendorFake:
    """Shared machinery; subclasses implement `route` with the vendor's endpoints."""

    def __init__(self, video: bytes) -> None:
        self.video = video
        self.base_url = ""
        self.requests: list[Request] = []
        self.faults: dict[str, list[Reply]] = {}
        self.tasks: dict[str, Task] = {}
        self.cancelled: list[str] = []
        self._lock = threading.Lock()

    def fail(self, route: str, *replies: Reply) -> None:
        """Queue misbehaviour: the next calls to `route` get these replies, in order."""
        self.faults.setdefault(route, []).extend(replies)

    def fault(self, route: str) -> Reply | None:
        queue = self.faults.get(route)
        return queue.pop(0) if queue else None

    def handle(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            if request.path.startswith("/files/"):
                return self.fault("download") or Reply(
                    200, self.video, {"Content-Type": "video/mp4"}
                )
            return self.route(request)

    def route(self, request: Request) -> Reply:
        raise NotImplementedError

    def file_url(self, task_id: str) -> str:
        return f"{self.base_url}/files/{task_id}.mp4"

    def new_id(self) -> str:
        return f"task-{len(self.tasks) + 1:04d}"
