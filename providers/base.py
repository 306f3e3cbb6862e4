"""The contract every video provider fulfils: the offline renderer and vendor adapters alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Protocol, runtime_checkable

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

# A context variable rather than a `generate` parameter: only the polling engine of the vendor
# adapters has a job id to tell, and every other provider (the offline renderer, the fakes)
# keeps the same narrow `generate`. Each scene's attempt runs in its own task, so concurrent
# attempts never hear each other's ids.
_on_submitted: ContextVar[SubmittedCallback | None] = ContextVar("on_submitted", default=None)


@contextmanager
def watching_submissions(callback: SubmittedCallback) -> Iterator[None]:
    """Within the block, `announce_submitted(job_id)` calls `callback(job_id)`."""
    token = _on_submitted.set(callback)
    try:
        yield
    finally:
        _on_submitted.reset(token)


def announce_submitted(job_id: str) -> None:
    """Called by a provider when the vendor accepted a job; a no-op unless someone watches."""
    callback = _on_submitted.get()
    if callback is not None and job_id:
        callback(job_id)
