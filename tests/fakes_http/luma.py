"""Fake Luma Dream Machine v1 API (provider-apis.md §4.7)."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes_http.server import Reply, Request, Task, VendorFake

MODELS = {"ray-1-6", "ray-2", "ray-flash-2"}
ASPECTS = {"1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21"}


class LumaFake(VendorFake):
    def __init__(self, video: bytes, key: str = "luma-test-key") -> None:
        super().__init__(video)
        self.key = key
        self.failure_reason = ""

    def route(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.key}":
            return Reply(401, {"detail": "Invalid API key is provided"})
        path = request.path.removeprefix("/dream-machine/v1")
        if path == "/generations/video" and request.method == "POST":
            return self.fault("submit") or self._submit(request.json())
        one = re.fullmatch(r"/generations/([\w-]+)", path)
        if one and request.method == "GET":
            task = self.tasks.get(one.group(1))
            found = Reply(200, task.next()) if task else Reply(404, {"detail": "Not found"})
            return self.fault("status") or found
        if one and request.method == "DELETE":
            self.cancelled.append(one.group(1))
            return Reply(204)
        if path == "/credits":
            return Reply(200, {"credit_balance": 4200})
        return Reply(404, {"detail": "Not found"})

    def _submit(self, body: Any) -> Reply:
        if not isinstance(body, dict) or body.get("model") not in MODELS:
            return Reply(400, {"detail": "model is required and must be a known model"})
        if body.get("aspect_ratio", "16:9") not in ASPECTS:
            return Reply(400, {"detail": "invalid aspect_ratio"})
        if not re.fullmatch(r"\d+s", str(body.get("duration", "5s"))):
            return Reply(400, {"detail": "duration must look like '5s'"})
        gid = f"7c9e6679-7425-40de-944b-e07fc1f9{len(self.tasks) + 1:04d}"
        base = {"id": gid, "generation_type": "video", "model": body["model"], "request": body,
                "assets": None, "failure_reason": None}  # fmt: skip
        end: dict[str, Any] = {**base, "state": "completed",
                               "assets": {"video": self.file_url(gid)}}  # fmt: skip
        if self.failure_reason:
            end = {**base, "state": "failed", "failure_reason": self.failure_reason}
        steps = [{**base, "state": "queued"}, {**base, "state": "dreaming"}, end]
        self.tasks[gid] = Task(gid, steps)
        return Reply(201, {**base, "state": "queued"})
