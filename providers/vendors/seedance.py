"""ByteDance Seedance on BytePlus ModelArk (provider-apis.md §8).

Submit `POST contents/generations/tasks` `{model, content:[text, image_url?], ratio, duration,
seed}` → `{id}`; poll `GET contents/generations/tasks/{id}`; `status` ∈ queued, running,
succeeded, failed, cancelled, expired; result `content.video_url` (valid 24 h), a plain GET;
cancel `DELETE contents/generations/tasks/{id}`. Errors are `{error:{code, message}}` both on
HTTP failures and on failed tasks; the string codes are mapped by `_error`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from providers.errors import (
    AuthError,
    ContentRejected,
    GenerationFailed,
    InvalidResponse,
    ProviderError,
    RateLimited,
)
from providers.settings import SeedanceSettings
from providers.types import Clip, ProgressCallback
from providers.vendors.http_adapter import HttpAdapter, Job, data_url
from providers.vendors.polling import Engine, PollStatus

PID = "seedance"
_WAITING = {"queued": 0.05, "running": 0.4}
_ENDED = {"cancelled": "was cancelled", "expired": "expired before it ran"}
_RATE_CODES = ("RateLimitExceeded", "ModelAccountRpmRateLimitExceeded", "QuotaExceeded",
               "ServerOverloaded", "ModelLoadingError")  # fmt: skip
_AUTH_CODES = ("AuthenticationError", "AccessDenied", "AccountOverdueError")


def _error(error: Any, context: str) -> ProviderError | None:
    """ModelArk's string codes → our errors; `…SensitiveContentDetected…` is moderation."""
    if not isinstance(error, dict) or not error.get("code"):
        return None
    code, message = str(error["code"]), str(error.get("message", ""))
    text = f"seedance: {context} ({code}): {message}"
    if "SensitiveContentDetected" in code:
        return ContentRejected(text, provider_id=PID, code=code)
    if code.startswith(_RATE_CODES):
        return RateLimited(text, provider_id=PID)
    if code.startswith(_AUTH_CODES):
        return AuthError(text, provider_id=PID)
    return None


class SeedanceProvider(HttpAdapter):
    provider_id = PID
    settings_type = SeedanceSettings
    api = "ModelArk v3 contents/generations"
    default_interval_s = 5.0

    def _refine(self, status: int, body: Any, what: str) -> ProviderError | None:
        if status < 400 or not isinstance(body, dict):
            return None
        return _error(body.get("error"), f"{what} refused")

    async def _run(
        self, engine: Engine, job: Job, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        reply = await engine.call(
            "POST", "contents/generations/tasks", "submit", json_body=_body(job)
        )
        task_id = reply.body.get("id") if isinstance(reply.body, dict) else None
        if not isinstance(task_id, str) or not task_id:
            raise InvalidResponse("seedance: submit answer lacks an id", provider_id=PID)
        path = f"contents/generations/tasks/{task_id}"

        async def check() -> PollStatus:
            return _status((await engine.call("GET", path, "status")).body, task_id)

        async def cancel() -> None:
            await engine.call("DELETE", path, "cancel")

        done = await engine.poll(check, job_id=task_id, cancel=cancel, progress=progress)
        return await self._fetch(engine, job, done.result, dest, task_id, progress)

    async def _check(self, engine: Engine) -> str:
        await engine.call("GET", "contents/generations/tasks", "list", params={"page_size": "1"})
        return "ok (key accepted)"


def _body(job: Job) -> dict[str, Any]:
    req = job.request
    content: list[dict[str, Any]] = [{"type": "text", "text": req.prompt}]
    if job.image is not None:
        content.append(
            {"type": "image_url", "image_url": {"url": data_url(job.image)}, "role": "first_frame"}
        )
    return {
        "model": job.model.id, "content": content, "ratio": req.aspect.value,
        "duration": job.seconds, "seed": req.seed, "watermark": False,
    }  # fmt: skip


def _status(body: Any, task_id: str) -> PollStatus:
    status = body.get("status") if isinstance(body, dict) else None
    if status in _WAITING:
        return PollStatus(done=False, progress=_WAITING[status], text=str(status))
    if status == "succeeded":
        url = (body.get("content") or {}).get("video_url")
        if not isinstance(url, str) or not url:
            raise InvalidResponse(f"seedance: task {task_id} has no video_url", provider_id=PID)
        return PollStatus(done=True, progress=0.9, text="succeeded", result=url)
    if status == "failed":
        raise _error(body.get("error"), f"task {task_id} failed") or GenerationFailed(
            f"seedance: task {task_id} failed: {body.get('error')}", provider_id=PID
        )
    if status in _ENDED:
        raise GenerationFailed(f"seedance: task {task_id} {_ENDED[status]}", provider_id=PID)
    raise InvalidResponse(
        f"seedance: task {task_id} has unknown status {status!r}", provider_id=PID
    )
