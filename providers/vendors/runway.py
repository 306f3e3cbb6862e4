"""Runway developer API (provider-apis.md §3): gen4.5 text/image-to-video, gen4_turbo i2v only.

Submit `POST v1/text_to_video` or `v1/image_to_video` → `{id}`; poll `GET v1/tasks/{id}`
(Runway updates at most every 5 s, its SDK polls every 6 s); the result is `output[0]`, a signed
URL fetched without our key; cancel is `DELETE v1/tasks/{id}`. Every call carries
`X-Runway-Version: 2024-11-06`, which Runway requires.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from providers.errors import ContentRejected, GenerationFailed, InvalidResponse
from providers.settings import RunwaySettings
from providers.types import Aspect, Clip, ProgressCallback
from providers.vendors.http_adapter import HttpAdapter, Job, data_url, pick
from providers.vendors.polling import Engine, PollStatus

PID = "runway"
API_VERSION = "2024-11-06"

# Text-to-video takes only the two wide/tall ratios; image-to-video adds the square one.
_T2V_RATIOS = {Aspect.LANDSCAPE: "1280:720", Aspect.PORTRAIT: "720:1280"}
_I2V_RATIOS = {**_T2V_RATIOS, Aspect.SQUARE: "960:960"}

_WAITING = {"PENDING": "queued", "THROTTLED": "throttled (concurrency limit)", "RUNNING": "running"}

# failureCode families (docs "task failures"): moderation must never be retried on Runway.
_REJECTED_PREFIXES = ("SAFETY.", "INPUT_PREPROCESSING.SAFETY")


class RunwayProvider(HttpAdapter):
    provider_id = PID
    settings_type = RunwaySettings
    api = "v1 API version 2024-11-06"
    default_interval_s = 6.0

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key()}", "X-Runway-Version": API_VERSION}

    async def _run(
        self, engine: Engine, job: Job, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        path, body = self._body(job)
        reply = await engine.call("POST", path, "submit", json_body=body)
        task_id = _field(reply.body, "id", engine.provider_id)

        async def check() -> PollStatus:
            got = await engine.call("GET", f"v1/tasks/{task_id}", "status")
            return _status(got.body, task_id)

        async def cancel() -> None:
            await engine.call("DELETE", f"v1/tasks/{task_id}", "cancel")

        done = await engine.poll(check, job_id=task_id, cancel=cancel, progress=progress)
        return await self._fetch(engine, job, done.result, dest, task_id, progress)

    def _body(self, job: Job) -> tuple[str, dict[str, Any]]:
        req = job.request
        body: dict[str, Any] = {
            "model": job.model.id,
            "promptText": req.prompt[:1000],  # Runway counts UTF-16 units; prompts stay short
            "duration": job.seconds,
            "seed": req.seed,
        }
        if job.image is None:
            body["ratio"] = pick(_T2V_RATIOS, req.aspect, self.provider_id)
            return "v1/text_to_video", body
        body["ratio"] = pick(_I2V_RATIOS, req.aspect, self.provider_id)
        body["promptImage"] = data_url(job.image)
        return "v1/image_to_video", body

    async def _check(self, engine: Engine) -> str:
        reply = await engine.call("GET", "v1/organization", "organization")
        credits = reply.body.get("creditBalance") if isinstance(reply.body, dict) else None
        return f"ok (credit balance {credits})"


def _field(body: Any, name: str, provider_id: str) -> str:
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        raise InvalidResponse(f"{provider_id}: answer lacks {name!r}", provider_id=provider_id)
    return value


def _status(body: Any, task_id: str) -> PollStatus:
    status = body.get("status") if isinstance(body, dict) else None
    if status in _WAITING:
        progress = body.get("progress")
        ran = float(progress) if isinstance(progress, int | float) else 0.0
        fraction = 0.05 + 0.85 * ran  # the last tenth is the download
        return PollStatus(done=False, progress=fraction, text=_WAITING[status])
    if status == "SUCCEEDED":
        output = body.get("output")
        if not isinstance(output, list) or not output or not isinstance(output[0], str):
            raise InvalidResponse(
                f"runway: task {task_id} succeeded without an output URL", provider_id=PID
            )
        return PollStatus(done=True, progress=0.9, text="succeeded", result=output[0])
    if status == "FAILED":
        code = str(body.get("failureCode") or "")
        why = str(body.get("failure") or "no reason given")
        if code.startswith(_REJECTED_PREFIXES):
            raise ContentRejected(
                f"runway: task {task_id} refused by moderation ({code}): {why}",
                provider_id=PID,
                code=code,
            )
        raise GenerationFailed(
            f"runway: task {task_id} failed ({code or 'no code'}): {why}", provider_id=PID
        )
    if status == "CANCELLED":
        raise GenerationFailed(f"runway: task {task_id} was cancelled", provider_id=PID)
    raise InvalidResponse(f"runway: task {task_id} has unknown status {status!r}", provider_id=PID)
