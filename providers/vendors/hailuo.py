"""MiniMax Hailuo v1 API (provider-apis.md §6).

Submit `POST v1/video_generation` → `{task_id}`; poll `GET v1/query/video_generation?task_id=`
(`status` ∈ Preparing, Queueing, Processing, Success{file_id}, Fail); then the result takes a
second call, `GET v1/files/retrieve?file_id=` → `file.download_url`, a plain GET. MiniMax
reports errors inside HTTP 200 as `base_resp.status_code != 0`, mapped by `_CODES`.

v1 has no aspect field: the output follows the first frame. So a 16:9 scene without an image
is plain text-to-video, a scene with an image sends it centre-cropped to the scene's aspect, and
any other aspect without an image is refused before the call (CapabilityNotSupported). No cancel
endpoint is documented; an abandoned task runs out on MiniMax's side.

Hailuo 03 (`MiniMax-H3`) is served only by the v2 API (§6.4), so that model goes there: submit
`POST v2/video_generation` `{model, content:[text, image_url?], resolution, duration, ratio}` →
`{task_id}`; poll `GET v2/query/video_generation/{task_id}` → `{task:{status ∈ queued, running,
succeeded, failed, cancelled; content.url; error{code, message}}}`; the URL is a plain GET.
Field shapes follow the digest's v2 notes and a gateway implementing it [M8][M4] (secondary);
that v2's `image_url` takes a data URL like v1's first frame is UNCONFIRMED.
"""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from providers.errors import (
    AuthError,
    CapabilityNotSupported,
    ConfigurationError,
    ContentRejected,
    GenerationFailed,
    InvalidResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    RequestRejected,
)
from providers.media import RenderError, run_ffmpeg
from providers.settings import HailuoSettings
from providers.types import Aspect, Clip, ProgressCallback
from providers.vendors.http_adapter import HttpAdapter, Job, data_url
from providers.vendors.polling import Engine, PollStatus
from providers.vendors.status import vendor_detail

PID = "hailuo"
V1, V2 = "v1", "v2"
_SURFACES = {"MiniMax-Hailuo-2.3": V1, "MiniMax-Hailuo-2.3-Fast": V1, "MiniMax-Hailuo-02": V1,
             "MiniMax-H3": V2}  # fmt: skip
_WAITING = {"Preparing": 0.05, "Queueing": 0.1, "Processing": 0.5}
_WAITING_V2 = {"queued": 0.05, "running": 0.5}

# base_resp.status_code (§6.5) → our errors; 1026/1027 are input/output moderation.
_CODES: dict[int, type[ProviderError]] = {
    1000: ProviderUnavailable, 1001: ProviderUnavailable, 1002: RateLimited,
    1004: AuthError, 2049: AuthError, 1008: ConfigurationError, 2038: ConfigurationError,
    1026: ContentRejected, 1027: ContentRejected, 2013: RequestRejected,
}  # fmt: skip


class HailuoProvider(HttpAdapter):
    provider_id = PID
    settings_type = HailuoSettings
    default_interval_s = 10.0

    def _refine(self, status: int, body: Any, what: str) -> ProviderError | None:
        base = body.get("base_resp") if isinstance(body, dict) else None
        code = base.get("status_code", 0) if isinstance(base, dict) else 0
        if not isinstance(code, int) or code == 0:
            return None
        text = f"hailuo: {what} refused (code {code}): {base.get('status_msg', '')}"  # type: ignore[union-attr]
        cls = _CODES.get(code, GenerationFailed)
        if cls is ContentRejected:
            return ContentRejected(text, provider_id=PID, code=str(code))
        return cls(text, provider_id=PID)

    def surface(self, model: str) -> str:
        """v1 or v2: MiniMax serves each model on one API version only."""
        try:
            return _SURFACES[model]
        except KeyError:
            raise CapabilityNotSupported(
                f"hailuo: {model} is on no API version this adapter knows", provider_id=PID
            ) from None

    async def _run(
        self, engine: Engine, job: Job, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        if self.surface(job.model.id) == V2:
            return await self._run_v2(engine, job, dest, progress)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".hailuo-", dir=dest.parent) as work:
            body = await self._body(job, Path(work))
        reply = await engine.call("POST", "v1/video_generation", "submit", json_body=body)
        task_id = str((reply.body or {}).get("task_id") or "")
        if not task_id:
            raise InvalidResponse("hailuo: submit answer lacks task_id", provider_id=PID)

        async def check() -> PollStatus:
            got = await engine.call(
                "GET", "v1/query/video_generation", "status", params={"task_id": task_id}
            )
            return _status(got.body, task_id)

        done = await engine.poll(check, job_id=task_id, progress=progress)
        got = await engine.call("GET", "v1/files/retrieve", "file", params={"file_id": done.result})
        url = ((got.body or {}).get("file") or {}).get("download_url")
        if not isinstance(url, str) or not url:
            raise InvalidResponse(
                f"hailuo: file {done.result} has no download_url", provider_id=PID
            )
        return await self._fetch(engine, job, url, dest, task_id, progress)

    async def _body(self, job: Job, work: Path) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": job.model.id,
            "prompt": job.request.prompt[:2000],
            "duration": job.seconds,
            "resolution": "768P",  # every v1 Hailuo model takes it; 1080P only at 6 s
        }
        if job.image is not None:
            body["first_frame_image"] = data_url(await _crop(job.image, job.request.aspect, work))
        elif job.request.aspect is not Aspect.LANDSCAPE:
            raise CapabilityNotSupported(
                f"hailuo: a {job.request.aspect.value} clip needs a reference image "
                "(v1 output follows the first frame)",
                provider_id=PID,
            )
        return body

    async def _run_v2(
        self, engine: Engine, job: Job, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        reply = await engine.call("POST", "v2/video_generation", "submit", json_body=_v2_body(job))
        task_id = reply.body.get("task_id") if isinstance(reply.body, dict) else None
        if not isinstance(task_id, str | int) or not str(task_id):
            raise InvalidResponse("hailuo: v2 submit answer lacks task_id", provider_id=PID)
        path = f"v2/query/video_generation/{task_id}"

        async def check() -> PollStatus:
            return _status_v2((await engine.call("GET", path, "status")).body, str(task_id))

        done = await engine.poll(check, job_id=str(task_id), progress=progress)
        return await self._fetch(engine, job, done.result, dest, str(task_id), progress)

    async def _check(self, engine: Engine) -> str:
        # An unknown task is the expected answer; only a refused key matters here.
        with contextlib.suppress(InvalidResponse, GenerationFailed, RequestRejected):
            await engine.call("GET", "v1/query/video_generation", "status", params={"task_id": "0"})
        return "ok (key accepted)"


async def _crop(image: Path, aspect: Aspect, work: Path) -> Path:
    """Centre-crop the scene image to the clip's aspect: it decides the output's shape."""
    out = work / "first-frame.png"
    ratio = aspect.ratio
    crop = f"crop='trunc(min(iw,ih*{ratio})/2)*2':'trunc(min(ih,iw/{ratio})/2)*2'"
    try:
        await run_ffmpeg(["-i", str(image), "-vf", crop, "-frames:v", "1", str(out)])
    except RenderError as exc:
        raise CapabilityNotSupported(
            f"hailuo: reference image {image.name} is unreadable", provider_id=PID
        ) from exc
    return out


def _v2_body(job: Job) -> dict[str, Any]:
    content: list[dict[str, Any]] = [{"type": "text", "text": job.request.prompt[:2000]}]
    if job.image is not None:
        image = {"url": data_url(job.image)}
        content.append({"type": "image_url", "image_url": image, "role": "first_frame"})
    return {"model": job.model.id, "content": content, "resolution": "768P",
            "duration": job.seconds, "ratio": job.request.aspect.value}  # fmt: skip


def _status_v2(body: Any, task_id: str) -> PollStatus:
    found = body.get("task") if isinstance(body, dict) else None
    task: dict[str, Any] = found if isinstance(found, dict) else {}
    status = task.get("status")
    if status in _WAITING_V2:
        return PollStatus(done=False, progress=_WAITING_V2[status], text=str(status))
    if status == "succeeded":
        content = task.get("content")
        url = content.get("url") if isinstance(content, dict) else None
        if not isinstance(url, str) or not url:
            raise InvalidResponse(f"hailuo: task {task_id} has no content.url", provider_id=PID)
        return PollStatus(done=True, progress=0.9, text="succeeded", result=url)
    if status in ("failed", "cancelled"):
        error = task.get("error")
        why = vendor_detail({"error": error}) if isinstance(error, dict) else ""
        raise GenerationFailed(f"hailuo: task {task_id} {status}: {why or 'no reason given'}",
                               provider_id=PID)  # fmt: skip
    raise InvalidResponse(f"hailuo: task {task_id} has unknown status {status!r}", provider_id=PID)


def _status(body: Any, task_id: str) -> PollStatus:
    status = body.get("status") if isinstance(body, dict) else None
    if status in _WAITING:
        return PollStatus(done=False, progress=_WAITING[status], text=str(status).lower())
    if status == "Success":
        file_id = body.get("file_id")
        if not file_id:
            raise InvalidResponse(f"hailuo: task {task_id} succeeded without file_id",
                                  provider_id=PID)  # fmt: skip
        return PollStatus(done=True, progress=0.85, text="success", result=str(file_id))
    if status == "Fail":
        raise GenerationFailed(f"hailuo: task {task_id} failed", provider_id=PID)
    raise InvalidResponse(f"hailuo: task {task_id} has unknown status {status!r}", provider_id=PID)
