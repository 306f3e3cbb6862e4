"""Fake BytePlus ModelArk video tasks (provider-apis.md §8.6)."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes_http.server import Reply, Request, Task, VendorFake

T2V = {"seedance-1-0-pro-250528", "seedance-1-0-lite-t2v-250428", "seedance-1-5-pro-251215"}
I2V = {"seedance-1-0-pro-250528", "seedance-1-0-lite-i2v-250428", "seedance-1-5-pro-251215"}


def ark_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class SeedanceFake(VendorFake):
    def __init__(self, video: bytes, key: str = "ark-test-key") -> None:
        super().__init__(video)
        self.key = key
        self.error: dict[str, Any] | None = None  # tasks fail with this error when set

    def route(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.key}":
            return Reply(401, ark_error("AuthenticationError", "the API key is invalid"))
        path = request.path.removeprefix("/api/v3")
        if path == "/contents/generations/tasks" and request.method == "POST":
            return self.fault("submit") or self._submit(request.json())
        if path == "/contents/generations/tasks" and request.method == "GET":
            return Reply(200, {"items": [], "total": 0})
        one = re.fullmatch(r"/contents/generations/tasks/([\w-]+)", path)
        task = self.tasks.get(one.group(1)) if one else None
        if task is None:
            return Reply(404, ark_error("InvalidEndpoint.NotFound", "not found"))
        if request.method == "DELETE":
            self.cancelled.append(task.id)
            return Reply(200, {})
        return self.fault("status") or Reply(200, task.next())

    def _submit(self, body: Any) -> Reply:
        content = body.get("content") if isinstance(body, dict) else None
        if not isinstance(content, list) or not content:
            return Reply(400, ark_error("MissingParameter", "content is required"))
        has_image = any(c.get("type") == "image_url" for c in content)
        if body.get("model") not in (I2V if has_image else T2V):
            return Reply(400, ark_error("InvalidParameter", "model does not support this input"))
        if not isinstance(body.get("duration"), int) or not 2 <= body["duration"] <= 12:
            return Reply(400, ark_error("InvalidParameter", "duration"))
        if body.get("ratio") not in ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"):
            return Reply(400, ark_error("InvalidParameter", "ratio"))
        tid = f"cgt-20261122-{len(self.tasks) + 1:04d}"
        base = {"id": tid, "model": body["model"], "error": None}
        end: dict[str, Any] = {**base, "status": "succeeded",
                               "content": {"video_url": self.file_url(tid)},
                               "usage": {"completion_tokens": 108900}}  # fmt: skip
        if self.error:
            end = {**base, "status": "failed", "error": self.error}
        steps = [{**base, "status": "queued"}, {**base, "status": "running"}, end]
        self.tasks[tid] = Task(tid, steps)
        return Reply(200, {"id": tid})
