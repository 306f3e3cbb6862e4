"""Fake OpenAI Videos API (provider-apis.md §7.6): multipart or JSON `POST /videos`,
`queued → in_progress → completed` with `openai-poll-after-ms`, bytes from `/content`
(404 before completion), failure `{status: failed, error}`."""

from __future__ import annotations

import json
import re
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from tests.fakes_http.server import Reply, Request, Task, VendorFake

MODELS = {"sora-2", "sora-2-pro"}
SIZES = {"720x1280", "1280x720", "1024x1792", "1792x1024"}


def form_fields(request: Request) -> dict[str, Any]:
    """The submitted fields, from multipart/form-data (files as bytes) or JSON."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        return dict(json.loads(request.body))
    if not kind.startswith("multipart/form-data"):
        return {}
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {kind}\r\n\r\n".encode() + request.body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        fields[str(name)] = payload if part.get_filename() else payload.decode()
    return fields


def openai_error(message: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error", "code": code}}


class SoraFake(VendorFake):
    def __init__(self, video: bytes, key: str = "sk-test-openai") -> None:
        super().__init__(video)
        self.key = key
        self.error: dict[str, str] | None = None
        self.done: set[str] = set()

    def route(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.key}":
            return Reply(401, openai_error("Incorrect API key provided", "invalid_api_key"))
        path = request.path.removeprefix("/v1")
        if path == "/videos" and request.method == "POST":
            return self.fault("submit") or self._submit(form_fields(request))
        if path == "/videos" and request.method == "GET":
            return Reply(200, {"object": "list", "data": []})
        one = re.fullmatch(r"/videos/([\w-]+)(/content)?", path)
        task = self.tasks.get(one.group(1)) if one else None
        if task is None:
            return Reply(404, openai_error("Video not found"))
        if request.method == "DELETE":
            self.cancelled.append(task.id)
            return Reply(200, {"id": task.id, "deleted": True, "object": "video.deleted"})
        if one and one.group(2):
            if task.id not in self.done or request.query.get("variant", "video") != "video":
                return Reply(404, openai_error("Video is not ready"))
            return self.fault("download") or Reply(200, self.video, {"Content-Type": "video/mp4"})
        step = task.next()
        if step["status"] == "completed":
            self.done.add(task.id)
        reply = Reply(200, step, {"openai-poll-after-ms": "2500"})
        return self.fault("status") or reply

    def _submit(self, fields: dict[str, Any]) -> Reply:
        if not fields.get("prompt"):
            return Reply(400, openai_error("prompt is required"))
        if fields.get("model", "sora-2") not in MODELS:
            return Reply(400, openai_error("invalid model"))
        if fields.get("seconds", "4") not in ("4", "8", "12"):
            return Reply(400, openai_error("seconds must be '4', '8' or '12'"))
        if fields.get("size", "720x1280") not in SIZES:
            return Reply(400, openai_error("invalid size"))
        vid = f"video_{len(self.tasks) + 1:08d}"
        base = {"id": vid, "object": "video", "model": fields.get("model", "sora-2"),
                "seconds": fields.get("seconds", "4"), "size": fields.get("size")}  # fmt: skip
        end: dict[str, Any] = {**base, "status": "completed", "progress": 100}
        if self.error:
            end = {**base, "status": "failed", "error": self.error}
        steps = [{**base, "status": "queued", "progress": 0},
                 {**base, "status": "in_progress", "progress": 50}, end]  # fmt: skip
        self.tasks[vid] = Task(vid, steps)
        return Reply(200, steps[0])
