"""Fake fal.ai queue serving Pika 2.2 (provider-apis.md §5.6): `Authorization: Key …`,
status/response URLs without the model sub-path, COMPLETED-with-error, 422 validation."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes_http.server import Reply, Request, Task, VendorFake

ASPECTS = {"16:9", "9:16", "1:1", "4:5", "5:4", "3:2", "2:3"}


def detail(loc: str, msg: str, kind: str) -> dict[str, Any]:
    return {"detail": [{"loc": ["body", loc], "msg": msg, "type": kind}]}


class PikaFake(VendorFake):
    def __init__(self, video: bytes, key: str = "fal-id:fal-secret") -> None:
        super().__init__(video)
        self.key = key
        self.error: dict[str, str] | None = None  # COMPLETED carries this error when set

    def route(self, request: Request) -> Reply:
        header = request.headers.get("authorization", "")
        if not header.startswith("Key "):
            return Reply(401, {"detail": "Missing or invalid authorization scheme"})
        if header != f"Key {self.key}":
            return Reply(403, {"detail": "Invalid key"})
        if request.path == "/fal-ai/pika/v2.2/text-to-video" and request.method == "POST":
            return self.fault("submit") or self._submit(request.json())
        one = re.fullmatch(r"/fal-ai/pika/requests/([\w-]+)(/status|/cancel)?", request.path)
        task = self.tasks.get(one.group(1)) if one else None
        if one is None or task is None:
            return Reply(404, {"detail": "Request not found"})
        if one.group(2) == "/status":
            return self.fault("status") or Reply(200, task.next())
        if one.group(2) == "/cancel" and request.method == "PUT":
            self.cancelled.append(task.id)
            return Reply(202, {"status": "CANCELLATION_REQUESTED"})
        video = {"url": self.file_url(task.id), "content_type": "video/mp4"}
        return self.fault("result") or Reply(200, {"video": video})

    def _submit(self, body: Any) -> Reply:
        if not isinstance(body, dict) or not body.get("prompt"):
            return Reply(422, detail("prompt", "field required", "missing"))
        if body.get("duration", 5) not in (5, 10):
            return Reply(422, detail("duration", "must be 5 or 10", "enum"))
        if body.get("aspect_ratio", "16:9") not in ASPECTS:
            return Reply(422, detail("aspect_ratio", "invalid", "enum"))
        if body.get("resolution", "720p") not in ("720p", "1080p"):
            return Reply(422, detail("resolution", "invalid", "enum"))
        rid = f"a1b2c3d4-0000-4000-8000-{len(self.tasks) + 1:012d}"
        end: dict[str, Any] = {"status": "COMPLETED", "logs": [], "metrics": {}}
        if self.error:
            end = {**end, **self.error}
        steps = [{"status": "IN_QUEUE", "queue_position": 0}, {"status": "IN_PROGRESS"}, end]
        self.tasks[rid] = Task(rid, steps)
        base = f"{self.base_url}/fal-ai/pika/requests/{rid}"
        return Reply(200, {"request_id": rid, "status_url": f"{base}/status",
                           "response_url": base, "cancel_url": f"{base}/cancel"})  # fmt: skip
