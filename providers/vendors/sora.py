"""OpenAI Sora Videos API (provider-apis.md §7), for compatible deployments.

OpenAI shut the origin API down on 2026-09-24 and the catalog marks the models retired, so the
router never picks them; the adapter stays for OpenAI-compatible deployments (point
`REELROUTE_SORA__BASE_URL` at one). Submit `POST videos` as multipart form (as the SDK does)
→ `Video{id, status}`; poll `GET videos/{id}`, honouring `openai-poll-after-ms`; `status` ∈
queued, in_progress, completed, failed{error}; the bytes come from the API itself,
`GET videos/{id}/content?variant=video`, with our key; cancel is `DELETE videos/{id}`.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from providers.errors import ContentRejected, GenerationFailed, InvalidResponse, ProviderError
from providers.settings import SoraSettings
from providers.types import Aspect, Clip, ProgressCallback
from providers.vendors.http_adapter import HttpAdapter, Job, pick
from providers.vendors.polling import Engine, PollStatus
from providers.vendors.status import server_wait_s

PID = "sora"
_SIZES = {Aspect.LANDSCAPE: "1280x720", Aspect.PORTRAIT: "720x1280"}
_WAITING = {"queued", "in_progress"}
# Job error codes that mean moderation. The digest could not confirm OpenAI's exact strings
# (UNCONFIRMED); these are the ones compatible deployments are known to send.
_REJECT_CODES = frozenset({"moderation_blocked", "content_policy_violation"})


class SoraProvider(HttpAdapter):
    provider_id = PID
    settings_type = SoraSettings
    api = "Videos API v1"
    default_interval_s = 5.0  # the SDK polls every 1 s unless told; the server tells us

    def _refine(self, status: int, body: Any, what: str) -> ProviderError | None:
        error = body.get("error") if isinstance(body, dict) and status >= 400 else None
        if isinstance(error, dict) and error.get("code") in _REJECT_CODES:
            code = str(error["code"])
            text = f"sora: {what} refused ({code}): {error.get('message', '')}"
            return ContentRejected(text, provider_id=PID, code=code)
        return None

    async def _run(
        self, engine: Engine, job: Job, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        form: list[tuple[str, Any]] = [
            ("prompt", (None, job.request.prompt)),
            ("model", (None, job.model.id)),
            ("seconds", (None, str(job.seconds))),  # a string: "4" / "8" / "12"
            ("size", (None, pick(_SIZES, job.request.aspect, PID))),
        ]
        if job.image is not None:
            kind = mimetypes.guess_type(job.image.name)[0] or "image/png"
            form.append(("input_reference", (job.image.name, job.image.read_bytes(), kind)))
        made = await engine.call("POST", "videos", "submit", files=form)
        video_id = made.body.get("id") if isinstance(made.body, dict) else None
        if not isinstance(video_id, str) or not video_id:
            raise InvalidResponse("sora: submit answer lacks an id", provider_id=PID)

        async def check() -> PollStatus:
            got = await engine.call("GET", f"videos/{video_id}", "status")
            return _status(got.body, video_id, server_wait_s(got.headers, engine.timing.wall))

        async def cancel() -> None:
            await engine.call("DELETE", f"videos/{video_id}", "cancel")

        await engine.poll(check, job_id=video_id, cancel=cancel, progress=progress)
        url = f"videos/{video_id}/content?variant=video"
        return await self._fetch(engine, job, url, dest, video_id, progress, authenticated=True)

    async def _check(self, engine: Engine) -> str:
        await engine.call("GET", "videos", "list", params={"limit": "1"})
        return "ok (key accepted)"


def _status(body: Any, video_id: str, wait: float | None) -> PollStatus:
    status = body.get("status") if isinstance(body, dict) else None
    if status in _WAITING:
        percent = body.get("progress")
        fraction = 0.9 * percent / 100 if isinstance(percent, int | float) else None
        return PollStatus(done=False, progress=fraction, text=str(status), wait_s=wait)
    if status == "completed":
        return PollStatus(done=True, progress=0.9, text="completed")
    if status == "failed":
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        code = str(error.get("code") or "")
        text = f"sora: video {video_id} failed ({code or 'no code'}): {error.get('message', '')}"
        if code in _REJECT_CODES:
            raise ContentRejected(text, provider_id=PID, code=code)
        raise GenerationFailed(text, provider_id=PID)
    raise InvalidResponse(f"sora: video {video_id} has unknown status {status!r}", provider_id=PID)
