"""The one submit → poll → download engine every HTTP vendor adapter uses.

An adapter supplies the vendor-specific parts (how to submit, how to read a status, where the
result is, how to cancel); this module owns everything that must behave the same everywhere:

- HTTP failures become `providers.errors` by one table (`_STATUS_ERRORS`), always chained with
  `raise ... from exc`, and messages never carry a credential (we never echo request headers).
- polling waits a jittered per-provider interval, or what the server asks for (`retry-after-ms`,
  `Retry-After` in seconds or as an HTTP date, `openai-poll-after-ms`), up to a deadline;
- giving up (deadline, cancellation, a broken poll) cancels the remote task, best effort;
- downloads stream to a temporary file beside the destination with a size cap, hash while they
  read, check the announced length and rename into place, so `dest` is whole or untouched.

Time, randomness and sleeping are injected (`Timing`) so tests never wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from providers.errors import (
    AuthError,
    GenerationFailed,
    InvalidResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
)
from providers.media import probe
from providers.types import Clip, ContentCredential, ProgressCallback

MIB = 1 << 20
_CHUNK = 64 * 1024
_MAX_REDIRECTS = 5

_STATUS_ERRORS: dict[int, type[ProviderError]] = {
    401: AuthError,
    403: AuthError,
    408: ProviderUnavailable,
    429: RateLimited,
}
"""HTTP status → error class; any other 5xx is ProviderUnavailable, other 4xx InvalidResponse
(we sent something the vendor would not take: a bug on our side, not worth a retry loop)."""

# A signed result URL that is refused or gone has expired; the job must be made again.
_DOWNLOAD_GONE = frozenset({403, 404, 410})


Refine = Callable[[int, Any, str], "ProviderError | None"]
"""(HTTP status, parsed body, what we were doing) → the vendor-specific error, or None."""


@dataclass(frozen=True)
class PollConfig:
    """How one provider is polled and downloaded. Vendors ask for different cadences."""

    interval_s: float = 5.0
    jitter_s: float = 1.0  # the wait is interval ± jitter, so many clients do not poll in step
    deadline_s: float = 600.0  # the whole job, submit to downloaded
    max_bytes: int = 512 * MIB


@dataclass(frozen=True)
class Timing:
    """Injected time: tests pass a fake sleep and clock and a fixed random source."""

    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    random: Callable[[], float] = random.random


@dataclass(frozen=True)
class Reply:
    """A parsed JSON answer and the headers that may carry a server's polling hint."""

    status: int
    body: Any
    headers: httpx.Headers


@dataclass(frozen=True)
class PollStatus:
    """One poll's reading. `result` is set once the job succeeded (usually the result URL)."""

    done: bool
    progress: float | None = None
    text: str = ""
    result: str = ""
    wait_s: float | None = None  # server's hint for the next poll, if it gave one


def server_wait_s(
    headers: Mapping[str, str], wall: Callable[[], float] = time.time
) -> float | None:
    """Seconds a server asked us to wait: `retry-after-ms`, `openai-poll-after-ms`, then
    `Retry-After` (seconds or an HTTP date). None when it did not say or said nonsense."""
    for name in ("retry-after-ms", "openai-poll-after-ms"):
        raw = headers.get(name)
        if raw is not None:
            with contextlib.suppress(ValueError):
                return max(float(raw) / 1000.0, 0.0)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    with contextlib.suppress(ValueError):
        return max(float(raw), 0.0)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - wall(), 0.0)


def error_for_status(
    response: httpx.Response, provider_id: str, what: str, *, wall: Callable[[], float] = time.time
) -> ProviderError:
    """The error an HTTP failure becomes. The vendor's own message is kept (trimmed): it says
    what went wrong and never contains our key, which we only ever send in headers."""
    code = response.status_code
    detail = _detail(response)
    message = f"{provider_id}: {what} failed with HTTP {code}" + (f": {detail}" if detail else "")
    cls = _STATUS_ERRORS.get(code) or (ProviderUnavailable if code >= 500 else InvalidResponse)
    if cls is RateLimited:
        return RateLimited(
            message, provider_id=provider_id, retry_after=server_wait_s(response.headers, wall)
        )
    return cls(message, provider_id=provider_id)


def _detail(response: httpx.Response) -> str:
    try:
        text = response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return ""
    return " ".join(text.split())[:300]


class Engine:
    """Talks HTTP for one provider: JSON calls, the poll loop and the download."""

    def __init__(
        self,
        provider_id: str,
        client: httpx.AsyncClient,
        config: PollConfig,
        timing: Timing | None = None,
        refine: Refine | None = None,
    ) -> None:
        self.provider_id = provider_id
        self.client = client
        self.config = config
        self.timing = timing or Timing()
        self.refine = refine
        self.last_hint: float | None = None  # the wait the last successful answer asked for

    async def call(
        self,
        method: str,
        url: str,
        what: str,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        files: Any = None,
        data: Mapping[str, str] | None = None,
    ) -> Reply:
        """One JSON request; HTTP and transport failures mapped, the body parsed."""
        try:
            response = await self.client.request(
                method, url, json=json_body, params=params, headers=headers, files=files, data=data
            )
        except httpx.TransportError as exc:
            raise ProviderUnavailable(
                f"{self.provider_id}: {what} did not complete ({type(exc).__name__})",
                provider_id=self.provider_id,
            ) from exc
        if response.status_code >= 400:
            try:
                response.raise_for_status()
            except httpx.HTTPStatusError as exc:
                raise self._http_error(response, what) from exc
        if response.status_code == 204 or not response.content:
            return Reply(response.status_code, None, response.headers)
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            raise InvalidResponse(
                f"{self.provider_id}: {what} answered with unparseable JSON",
                provider_id=self.provider_id,
            ) from exc
        self.last_hint = server_wait_s(response.headers, self.timing.wall)
        # Some vendors report errors inside a 200 (MiniMax base_resp, Kling code).
        refined = self.refine(response.status_code, body, what) if self.refine else None
        if refined is not None:
            raise refined
        return Reply(response.status_code, body, response.headers)

    def _http_error(self, response: httpx.Response, what: str) -> ProviderError:
        """The vendor's own error code when its adapter knows it, else the status table."""
        if self.refine is not None:
            with contextlib.suppress(ValueError):
                refined = self.refine(response.status_code, json.loads(response.content), what)
                if refined is not None:
                    return refined
        return error_for_status(response, self.provider_id, what, wall=self.timing.wall)

    async def poll(
        self,
        check: Callable[[], Awaitable[PollStatus]],
        *,
        cancel: Callable[[], Awaitable[None]] | None = None,
        progress: ProgressCallback | None = None,
        started: float | None = None,
    ) -> PollStatus:
        """Call `check` until it reports done; returns that status. `check` raises the job's
        own failure. Cancels the remote task when we give up or are cancelled."""
        deadline = (started if started is not None else self.timing.monotonic()) + (
            self.config.deadline_s
        )
        try:
            return await self._loop(check, deadline, progress)
        except (asyncio.CancelledError, ProviderUnavailable, InvalidResponse, AuthError):
            if cancel is not None:
                await _best_effort(cancel)
            raise

    async def _loop(
        self,
        check: Callable[[], Awaitable[PollStatus]],
        deadline: float,
        progress: ProgressCallback | None,
    ) -> PollStatus:
        while True:
            try:
                status = await check()
            except RateLimited as exc:  # polling too fast is not a failure of the job
                status = PollStatus(done=False, text="rate limited", wait_s=exc.retry_after)
            await report(progress, status.progress, status.text)
            if status.done:
                return status
            self.last_hint, hint = None, self.last_hint
            wait = next((w for w in (status.wait_s, hint) if w is not None), self._jittered())
            if self.timing.monotonic() + wait > deadline:
                raise ProviderUnavailable(
                    f"{self.provider_id}: job not finished within {self.config.deadline_s:g} s "
                    f"(last status: {status.text or 'unknown'})",
                    provider_id=self.provider_id,
                )
            await self.timing.sleep(wait)

    def _jittered(self) -> float:
        jitter = self.config.jitter_s * (2 * self.timing.random() - 1)
        return max(self.config.interval_s + jitter, 0.0)

    async def download(
        self,
        url: str,
        dest: Path,
        *,
        authenticated: bool = False,
        progress: ProgressCallback | None = None,
    ) -> str:
        """Stream `url` to `dest` atomically; returns the sha256 of the bytes written.

        Result URLs are usually signed links on someone else's host: our API credentials go
        with the download only when the vendor requires them (`authenticated`).
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".download-", suffix=".part", dir=dest.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                async with httpx.AsyncClient(timeout=self.client.timeout) as bare:
                    first = self.client if authenticated else bare
                    digest = await self._fetch(first, bare, url, out, progress)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        return digest

    async def _fetch(
        self,
        client: httpx.AsyncClient,
        bare: httpx.AsyncClient,
        url: str,
        out: Any,
        progress: ProgressCallback | None,
    ) -> str:
        """Follow redirects ourselves: credentials never go to another origin (Google 302s
        an authenticated file download to storage; httpx would forward custom key headers)."""
        target = httpx.URL(url)
        for _ in range(_MAX_REDIRECTS):
            try:
                async with client.stream("GET", target) as response:
                    if response.is_redirect and "location" in response.headers:
                        following = target.join(response.headers["location"])
                        if following.netloc != target.netloc or following.scheme != target.scheme:
                            client = bare
                        target = following
                        continue
                    return await self._consume(response, out, progress)
            except httpx.TransportError as exc:
                raise ProviderUnavailable(
                    f"{self.provider_id}: download failed ({type(exc).__name__})",
                    provider_id=self.provider_id,
                ) from exc
        raise self._invalid(f"download redirected more than {_MAX_REDIRECTS} times")

    async def _consume(
        self, response: httpx.Response, out: Any, progress: ProgressCallback | None
    ) -> str:
        self._check_download(response)
        digest, received = hashlib.sha256(), 0
        announced = int(response.headers.get("content-length", "0") or 0)
        async for chunk in response.aiter_raw(_CHUNK):
            received += len(chunk)
            if received > self.config.max_bytes:
                raise self._invalid(f"result exceeds {self.config.max_bytes} bytes")
            digest.update(chunk)
            out.write(chunk)
            if announced:
                await report(progress, 0.9 + 0.1 * received / announced, "downloading")
        if announced and received != announced:
            raise self._invalid(f"download truncated: {received} of {announced} bytes")
        return digest.hexdigest()

    def _check_download(self, response: httpx.Response) -> None:
        code = response.status_code
        if code in _DOWNLOAD_GONE:
            raise self._invalid(f"result URL refused or expired (HTTP {code})")
        if code >= 400:
            raise error_for_status(response, self.provider_id, "download", wall=self.timing.wall)
        announced = int(response.headers.get("content-length", "0") or 0)
        if announced > self.config.max_bytes:
            raise self._invalid(f"result of {announced} bytes exceeds {self.config.max_bytes}")

    def _invalid(self, message: str) -> InvalidResponse:
        return InvalidResponse(f"{self.provider_id}: {message}", provider_id=self.provider_id)


async def _best_effort(cancel: Callable[[], Awaitable[None]]) -> None:
    """Cancel the remote task without masking why we gave up; shielded from our own cancel."""
    with contextlib.suppress(ProviderError, httpx.HTTPError, asyncio.CancelledError):
        await asyncio.shield(asyncio.wait_for(cancel(), timeout=10))


async def report(progress: ProgressCallback | None, fraction: float | None, text: str) -> None:
    if progress is None or fraction is None:
        return
    outcome = progress(min(max(fraction, 0.0), 1.0), text)
    if outcome is not None:
        await outcome


def clip_from_file(
    path: Path,
    sha256: str,
    *,
    provider_id: str,
    model_id: str,
    job_id: str,
    cost_usd: float | None = None,
    credentials: tuple[ContentCredential, ...] = (),
) -> Clip:
    """Probe a downloaded file into a `Clip`; a file that is no video is the vendor's fault."""
    try:
        info = probe(path)
    except ValueError as exc:
        path.unlink(missing_ok=True)
        raise GenerationFailed(
            f"{provider_id}: job {job_id} returned a file that is not readable video",
            provider_id=provider_id,
        ) from exc
    if not info.has_video:
        path.unlink(missing_ok=True)
        raise GenerationFailed(
            f"{provider_id}: job {job_id} returned media without a video stream",
            provider_id=provider_id,
        )
    return Clip(
        path=path, duration=info.duration, fps=info.fps, width=info.width, height=info.height,
        sha256=sha256, provider_id=provider_id, model_id=model_id, provider_job_id=job_id,
        cost_usd=cost_usd, credentials=credentials,
    )  # fmt: skip
