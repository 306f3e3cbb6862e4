"""A draft's files copied into the blob store as they are written (`drafts/<render_id>/<name>`),
so an API process on another machine than the render's serves the draft too.

Files go up one at a time, in the order they were last written: a segment before the playlist
and manifest that name it, so a reader that finds a manifest finds what it names. A segment is
immutable (a swap writes a new name) and goes up once; the playlists, the manifest and
draft.mp4 are replaced in place. A file written again while it still waits goes up once, as it
is by then. A failed upload is logged and skipped: the draft is a side path, never the
render's failure.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from app.store.blobs import BlobStore

_log = logging.getLogger(__name__)


def draft_prefix(render_id: str) -> str:
    """Where a render's draft lives in the blob store."""
    return f"drafts/{render_id}"


class DraftOutbox:
    """The uploads of one draft, in order, one at a time (in a thread: boto3 blocks)."""

    def __init__(self, store: BlobStore, render_id: str) -> None:
        self._store, self.prefix = store, draft_prefix(render_id)
        self._waiting: dict[str, Path] = {}  # name -> file, oldest write first
        self._task: asyncio.Task[None] | None = None
        self._cleared = False  # a stale draft of an interrupted run is removed first

    def send(self, path: Path) -> None:
        """Queue `path` (named by its file name) for upload, after everything written before."""
        self._waiting.pop(path.name, None)
        self._waiting[path.name] = path
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._drain())

    async def flush(self) -> None:
        """Wait until every file sent so far is in the store."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _drain(self) -> None:
        if not self._cleared:
            self._cleared = True
            await self._attempt("clearing", self._store.delete_tree, self.prefix)
        while self._waiting:
            name = next(iter(self._waiting))
            path = self._waiting.pop(name)
            if path.is_file():  # gone: replaced by a later revision's name, or cancelled
                await self._attempt(name, self._store.put_file, f"{self.prefix}/{name}", path)

    async def _attempt(self, what: str, call: Callable[..., None], *args: object) -> None:
        try:
            await asyncio.to_thread(call, *args)
        except (OSError, ValueError) as exc:  # unreachable bucket, refused key: logged only
            _log.warning("draft %s: %s not copied to the blob store: %s", self.prefix, what, exc)
