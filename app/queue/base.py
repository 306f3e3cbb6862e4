"""What the API needs from a queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

JobHandler = Callable[[str], Awaitable[None]]  # render id -> done (raises nothing it can avoid)


class RenderQueue(Protocol):
    async def start(self, handler: JobHandler) -> None:
        """Begin taking jobs; `handler` runs each one."""
        ...

    async def enqueue(self, render_id: str) -> None:
        """Run `render_id` once a slot is free. Enqueuing a queued render again is a no-op."""
        ...

    async def cancel(self, render_id: str) -> bool:
        """Stop the job (queued or running); True when there was one to stop."""
        ...

    async def stop(self) -> None:
        """Cancel what runs and stop taking jobs."""
        ...
