"""The contract every video provider fulfils: the offline renderer and vendor adapters alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from providers.types import Clip, ClipRequest, ProgressCallback


@runtime_checkable
class VideoProvider(Protocol):
    """Makes one clip for one request. Raises only `providers.errors.ProviderError` subclasses."""

    @property
    def id(self) -> str:
        """Provider id as used in the catalog and policies (e.g. `local`, `kling`)."""
        ...

    def is_configured(self) -> bool:
        """True when its credentials/settings allow calling it; others are never called."""
        ...

    async def generate(
        self,
        request: ClipRequest,
        model: str,
        dest: Path,
        progress: ProgressCallback | None = None,
    ) -> Clip:
        """Generate `request` with `model`, writing the MP4 to `dest`."""
        ...


@runtime_checkable
class CheckableProvider(Protocol):
    """A provider that can prove its credentials with one cheap call (`providers check`)."""

    async def check(self) -> str:
        """The verdict text on success; raises a `ProviderError` (AuthError: key refused)."""
        ...


@runtime_checkable
class ConcurrencyLimited(Protocol):
    """A provider that declares how many of its jobs may be in flight at once (e.g. a vendor
    account's concurrency allowance). The pipeline gates the provider's calls at this limit;
    a provider that declares none (the CPU-bound offline renderer) gets the app's default."""

    @property
    def max_concurrency(self) -> int:
        """Jobs this provider accepts in flight at once; at least 1."""
        ...


def in_flight_limit(provider: object, default: int) -> int:
    """How many calls to `provider` may run at once: its declared limit, else `default`."""
    if isinstance(provider, ConcurrencyLimited):
        return max(1, provider.max_concurrency)
    return default


SubmittedCallback = Callable[[str], None]
"""Told the vendor's job id once the vendor accepted a job, before it is polled."""

SubmitReplyCallback = Callable[[Any], None]
"""Told the vendor's whole (JSON) answer to a submission, before its job id is announced."""


@dataclass(frozen=True)
class SubmissionWatch:
    """Who hears of a submission, and an earlier one to resume instead of submitting.

    `replay` is the vendor's answer to this attempt's submission as recorded before a crash
    (write-ahead in the ledger): the polling engine hands it to the adapter in place of sending
    the submission again, so the adapter polls the task it already paid for."""

    on_submitted: SubmittedCallback
    on_reply: SubmitReplyCallback | None = None
    replay: Any = None
    # Awaited after the job id is announced and before the first poll: the record is durable.
    recorded: Callable[[], Awaitable[None]] | None = None


# A context variable rather than a `generate` parameter: only the polling engine of the vendor
# adapters has a job id to tell, and every other provider (the offline renderer, the fakes)
# keeps the same narrow `generate`. Each scene's attempt runs in its own task, so concurrent
# attempts never hear each other's ids.
_watch: ContextVar[SubmissionWatch | None] = ContextVar("submission_watch", default=None)


@contextmanager
def watching_submissions(
    callback: SubmittedCallback,
    *,
    on_reply: SubmitReplyCallback | None = None,
    replay: Any = None,
    recorded: Callable[[], Awaitable[None]] | None = None,
) -> Iterator[None]:
    """Within the block, `announce_submitted(job_id)` calls `callback(job_id)`, the vendor's
    answer to a submission goes to `on_reply`, and a `replay` (an answer recorded earlier)
    stands in for the submission (see `SubmissionWatch`)."""
    token = _watch.set(SubmissionWatch(callback, on_reply, replay, recorded))
    try:
        yield
    finally:
        _watch.reset(token)


def announce_submitted(job_id: str) -> None:
    """Called by a provider when the vendor accepted a job; a no-op unless someone watches."""
    watch = _watch.get()
    if watch is not None and job_id:
        watch.on_submitted(job_id)


async def submission_recorded() -> None:
    """Wait until the announced job id is recorded (write-ahead), when someone asked for it."""
    watch = _watch.get()
    if watch is not None and watch.recorded is not None:
        await watch.recorded()


def submission_replay() -> Any:
    """The recorded answer to resume from instead of submitting, or None: submit."""
    watch = _watch.get()
    return None if watch is None else watch.replay


def note_submit_reply(body: Any) -> None:
    """Called by the polling engine with the vendor's answer to a submission."""
    watch = _watch.get()
    if watch is not None and watch.on_reply is not None:
        watch.on_reply(body)


# Set by a worker that hands its jobs back on shutdown: a cancelled poll then leaves the
# vendor's task running (another worker resumes it from the ledger) instead of cancelling it.
_keep_remote_tasks = False


def keep_remote_tasks_on_cancel(keep: bool = True) -> None:
    global _keep_remote_tasks  # one flag per process: the worker's shutdown mode
    _keep_remote_tasks = keep


def remote_tasks_kept() -> bool:
    return _keep_remote_tasks
