"""Pika 2.2 through fal.ai's queue API (provider-apis.md §5).

Submit `POST fal-ai/pika/v2.2/text-to-video` with `Authorization: Key <key>` → `{request_id,
status_url, response_url, cancel_url}`; we follow the URLs fal returns (their path drops the
model sub-path) rather than build them. Status `IN_QUEUE`, `IN_PROGRESS`, `COMPLETED`; a
COMPLETED status that carries `error` is a failure. The result is `GET response_url` →
`video.url`, a plain GET. Cancel is `PUT cancel_url`.

Image-to-video wants `image_url`, a public URL reelroute does not host, and takes its aspect
from the image, so this adapter makes text-to-video (all four aspects) and does not send the
scene's image.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from providers.errors import (
    CapabilityNotSupported,
    ContentRejected,
    GenerationFailed,
    InvalidResponse,
    ProviderError,
)
from providers.settings import PikaSettings
from providers.types import Clip, ProgressCallback
from providers.vendors.http_adapter import HttpAdapter, Job
from providers.vendors.polling import Engine, PollStatus

PID = "pika"
_ENDPOINTS = {"pika-v2.2": "fal-ai/pika/v2.2/text-to-video"}  # catalog model → fal endpoint
_WAITING = {"IN_QUEUE": 0.05, "IN_PROGRESS": 0.4}
# fal's machine-readable error types (never parse `msg`); the moderation one is fal's generic
# type, Pika-specific strings are UNCONFIRMED in the digest.
_REJECT_TYPES = frozenset({"content_policy_violation"})


class PikaProvider(HttpAdapter):
    provider_id = PID
    settings_type = PikaSettings
    default_interval_s = 2.0  # fal's SDK polls every 0.1 s; a clip takes minutes
    sends_images = False

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Key {self._key()}"}  # fal's literal scheme is `Key`

    def surface(self, model: str) -> str:
        """fal serves each Pika model at its own endpoint; only the ones we know are spoken."""
        try:
            return _ENDPOINTS[model]
        except KeyError:
            raise CapabilityNotSupported(
                f"pika: no known fal endpoint for {model}", provider_id=PID
            ) from None

    def _refine(self, status: int, body: Any, what: str) -> ProviderError | None:
        detail = body.get("detail") if isinstance(body, dict) else None
        types = {d.get("type") for d in detail if isinstance(d, dict)} if isinstance(
            detail, list
        ) else set()  # fmt: skip
        if isinstance(body, dict) and body.get("error_type"):
            types.add(body["error_type"])
        hit = types & _REJECT_TYPES
        if status >= 400 and hit:
            code = sorted(str(t) for t in hit)[0]
            return ContentRejected(f"pika: {what} refused ({code})", provider_id=PID, code=code)
        return None

    async def _run(
        self, engine: Engine, job: Job, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        endpoint = self.surface(job.model.id)
        req = job.request
        body: dict[str, Any] = {
            "prompt": req.prompt, "seed": req.seed, "aspect_ratio": req.aspect.value,
            "resolution": "720p", "duration": job.seconds,
        }  # fmt: skip
        if req.negative_prompt:
            body["negative_prompt"] = req.negative_prompt
        queued = (await engine.call("POST", endpoint, "submit", json_body=body)).body
        urls = {k: queued.get(k) if isinstance(queued, dict) else None
                for k in ("request_id", "status_url", "response_url", "cancel_url")}  # fmt: skip
        if not all(isinstance(v, str) and v for k, v in urls.items() if k != "cancel_url"):
            raise InvalidResponse("pika: submit answer lacks request URLs", provider_id=PID)
        request_id = str(urls["request_id"])

        async def check() -> PollStatus:
            return _status((await engine.call("GET", str(urls["status_url"]), "status")).body)

        async def cancel() -> None:
            if urls["cancel_url"]:
                await engine.call("PUT", str(urls["cancel_url"]), "cancel")

        await engine.poll(check, job_id=request_id, cancel=cancel, progress=progress)
        result = (await engine.call("GET", str(urls["response_url"]), "result")).body
        url = ((result or {}).get("video") or {}).get("url") if isinstance(result, dict) else None
        if not isinstance(url, str) or not url:
            raise InvalidResponse(f"pika: request {request_id} has no video.url", provider_id=PID)
        return await self._fetch(engine, job, url, dest, request_id, progress)

    async def _check(self, engine: Engine) -> str:
        # fal has no account endpoint on the queue host; an unknown request id answers 404
        # to a valid key and 401/403 to a bad one, which is all we want to know.
        with contextlib.suppress(InvalidResponse):
            await engine.call("GET", "fal-ai/pika/requests/reelroute-check/status", "status")
        return "ok (key accepted)"


def _status(body: Any) -> PollStatus:
    status = body.get("status") if isinstance(body, dict) else None
    if status in _WAITING:
        return PollStatus(done=False, progress=_WAITING[status], text=str(status).lower())
    if status == "COMPLETED":
        if body.get("error"):
            kind = str(body.get("error_type") or "")
            text = f"pika: request failed ({kind or 'no type'}): {body['error']}"
            if kind in _REJECT_TYPES:
                raise ContentRejected(text, provider_id=PID, code=kind)
            raise GenerationFailed(text, provider_id=PID)
        return PollStatus(done=True, progress=0.85, text="completed")
    raise InvalidResponse(f"pika: unknown queue status {status!r}", provider_id=PID)
