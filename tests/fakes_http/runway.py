"""Fake Runway API (provider-apis.md §3.6): Bearer + X-Runway-Version, camelCase bodies,
`PENDING → THROTTLED → RUNNING{progress} → SUCCEEDED{output}` or `FAILED{failureCode}`."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from tests.fakes_http.server import Reply, Request, Task, VendorFake

VERSION = "2024-11-06"
T2V = {"gen4.5": {"1280:720", "720:1280"}}
I2V_RATIOS = {"1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"}
I2V = {"gen4.5": I2V_RATIOS, "gen4_turbo": I2V_RATIOS}


class RunwayFake(VendorFake):
    def __init__(self, video: bytes, key: str = "rw-secret-key") -> None:
        super().__init__(video)
        self.key = key
        self.failure: dict[str, Any] | None = None  # set to make the next task fail so

    def route(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.key}":
            return Reply(401, {"error": "Invalid API key"})
        if request.headers.get("x-runway-version") != VERSION:
            return Reply(400, {"error": "X-Runway-Version header is missing or invalid"})
        path, method = request.path, request.method
        if method == "POST" and path in ("/v1/text_to_video", "/v1/image_to_video"):
            return self.fault("submit") or self._submit(request, path.endswith("image_to_video"))
        task = re.fullmatch(r"/v1/tasks/([\w-]+)", path)
        if task and method == "GET":
            return self.fault("status") or self._status(task.group(1))
        if task and method == "DELETE":
            self.cancelled.append(task.group(1))
            return Reply(204)
        if path == "/v1/organization" and method == "GET":
            return Reply(200, {"creditBalance": 1234})
        return Reply(404, {"error": "Not found"})

    def _submit(self, request: Request, i2v: bool) -> Reply:
        body = request.json()
        problem = _invalid(body, I2V if i2v else T2V, i2v)
        if problem:
            return Reply(400, {"error": problem})
        tid = self.task_id(body)
        end = {"status": "SUCCEEDED", "output": [self.file_url(tid)]}
        if self.failure is not None:
            end = {"status": "FAILED", **self.failure}
        steps = [{"status": "PENDING"}, {"status": "THROTTLED"},
                 {"status": "RUNNING", "progress": 0.5}, end]  # fmt: skip
        self.tasks[tid] = Task(tid, [{"id": tid, "createdAt": "2026-11-22T12:00:00Z", **s}
                                     for s in steps])  # fmt: skip
        return Reply(200, {"id": tid})

    def task_id(self, body: dict[str, Any]) -> str:
        """The next task's id: numbered in the order submissions arrive."""
        return f"0f1e2d3c-0000-4000-8000-{len(self.tasks) + 1:012d}"

    def _status(self, tid: str) -> Reply:
        task = self.tasks.get(tid)
        if task is None:
            return Reply(404, {"error": "Task not found"})
        return Reply(200, task.next())


def _invalid(body: Any, models: dict[str, set[str]], i2v: bool) -> str:
    if not isinstance(body, dict):
        return "body must be a JSON object"
    if body.get("model") not in models:
        return f"model: invalid for this endpoint ({body.get('model')!r})"
    if body.get("ratio") not in models[body["model"]]:
        return f"ratio: invalid ({body.get('ratio')!r})"
    duration = body.get("duration")
    if not isinstance(duration, int) or not 2 <= duration <= 10:
        return "duration: must be an integer 2-10"
    text = body.get("promptText")
    if not i2v and (not isinstance(text, str) or not text or len(text) > 1000):
        return "promptText: required, 1-1000 characters"
    image = body.get("promptImage")
    if i2v and not (isinstance(image, str) and image.startswith(("data:image/", "https://"))):
        return "promptImage: must be an HTTPS URL or an image data URI"
    return ""


class PromptKeyedRunway(RunwayFake):
    """Runway whose task ids follow from what was asked (prompt, seed, model, ...), not from
    the order concurrent submissions arrive: two renders of the same script record the same
    provider job ids whatever order their scenes reached the vendor in."""

    def __init__(self, video: bytes, key: str = "rw-secret-key") -> None:
        super().__init__(video, key=key)
        self.seen: dict[str, int] = {}

    def task_id(self, body: dict[str, Any]) -> str:
        asked = json.dumps(body, sort_keys=True, separators=(",", ":"))
        repeat = self.seen[asked] = self.seen.get(asked, -1) + 1  # the same request again
        h = hashlib.sha256(f"{asked}#{repeat}".encode()).hexdigest()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"
