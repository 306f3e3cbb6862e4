"""The contract every video provider fulfils: the offline renderer and vendor adapters alike."""

from __future__ import annotations

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
