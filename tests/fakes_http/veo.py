"""Fake Gemini API for Veo (provider-apis.md §2.7): `x-goog-api-key` on every call including
the file download, which 302s to the bytes; operations walk `done:false` → `done:true` with
samples, an `error`, or zero samples after the safety filter."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes_http.server import Reply, Request, Task, VendorFake

DURATIONS = {"veo-2.0-generate-001": {5, 6, 8}}
DEFAULT_DURATIONS = {4, 6, 8}


def google_error(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


class VeoFake(VendorFake):
    def __init__(self, video: bytes, key: str = "AIza-test-key") -> None:
        super().__init__(video)
        self.key = key
        self.outcome = "ok"  # "ok" | "error" | "rai"
        self.storage_url = ""  # set: file downloads 302 to this other origin (like GCS)

    def route(self, request: Request) -> Reply:
        key = request.headers.get("x-goog-api-key")
        if key is None:
            return Reply(403, google_error(403, "PERMISSION_DENIED", "unregistered callers"))
        if key != self.key:
            message = "API key not valid. Please pass a valid API key."
            return Reply(400, google_error(400, "INVALID_ARGUMENT", message))
        path = request.path.removeprefix("/v1beta")
        submit = re.fullmatch(r"/models/([\w.-]+):predictLongRunning", path)
        if submit and request.method == "POST":
            return self.fault("submit") or self._submit(submit.group(1), request.json())
        if re.fullmatch(r"/models/[\w.-]+/operations/\w+", path) and request.method == "GET":
            return self.fault("status") or self._poll(path.lstrip("/"))
        file = re.fullmatch(r"/files/(\w+):download", path)
        if file and request.query.get("alt") == "media":
            return self.fault("file") or Reply(302, b"", {"Location": self._storage(file.group(1))})
        if path == "/models":
            return Reply(200, {"models": [{"name": "models/veo-3.1-generate-preview"}]})
        return Reply(404, google_error(404, "NOT_FOUND", f"{path} not found"))

    def _storage(self, fid: str) -> str:
        return f"{self.storage_url}/files/{fid}.mp4" if self.storage_url else self.file_url(fid)

    def _submit(self, model: str, body: Any) -> Reply:
        problem = _invalid(model, body)
        if problem:
            return Reply(400, google_error(400, "INVALID_ARGUMENT", problem))
        op_id = f"op{len(self.tasks) + 1:04d}"
        name = f"models/{model}/operations/{op_id}"
        self.tasks[name] = Task(name, [{"name": name, "done": False}] * 2 + [self._end(name)])
        return Reply(200, {"name": name, "done": False})

    def _end(self, name: str) -> dict[str, Any]:
        if self.outcome == "error":
            error = {"code": 3, "message": "The prompt could not be processed."}
            return {"name": name, "done": True, "error": error}
        fid = name.rsplit("/", 1)[-1]
        uri = f"{self.base_url}/v1beta/files/{fid}:download?alt=media"
        answer: dict[str, Any] = {"generatedSamples": [{"video": {"uri": uri}}]}
        if self.outcome == "rai":
            reasons = ["The video may violate our policies."]
            answer = {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": reasons}
        response = {"@type": "type.googleapis.com/google.ai.generativelanguage.v1beta."
                    "PredictLongRunningResponse", "generateVideoResponse": answer}  # fmt: skip
        return {"name": name, "done": True, "response": response}

    def _poll(self, name: str) -> Reply:
        task = self.tasks.get(name)
        if task is None:
            return Reply(404, google_error(404, "NOT_FOUND", "operation not found"))
        return Reply(200, task.next())


def _invalid(model: str, body: Any) -> str:
    try:
        instance = body["instances"][0]
        params = body["parameters"]
    except (KeyError, IndexError, TypeError):
        return "instances[0] and parameters are required"
    if not isinstance(instance.get("prompt"), str) or not instance["prompt"]:
        return "instances[0].prompt is required"
    image = instance.get("image")
    if image is not None and not {"bytesBase64Encoded", "mimeType"} <= set(image):
        return "image needs bytesBase64Encoded and mimeType (inline bytes only)"
    if params.get("durationSeconds") not in DURATIONS.get(model, DEFAULT_DURATIONS):
        return f"durationSeconds {params.get('durationSeconds')!r} not supported"
    if params.get("aspectRatio", "16:9") not in ("16:9", "9:16"):
        return "aspectRatio must be 16:9 or 9:16"
    resolution = params.get("resolution")
    if resolution is not None and model.startswith("veo-2"):
        return "resolution is not supported by this model"
    if resolution == "1080p" and params.get("durationSeconds") != 8:
        return "1080p requires durationSeconds 8"
    return ""
