"""Kling API (provider-apis.md §1): text2video / image2video with a self-signed HS256 JWT.

The bearer token is a JWT `{iss: access key, exp: now+1800, nbf: now-5}` signed with the secret
key; we sign a fresh one for every request (`_JwtAuth`), so long polls never expire.
Submit `POST v1/videos/{family}` → `data.task_id`; poll `GET v1/videos/{family}/{task_id}`
(the same family); `data.task_status` ∈ submitted, processing, succeed, failed; the result is
`data.task_result.videos[0].url`, a plain GET. Kling's errors carry a business `code`, mapped
by `_CODES` ahead of the HTTP status. Kling documents no cancel endpoint, so a job we abandon
runs out on Kling's side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import httpx

from providers.errors import (
    AuthError,
    ConfigurationError,
    ContentRejected,
    GenerationFailed,
    InvalidResponse,
    ProviderError,
    RateLimited,
)
from providers.settings import KlingSettings
from providers.types import Clip, ProgressCallback
from providers.vendors.http_adapter import HttpAdapter, Job, image_b64
from providers.vendors.polling import Engine, PollStatus

PID = "kling"
TOKEN_TTL_S = 1800
_WAITING = {"submitted": "queued", "processing": "processing"}

# Business codes (§1.5) whose meaning is sharper than the HTTP status they come with.
_CODES: dict[int, type[ProviderError]] = {
    **dict.fromkeys((1000, 1001, 1002, 1003, 1004, 1103), AuthError),
    **dict.fromkeys((1100, 1101, 1102, 1302, 1303), RateLimited),
    **dict.fromkeys((1300, 1301), ContentRejected),
}


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def jwt_hs256(access_key: str, secret_key: str, now: float) -> str:
    """The token Kling expects; tiny enough that a JWT library is not worth a dependency."""
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {"iss": access_key, "exp": int(now) + TOKEN_TTL_S, "nbf": int(now) - 5}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)
    )
    signature = hmac.new(secret_key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


class _JwtAuth(httpx.Auth):
    """Signs a fresh token for every request, so no poll ever carries an expired one."""

    def __init__(self, access: str, secret: str, wall: Callable[[], float]) -> None:
        self._access, self._secret, self._wall = access, secret, wall

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = jwt_hs256(self._access, self._secret, self._wall())
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


class KlingProvider(HttpAdapter):
    provider_id = PID
    settings_type = KlingSettings
    api = "v1 videos (text2video, image2video)"
    default_interval_s = 10.0

    def is_configured(self) -> bool:
        return self.settings.has_credentials()

    def _headers(self) -> dict[str, str]:
        return {}  # the bearer token is signed per request by `_auth`

    def _auth(self) -> httpx.Auth:
        access = getattr(self.settings, "access_key", None)
        secret = getattr(self.settings, "secret_key", None)
        if access is None or secret is None:
            raise ConfigurationError("kling: access and secret keys are required", provider_id=PID)
        return _JwtAuth(access.get_secret_value(), secret.get_secret_value(), self._timing.wall)

    async def _run(
        self, engine: Engine, job: Job, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        family = "image2video" if job.image_to_video else "text2video"
        submitted = await self._call(engine, "POST", f"v1/videos/{family}", "submit", _body(job))
        task_id = str(_data(submitted).get("task_id") or "")
        if not task_id:
            raise InvalidResponse("kling: submit answer lacks data.task_id", provider_id=PID)

        async def check() -> PollStatus:
            got = await self._call(engine, "GET", f"v1/videos/{family}/{task_id}", "status")
            return _status(_data(got), task_id)

        done = await engine.poll(check, job_id=task_id, progress=progress)
        return await self._fetch(engine, job, done.result, dest, task_id, progress)

    async def _call(
        self, engine: Engine, method: str, path: str, what: str, body: Any = None
    ) -> Any:
        return (await engine.call(method, path, what, json_body=body)).body

    def _refine(self, status: int, body: Any, what: str) -> ProviderError | None:
        """Kling's business `code` says more than the HTTP status (1301 is a 400, 1303 a 429)."""
        code = body.get("code", 0) if isinstance(body, dict) else 0
        if code == 0 or not isinstance(code, int):
            return None
        text = f"kling: {what} refused (HTTP {status}, code {code}): {body.get('message', '')}"
        cls = _CODES.get(code)
        if cls is RateLimited:
            return RateLimited(text, provider_id=PID)
        if cls is ContentRejected:
            return ContentRejected(text, provider_id=PID, code=str(code))
        if cls is not None:
            return cls(text, provider_id=PID)
        return None  # the HTTP status table decides (5000s are 5xx, 1200s are 400)

    async def _check(self, engine: Engine) -> str:
        await self._call(engine, "GET", "v1/videos/text2video?pageNum=1&pageSize=1", "list")
        return "ok (token accepted)"


def _body(job: Job) -> dict[str, Any]:
    req = job.request
    body: dict[str, Any] = {
        "model_name": job.model.id,
        "prompt": req.prompt[:2500],
        "duration": str(job.seconds),  # Kling wants a string: "5" / "10"
        "aspect_ratio": req.aspect.value,  # catalog aspects are Kling's own spellings
    }
    if req.negative_prompt:
        body["negative_prompt"] = req.negative_prompt[:2500]
    if job.image is not None:
        body["image"] = image_b64(job.image)  # raw base64, no data: prefix
    if req.idempotency_key:
        body["external_task_id"] = req.idempotency_key
    return body


def _data(envelope: Any) -> dict[str, Any]:
    data = envelope.get("data") if isinstance(envelope, dict) else None
    if not isinstance(data, dict):
        raise InvalidResponse("kling: answer lacks a data object", provider_id=PID)
    return data


def _status(data: dict[str, Any], task_id: str) -> PollStatus:
    status = data.get("task_status")
    if status in _WAITING:
        return PollStatus(done=False, progress=0.5 if status == "processing" else 0.1,
                          text=_WAITING[status])  # fmt: skip
    if status == "succeed":
        videos = (data.get("task_result") or {}).get("videos") or []
        url = videos[0].get("url") if videos and isinstance(videos[0], dict) else None
        if not isinstance(url, str) or not url:
            raise InvalidResponse(f"kling: task {task_id} succeeded without a video URL",
                                  provider_id=PID)  # fmt: skip
        return PollStatus(done=True, progress=0.9, text="succeeded", result=url)
    if status == "failed":
        why = str(data.get("task_status_msg") or "no reason given")
        raise GenerationFailed(f"kling: task {task_id} failed: {why}", provider_id=PID)
    raise InvalidResponse(f"kling: task {task_id} has unknown status {status!r}",
                          provider_id=PID)  # fmt: skip
