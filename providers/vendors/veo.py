"""Google Veo through the Gemini API (provider-apis.md §2).

Submit `POST models/{model}:predictLongRunning` `{instances:[{prompt, image?}], parameters}`
→ a long-running operation `{name}`; poll `GET {name}` until `done`; the result is
`response.generateVideoResponse.generatedSamples[0].video.uri`, downloaded **with** the key
(Google redirects to the bytes). A done operation can fail two ways: an `error` (google.rpc
Status, mapped by `_RPC_ERRORS`) or zero samples because the safety (RAI) filter removed them,
which is a moderation refusal. Outputs carry SynthID, as the catalog records. The Gemini API
documents no cancel for these operations, so an abandoned job runs out on Google's side.
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
    ProviderUnavailable,
    RateLimited,
)
from providers.settings import VeoSettings
from providers.types import Clip, ProgressCallback
from providers.vendors.http_adapter import HttpAdapter, Job, image_b64
from providers.vendors.polling import Engine, PollStatus

PID = "veo"

# google.rpc status names (in an operation's `error` or an HTTP error body) → our errors.
_RPC_ERRORS: dict[str, type[ProviderError]] = {
    "UNAUTHENTICATED": AuthError,
    "PERMISSION_DENIED": AuthError,
    "RESOURCE_EXHAUSTED": RateLimited,
    "UNAVAILABLE": ProviderUnavailable,
    "INTERNAL": ProviderUnavailable,
    "DEADLINE_EXCEEDED": ProviderUnavailable,
}
_RPC_NAMES = {7: "PERMISSION_DENIED", 8: "RESOURCE_EXHAUSTED", 13: "INTERNAL", 14: "UNAVAILABLE",
              16: "UNAUTHENTICATED", 4: "DEADLINE_EXCEEDED"}  # fmt: skip


class VeoProvider(HttpAdapter):
    provider_id = PID
    settings_type = VeoSettings
    api = "Gemini API v1beta predictLongRunning"
    default_interval_s = 10.0  # Google's samples poll every 10-20 s

    def _headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self._key()}

    def _refine(self, status: int, body: Any, what: str) -> ProviderError | None:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or status < 400:
            return None
        message = str(error.get("message", ""))
        if "API key not valid" in message:  # Google answers a bad key with 400
            return AuthError(f"veo: {what} refused: {message}", provider_id=PID)
        return None

    async def _run(
        self, engine: Engine, job: Job, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        path = f"models/{job.model.id}:predictLongRunning"
        submitted = await engine.call("POST", path, "submit", json_body=self._body(job))
        name = submitted.body.get("name") if isinstance(submitted.body, dict) else None
        if not isinstance(name, str) or "/operations/" not in name:
            raise InvalidResponse("veo: submit answer lacks an operation name", provider_id=PID)

        async def check() -> PollStatus:
            return _status((await engine.call("GET", name, "status")).body, name)

        done = await engine.poll(check, job_id=name, progress=progress)
        return await self._fetch(engine, job, done.result, dest, name, progress, authenticated=True)

    def _body(self, job: Job) -> dict[str, Any]:
        req = job.request
        instance: dict[str, Any] = {"prompt": req.prompt}
        if job.image is not None:
            mime = "image/png" if job.image.suffix.lower() == ".png" else "image/jpeg"
            instance["image"] = {"bytesBase64Encoded": image_b64(job.image), "mimeType": mime}
        params: dict[str, Any] = {
            "durationSeconds": job.seconds,
            "aspectRatio": req.aspect.value,  # catalog aspects are Veo's spellings
        }
        resolutions = job.model.resolutions
        if resolutions != "unknown" and len(resolutions) > 1:  # Veo 2 rejects the field
            params["resolution"] = "720p"  # 1080p only at 8 s; the composer scales anyway
        if req.negative_prompt:
            params["negativePrompt"] = req.negative_prompt
        return {"instances": [instance], "parameters": params}

    async def _check(self, engine: Engine) -> str:
        await engine.call("GET", "models", "list models", params={"pageSize": "1"})
        return "ok (key accepted)"


def _status(body: Any, name: str) -> PollStatus:
    if not isinstance(body, dict):
        raise InvalidResponse(f"veo: operation {name} is not an object", provider_id=PID)
    if not body.get("done"):
        return PollStatus(done=False, progress=0.3, text="generating")
    if isinstance(body.get("error"), dict):
        raise _op_error(body["error"], name)
    answer = (body.get("response") or {}).get("generateVideoResponse") or {}
    samples = answer.get("generatedSamples") or []
    uri = ((samples[0] or {}).get("video") or {}).get("uri") if samples else None
    if isinstance(uri, str) and uri:
        return PollStatus(done=True, progress=0.9, text="done", result=uri)
    if answer.get("raiMediaFilteredCount"):
        reasons = "; ".join(str(r) for r in answer.get("raiMediaFilteredReasons") or [])
        raise ContentRejected(
            f"veo: operation {name} produced nothing: safety filter ({reasons or 'no reason'})",
            provider_id=PID,
            code="rai_media_filtered",
        )
    raise InvalidResponse(f"veo: operation {name} is done without a video", provider_id=PID)


def _op_error(error: dict[str, Any], name: str) -> ProviderError:
    code = error.get("code")
    status = str(error.get("status") or _RPC_NAMES.get(code if isinstance(code, int) else -1, ""))
    text = f"veo: operation {name} failed ({status or code}): {error.get('message', '')}"
    cls = _RPC_ERRORS.get(status, GenerationFailed)
    return cls(text, provider_id=PID)
