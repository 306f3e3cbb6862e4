"""Fake MiniMax v1 API (provider-apis.md §6.7): errors as HTTP 200 with a non-zero
`base_resp.status_code`; `Preparing → Queueing → Processing → Success{file_id}`; the download
URL comes from `files/retrieve`. The v2 API (§6.4) serves MiniMax-H3 only:
`content[]`, `ratio`, and `{task:{status, content.url, error}}` polls."""

from __future__ import annotations

from typing import Any

from tests.fakes_http.server import Reply, Request, Task, VendorFake

MODELS = {"MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast", "MiniMax-Hailuo-02"}
V2_MODELS = {"MiniMax-H3"}
V2_RATIOS = {"adaptive", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16"}


def base_resp(code: int = 0, msg: str = "success") -> dict[str, Any]:
    return {"base_resp": {"status_code": code, "status_msg": msg}}


class HailuoFake(VendorFake):
    def __init__(self, video: bytes, key: str = "mm-test-key") -> None:
        super().__init__(video)
        self.key = key
        self.fail_code = 0  # non-zero: tasks end `Fail` with this base_resp code

    def route(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.key}":
            return Reply(200, {**base_resp(2049, "invalid api key")})  # an error inside a 200
        if request.path == "/v1/video_generation" and request.method == "POST":
            return self.fault("submit") or self._submit(request.json())
        if request.path == "/v2/video_generation" and request.method == "POST":
            return self.fault("submit") or self._submit_v2(request.json())
        if request.path.startswith("/v2/query/video_generation/"):
            task = self.tasks.get(request.path.rsplit("/", 1)[-1])
            if task is None:
                return Reply(404, {"error": {"code": "NotFound", "message": "task not found"}})
            return self.fault("status") or Reply(200, {"task": task.next()})
        if request.path == "/v1/query/video_generation":
            task = self.tasks.get(request.query.get("task_id", ""))
            if task is None:
                return Reply(200, base_resp(2013, "task not found"))
            return self.fault("status") or Reply(200, task.next())
        if request.path == "/v1/files/retrieve":
            fid = request.query.get("file_id", "")
            file = {"file_id": int(fid), "purpose": "video_generation", "filename": "out.mp4",
                    "download_url": self.file_url(fid)}  # fmt: skip
            return self.fault("file") or Reply(200, {"file": file, **base_resp()})
        return Reply(404, b"404 page not found")

    def _submit(self, body: Any) -> Reply:
        if not isinstance(body, dict) or body.get("model") not in MODELS:
            return Reply(200, base_resp(2013, "invalid params: model"))
        if body.get("duration", 6) not in (6, 10):
            return Reply(200, base_resp(2013, "invalid params: duration"))
        if body.get("resolution", "768P") == "1080P" and body.get("duration") == 10:
            return Reply(200, base_resp(2013, "invalid params: 1080P needs 6 s"))
        image = body.get("first_frame_image")
        if body["model"].endswith("-Fast") and not image:
            return Reply(200, base_resp(2013, "invalid params: first_frame_image required"))
        if image is not None and not str(image).startswith(("data:image/", "https://")):
            return Reply(200, base_resp(2013, "invalid params: first_frame_image"))
        tid = f"{1060000 + len(self.tasks) + 1}"
        end: dict[str, Any] = {"status": "Success", "file_id": f"{9900 + len(self.tasks)}",
                               "video_width": 64, "video_height": 36, **base_resp()}  # fmt: skip
        if self.fail_code:
            end = {"status": "Fail", **base_resp(self.fail_code, "output video sensitive")}
        steps = [{"status": s, **base_resp()} for s in ("Preparing", "Queueing", "Processing")]
        self.tasks[tid] = Task(tid, [{"task_id": tid, **s} for s in [*steps, end]])
        return Reply(200, {"task_id": tid, **base_resp()})

    def _submit_v2(self, body: Any) -> Reply:
        problem = _invalid_v2(body)
        if problem:
            return Reply(400, {"error": {"code": "InvalidParameter", "message": problem}})
        tid = f"{2060000 + len(self.tasks) + 1}"
        end = {"status": "succeeded", "content": {"url": self.file_url(tid)}}
        steps = [{"status": "queued"}, {"status": "running"}, end]
        self.tasks[tid] = Task(tid, [{"id": tid, "model": body["model"], **s} for s in steps])
        return Reply(200, {"task_id": tid})


def _invalid_v2(body: Any) -> str:
    if not isinstance(body, dict) or body.get("model") not in V2_MODELS:
        return "model is not served by v2"
    content = body.get("content")
    if not isinstance(content, list) or not any(c.get("type") == "text" for c in content):
        return "content needs a text item"
    if not isinstance(body.get("duration"), int) or not 4 <= body["duration"] <= 15:
        return "duration must be 4-15"
    if body.get("resolution") not in ("768P", "2K") or body.get("ratio", "16:9") not in V2_RATIOS:
        return "resolution or ratio invalid"
    return ""
