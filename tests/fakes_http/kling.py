"""Fake Kling API (provider-apis.md §1): HS256 JWT auth checked like Kling does, string
durations, `submitted → processing → succeed{task_result.videos[].url}`, business codes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from typing import Any

from tests.fakes_http.server import Reply, Request, Task, VendorFake

MODELS = {"kling-v2-5-turbo", "kling-v2-1-master", "kling-v2-6", "kling-v1", "kling-v1-6"}


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def envelope(code: int, message: str, data: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": "req-1", "data": data}


class KlingFake(VendorFake):
    def __init__(self, video: bytes, access: str = "ak-test", secret: str = "sk-secret") -> None:
        super().__init__(video)
        self.access, self.secret = access, secret
        self.fail_reason = ""  # non-empty: tasks end `failed` with this task_status_msg

    def _auth(self, request: Request) -> Reply | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return Reply(401, envelope(1001, "Authorization is empty"))
        try:
            head, body, sig = header[7:].split(".")
            claims = json.loads(_unb64(body))
            good = hmac.new(self.secret.encode(), f"{head}.{body}".encode(), hashlib.sha256)
            signed = hmac.compare_digest(good.digest(), _unb64(sig))
        except (ValueError, binascii.Error):
            return Reply(401, envelope(1002, "Authorization is invalid"))
        if not signed or claims.get("iss") != self.access:
            return Reply(401, envelope(1002, "Authorization is invalid"))
        now = time.time()
        if claims.get("nbf", 0) > now:
            return Reply(401, envelope(1003, "Authorization is not yet valid"))
        if claims.get("exp", 0) < now:
            return Reply(401, envelope(1004, "Authorization has expired"))
        return None

    def route(self, request: Request) -> Reply:
        refused = self._auth(request)
        if refused is not None:
            return refused
        submit = re.fullmatch(r"/v1/videos/(text2video|image2video)", request.path)
        if submit and request.method == "POST":
            return self.fault("submit") or self._submit(submit.group(1), request.json())
        if submit and request.method == "GET":
            return Reply(200, envelope(0, "SUCCEED", []))
        query = re.fullmatch(r"/v1/videos/(text2video|image2video)/(\d+)", request.path)
        if query and request.method == "GET":
            return self.fault("status") or self._query(query.group(1), query.group(2))
        return Reply(404, envelope(1202, "invalid request method"))

    def _submit(self, family: str, body: Any) -> Reply:
        problem = _invalid(family, body)
        if problem:
            return Reply(400, envelope(1201, problem))
        tid = f"{860000000000 + len(self.tasks) + 1}"
        base = {"task_id": tid, "created_at": 1795348800000, "updated_at": 1795348800000}
        video = {"id": f"v{tid}", "url": self.file_url(tid), "duration": body["duration"]}
        end: dict[str, Any] = {"task_status": "succeed", "task_result": {"videos": [video]}}
        if self.fail_reason:
            end = {"task_status": "failed", "task_status_msg": self.fail_reason}
        steps = [{"task_status": "submitted"}, {"task_status": "processing"}, end]
        self.tasks[f"{family}/{tid}"] = Task(tid, [{**base, **s} for s in steps])
        return Reply(200, envelope(0, "SUCCEED", {**base, "task_status": "submitted"}))

    def _query(self, family: str, tid: str) -> Reply:
        task = self.tasks.get(f"{family}/{tid}")  # only the family it was submitted to
        if task is None:
            return Reply(404, envelope(1203, "task not found"))
        return Reply(200, envelope(0, "SUCCEED", task.next()))


def _invalid(family: str, body: Any) -> str:
    if not isinstance(body, dict):
        return "body must be a JSON object"
    if body.get("model_name", "kling-v1") not in MODELS:
        return "model_name is invalid"
    if body.get("duration", "5") not in ("5", "10"):
        return "duration must be the string '5' or '10'"
    if body.get("aspect_ratio", "16:9") not in ("16:9", "9:16", "1:1"):
        return "aspect_ratio is invalid"
    if family == "text2video" and not body.get("prompt"):
        return "prompt is required"
    image = body.get("image")
    if family == "image2video":
        if not isinstance(image, str) or image.startswith("data:"):
            return "image must be a URL or raw base64 without a data: prefix"
        try:
            base64.b64decode(image, validate=True)
        except binascii.Error:
            return "image is not valid base64"
    return ""
