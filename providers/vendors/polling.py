"""The one submit → poll → download engine every HTTP vendor adapter uses.

An adapter supplies the vendor-specific parts (how to submit, how to read a status, where the
result is, how to cancel); this module owns everything that must behave the same everywhere:

- one deadline per job: `PollConfig.deadline_s` bounds submit, every poll, the waits between
  them and the download together, in real time (a result that drips in one byte every few
  seconds is cut off at the deadline too) and raises `DeadlineExceeded`;
- HTTP failures become `providers.errors` through one table (`status.STATUS_ERRORS`), always
  chained with `raise ... from exc`; messages keep only the vendor's code and message fields;
- JSON replies are read with a size cap (`MAX_JSON_BYTES`) and parsed defensively;
- polling waits a jittered per-provider interval, or what the server asks for (`retry-after-ms`,
  `Retry-After` in seconds or as an HTTP date, `openai-poll-after-ms`), never less than
  `MIN_POLL_INTERVAL_S`, and gives up at the deadline;
- the vendor's job id is announced to the caller as soon as the job is accepted, before the
  first poll (`providers.base.watching_submissions`), so it can be recorded while the job runs;
- giving up (deadline, cancellation, a broken poll) cancels the remote task, best effort;
- credentials only ever go to the base URL's origin (`guard.CredentialFence`, installed on the
  adapter's client) and result downloads only to vetted public addresses (`guard.pin_download`);
- downloads stream to a temporary file beside the destination with a size cap, hash while they
  read, check the announced length and rename into place, so `dest` is whole or untouched.

Time, randomness, sleeping and name resolution are injected so tests never wait or resolve.
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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from providers.base import (
    announce_submitted,
    note_submit_reply,
    remote_tasks_kept,
    submission_recorded,
    submission_replay,
)
from providers.errors import (
    AuthError,
    DeadlineExceeded,
    GenerationFailed,
    InvalidResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    RequestRejected,
    SubmissionUnknown,
)
from providers.media import probe
from providers.types import Clip, ContentCredential, ProgressCallback
from providers.vendors.guard import Resolver, pin_download, system_resolver
from providers.vendors.status import error_for_status, server_wait_s

MIB = 1 << 20
MAX_JSON_BYTES = 4 * MIB  # a status reply is a few KB; a bigger one is not a status reply
MIN_POLL_INTERVAL_S = 1.0  # no setting or server hint makes us poll faster than this
CLEANUP_GRACE_S = 10.0  # time allowed for a best-effort cancel after the deadline
_CHUNK = 64 * 1024
_MAX_REDIRECTS = 5

# A signed result URL that is refused or gone has expired; the job must be made again.
_DOWNLOAD_GONE = frozenset({403, 404, 410})
SUBMIT = "submit"  # the `what` of the one call per job that the vendor bills
# Transport failures that happen before a request leaves: a submission they stop was not sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


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


def parse_json(raw: bytes) -> Any:
    """JSON from a vendor; ValueError for anything that is not (too deep counts as not)."""
    try:
        return json.loads(raw)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


class Engine:
    """Talks HTTP for one provider job: JSON calls, the poll loop and the download.

    The job's deadline starts when the engine is made (one engine per job)."""

    def __init__(
        self,
        provider_id: str,
        client: httpx.AsyncClient,
        config: PollConfig,
        timing: Timing | None = None,
        refine: Refine | None = None,
        *,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.provider_id = provider_id
        self.client = client
        self.config = config
        self.timing = timing or Timing()
        self.refine = refine
        self.resolver = resolver
        self.deadline = self.timing.monotonic() + config.deadline_s
        self.last_hint: float | None = None  # the wait the last successful answer asked for

    def remaining_s(self) -> float:
        return self.deadline - self.timing.monotonic()

    def _overdue(self, during: str) -> DeadlineExceeded:
        return DeadlineExceeded(
            f"{self.provider_id}: job not finished within {self.config.deadline_s:g} s ({during})",
            provider_id=self.provider_id,
        )

    @contextlib.asynccontextmanager
    async def bounded(self, during: str) -> AsyncIterator[None]:
        """Run the block within what is left of the job's deadline, in real time."""
        left = self.remaining_s()
        if left <= 0:
            raise self._overdue(during)
        try:
            async with asyncio.timeout(left):
                yield
        except TimeoutError as exc:
            raise self._overdue(during) from exc

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
        """One JSON request; HTTP and transport failures mapped, the body capped and parsed.

        The call named `submit` is the one that spends: a recorded answer to it (a resumed
        attempt, `providers.base.submission_replay`) is returned without sending anything;
        its own answer is handed to the watcher before anything else happens; and a transport
        failure after the request may have reached the vendor is `SubmissionUnknown`."""
        spends = what == SUBMIT
        if spends:
            replay = submission_replay()
            if replay is not None:
                note_submit_reply(replay)  # the resumed attempt's record keeps its answer
                return Reply(int(replay.get("status", 200)), replay.get("body"), httpx.Headers())
        try:
            async with self.bounded(what), self.client.stream(
                method, url, json=json_body, params=params, headers=headers, files=files,
                data=data,
            ) as response:  # fmt: skip
                raw = await self._read_capped(response, what)
        except httpx.TransportError as exc:
            if spends and not isinstance(exc, _NOT_SENT):
                raise SubmissionUnknown(
                    f"{self.provider_id}: the connection dropped after the submission was sent "
                    f"({type(exc).__name__}); the vendor may have accepted the job",
                    provider_id=self.provider_id,
                ) from exc
            raise ProviderUnavailable(
                f"{self.provider_id}: {what} did not complete ({type(exc).__name__})",
                provider_id=self.provider_id,
            ) from exc
        except httpx.InvalidURL as exc:
            raise self._invalid(f"{what}: the reply named an invalid URL") from exc
        reply = self._reply(response, raw, what)
        if spends:
            note_submit_reply({"status": reply.status, "body": reply.body})
        return reply

    async def _read_capped(self, response: httpx.Response, what: str) -> bytes:
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > MAX_JSON_BYTES:
            raise self._invalid(f"{what} answered with more than {MAX_JSON_BYTES} bytes")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_JSON_BYTES:
                raise self._invalid(f"{what} answered with more than {MAX_JSON_BYTES} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _reply(self, response: httpx.Response, raw: bytes, what: str) -> Reply:
        if response.status_code >= 400:
            raise self._http_error(response, raw, what)
        if response.status_code == 204 or not raw:
            return Reply(response.status_code, None, response.headers)
        try:
            body = parse_json(raw)
        except ValueError as exc:
            raise self._invalid(f"{what} answered with unparseable JSON") from exc
        self.last_hint = server_wait_s(response.headers, self.timing.wall)
        # Some vendors report errors inside a 200 (MiniMax base_resp, Kling code).
        refined = self.refine(response.status_code, body, what) if self.refine else None
        if refined is not None:
            raise refined
        return Reply(response.status_code, body, response.headers)

    def _http_error(self, response: httpx.Response, raw: bytes, what: str) -> ProviderError:
        """The vendor's own error code when its adapter knows it, else the status table."""
        body: Any = None
        with contextlib.suppress(ValueError):
            body = parse_json(raw) if raw else None
        if self.refine is not None and body is not None:
            refined = self.refine(response.status_code, body, what)
            if refined is not None:
                return refined
        return error_for_status(response, self.provider_id, what, wall=self.timing.wall, body=body)

    async def poll(
        self,
        check: Callable[[], Awaitable[PollStatus]],
        *,
        job_id: str,
        cancel: Callable[[], Awaitable[None]] | None = None,
        progress: ProgressCallback | None = None,
    ) -> PollStatus:
        """Call `check` until it reports done; returns that status. `check` raises the job's
        own failure. Cancels the remote task when we give up or are cancelled.

        `job_id` is the vendor's id for the accepted job: the caller's submission watcher
        (`providers.base.watching_submissions`) hears it before the first poll."""
        announce_submitted(job_id)
        await submission_recorded()
        try:
            return await self._loop(check, progress)
        # Not GenerationFailed or ContentRejected: then the job has already ended over there.
        except (
            asyncio.CancelledError,
            ProviderUnavailable,
            InvalidResponse,
            AuthError,
            DeadlineExceeded,
            RequestRejected,
        ):  # fmt: skip
            if cancel is not None and not remote_tasks_kept():
                # The deadline may have passed: give the cancel call its own short allowance.
                self.deadline = max(self.deadline, self.timing.monotonic() + CLEANUP_GRACE_S)
                await _best_effort(cancel)
            raise

    async def _loop(
        self, check: Callable[[], Awaitable[PollStatus]], progress: ProgressCallback | None
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
            wait = max(wait, MIN_POLL_INTERVAL_S)
            if wait >= self.remaining_s():
                raise self._overdue(f"last status: {status.text or 'unknown'}")
            async with self.bounded("waiting to poll"):
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
        with the download only when the vendor requires them (`authenticated`), and then only
        to the base URL's origin (the client's fence refuses any other).
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".download-", suffix=".part", dir=dest.parent)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                async with httpx.AsyncClient(timeout=self.client.timeout) as bare:
                    first = self.client if authenticated else bare
                    async with self.bounded("downloading"):
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
        an authenticated file download to storage; httpx would forward custom key headers),
        and every hop without credentials is vetted and pinned (`pin_download`)."""
        try:
            target = self.client.base_url.join(url)
        except httpx.InvalidURL as exc:
            raise self._invalid("the result URL is not a valid URL") from exc
        for _ in range(_MAX_REDIRECTS):
            following = await self._hop(client, target, out, progress)
            if isinstance(following, str):
                return following  # the sha256 of what was written
            if (following.scheme, following.netloc) != (target.scheme, target.netloc):
                client = bare
            target = following
        raise self._invalid(f"download redirected more than {_MAX_REDIRECTS} times")

    async def _hop(
        self,
        client: httpx.AsyncClient,
        target: httpx.URL,
        out: Any,
        progress: ProgressCallback | None,
    ) -> httpx.URL | str:
        """One request of a download: the next URL when redirected, else the sha256 of the
        body it wrote to `out`."""
        pinned = None
        if client is not self.client:  # credential-free hops go to vetted addresses only
            pinned = await pin_download(target, self.client.base_url.host, self.resolver,
                                        self.provider_id)  # fmt: skip
        request_url = pinned.url if pinned else target
        try:
            async with client.stream(
                "GET", request_url, headers=pinned.headers if pinned else None,
                extensions=pinned.extensions if pinned else None,
            ) as response:  # fmt: skip
                if response.is_redirect and "location" in response.headers:
                    try:
                        return target.join(response.headers["location"])
                    except httpx.InvalidURL as exc:
                        raise self._invalid("download redirected to an invalid URL") from exc
                return await self._consume(response, out, progress)
        except httpx.TransportError as exc:
            raise ProviderUnavailable(
                f"{self.provider_id}: download failed ({type(exc).__name__})",
                provider_id=self.provider_id,
            ) from exc

    async def _consume(
        self, response: httpx.Response, out: Any, progress: ProgressCallback | None
    ) -> str:
        announced = self._check_download(response)
        digest, received = hashlib.sha256(), 0
        async for chunk in response.aiter_raw(_CHUNK):
            received += len(chunk)
            if received > self.config.max_bytes:
                raise self._invalid(f"result exceeds {self.config.max_bytes} bytes")
            if self.remaining_s() <= 0:
                raise self._overdue("downloading")
            digest.update(chunk)
            out.write(chunk)
            if announced:
                await report(progress, 0.9 + 0.1 * received / announced, "downloading")
        if announced and received != announced:
            raise self._invalid(f"download truncated: {received} of {announced} bytes")
        return digest.hexdigest()

    def _check_download(self, response: httpx.Response) -> int:
        """The announced length of an acceptable download response; raises otherwise."""
        code = response.status_code
        if code in _DOWNLOAD_GONE:
            raise self._invalid(f"result URL refused or expired (HTTP {code})")
        if code >= 400:
            raise error_for_status(response, self.provider_id, "download", wall=self.timing.wall)
        raw = response.headers.get("content-length", "0") or "0"
        announced = int(raw) if raw.isdigit() else 0
        if announced > self.config.max_bytes:
            raise self._invalid(f"result of {announced} bytes exceeds {self.config.max_bytes}")
        return announced

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
