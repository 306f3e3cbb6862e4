"""A file response that reads the file it measured, even when the path is replaced meanwhile.

A draft's playlists, manifest.json and draft.mp4 are replaced whole (written aside, then
renamed over) each time a scene is swapped in. Starlette's FileResponse stats the path, sends
that length, then opens the path again: a swap in between sent one file's length with the
other's bytes, which the server cuts off ("Too much data for declared Content-Length") and the
browser reports as ERR_CONTENT_LENGTH_MISMATCH. Here the file is opened once, when the response
is made; its length and ETag come from that descriptor, and every byte sent is read from it.
A rename over the path, or the draft's deletion, leaves the open file whole.
"""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

import anyio
from starlette.responses import FileResponse
from starlette.types import Receive, Scope, Send

# the server would send the path, not our descriptor: a replaced path is the very case we avoid
_PATHSEND = "http.response.pathsend"


class PinnedFileResponse(FileResponse):
    """FileResponse (HTTP Range, If-Range, HEAD, ETag) over one descriptor opened up front."""

    def __init__(self, path: Path, file: IO[bytes], **kwargs: Any) -> None:
        super().__init__(path, stat_result=os.fstat(file.fileno()), **kwargs)
        self._file = file

    @classmethod
    def open(cls, path: Path, **kwargs: Any) -> PinnedFileResponse | None:
        """The response for the regular file at `path`, or None when there is none."""
        try:
            file = path.open("rb")
        except OSError:  # missing, a folder, unreadable: the caller looks elsewhere
            return None
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            file.close()
            return None
        return cls(path, file, **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extensions = {k: v for k, v in scope.get("extensions", {}).items() if k != _PATHSEND}
        try:
            await super().__call__({**scope, "extensions": extensions}, receive, send)
        finally:
            self._file.close()

    @asynccontextmanager
    async def _open_file(self) -> AsyncIterator[anyio.AsyncFile[bytes]]:
        # FileResponse reads through this hook; tests/test_pinned_file.py fails if it stops
        self._file.seek(0)
        yield anyio.wrap_file(self._file)
