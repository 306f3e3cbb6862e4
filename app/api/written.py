"""Scripts written from a URL or by an LLM, kept for the render they were planned for.

A render is planned when it is created and planned again when it executes (the stored request
is the truth). A fetched article can change and an LLM answers differently each time, so the
script a creator approved is kept here, keyed by the source, and the execution reuses it. The
store is per process (the in-process queue runs in it); after a restart the source is written
again, and the plan says so in its notes.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict

from app.config import Settings
from app.service.entry import SourceWriter
from app.service.request import RenderSource
from app.service.writers import Written, source_writer

MAX_KEPT = 256  # renders planned but not yet executed, per process


class WrittenScripts:
    """A `SourceWriter` that remembers what it wrote for each source (bounded, oldest out)."""

    def __init__(self, settings: Settings, writer: SourceWriter | None = None) -> None:
        self._writer = writer or source_writer(settings)
        self._kept: OrderedDict[str, Written] = OrderedDict()

    async def __call__(self, source: RenderSource) -> Written | None:
        key = hashlib.sha256(
            json.dumps(source.model_dump(mode="json"), sort_keys=True).encode()
        ).hexdigest()
        if key in self._kept:
            self._kept.move_to_end(key)
            return self._kept[key]
        written = await self._writer(source)
        if written is not None:
            self._kept[key] = written
            while len(self._kept) > MAX_KEPT:
                self._kept.popitem(last=False)
        return written
