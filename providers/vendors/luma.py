"""Luma Dream Machine v1 API (provider-apis.md §4): Ray 2 text-to-video.

Submit `POST generations/video` → 201 `Generation`; poll `GET generations/{id}`; `state` ∈
queued, dreaming, completed, failed (+ `failure_reason`); result `assets.video`, a plain GET;
cancel `DELETE generations/{id}`. Image-to-video needs `keyframes.frame0.url`, a public URL
reelroute does not host, so this adapter always makes text-to-video (the scene's image is not
sent). v1 documents no moderation codes: a failed generation is `GenerationFailed`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from providers.errors import GenerationFailed, InvalidResponse
from providers.settings import LumaSettings
from providers.types import Clip, ProgressCallback
from providers.vendors.http_adapter import HttpAdapter, Job
from providers.vendors.polling import Engine, PollStatus

PID = "luma"
_WAITING = {"queued": 0.05, "dreaming": 0.4}


class LumaProvider(HttpAdapter):
    provider_id = PID
    settings_type = LumaSettings
    api = "Dream Machine v1"
    default_interval_s = 5.0
    sends_images = False

    async def _run(
        self, engine: Engine, job: Job, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        body = {
            "model": job.model.id,
            "prompt": job.request.prompt,
            "aspect_ratio": job.request.aspect.value,  # catalog aspects are Luma's spellings
            "resolution": "720p",
            "duration": f"{job.seconds}s",  # Luma wants a string with its unit: "5s"
        }
        made = await engine.call("POST", "generations/video", "submit", json_body=body)
        gen_id = made.body.get("id") if isinstance(made.body, dict) else None
        if not isinstance(gen_id, str) or not gen_id:
            raise InvalidResponse("luma: submit answer lacks an id", provider_id=PID)

        async def check() -> PollStatus:
            return _status((await engine.call("GET", f"generations/{gen_id}", "status")).body)

        async def cancel() -> None:
            await engine.call("DELETE", f"generations/{gen_id}", "cancel")

        done = await engine.poll(check, job_id=gen_id, cancel=cancel, progress=progress)
        return await self._fetch(engine, job, done.result, dest, gen_id, progress)

    async def _check(self, engine: Engine) -> str:
        reply = await engine.call("GET", "credits", "credits")
        balance = reply.body.get("credit_balance") if isinstance(reply.body, dict) else None
        return f"ok (credit balance {balance} US cents)"


def _status(body: Any) -> PollStatus:
    state = body.get("state") if isinstance(body, dict) else None
    gen_id = body.get("id", "?") if isinstance(body, dict) else "?"
    if state in _WAITING:
        return PollStatus(done=False, progress=_WAITING[state], text=str(state))
    if state == "completed":
        url = (body.get("assets") or {}).get("video")
        if not isinstance(url, str) or not url:
            raise InvalidResponse(f"luma: {gen_id} completed without a video", provider_id=PID)
        return PollStatus(done=True, progress=0.9, text="completed", result=url)
    if state == "failed":
        why = body.get("failure_reason") or "no reason given"
        raise GenerationFailed(f"luma: generation {gen_id} failed: {why}", provider_id=PID)
    raise InvalidResponse(f"luma: generation {gen_id} has unknown state {state!r}", provider_id=PID)
