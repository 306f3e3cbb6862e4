"""Scripts written from a URL or by an LLM, kept for the render they were planned for.

A render is planned when it is created and planned again when it executes (the stored request
is the truth). A fetched article can change and an LLM answers differently each time, so the
script a creator approved is kept in the ledger, keyed by the sha256 of the source, and the
execution reuses it, in whichever process (the API's in-process queue or a worker on another
machine) it runs.

A URL source's article images are files in the writing process's `<data dir>/url-images`
(content-addressed, `<sha256>.<ext>`). With a bucket configured they are shared under
`url-images/` in it, and a process reading the script fetches each into its own folder, so a
worker on another machine gives the vendor the same reference image (and computes the same
clip-cache key) as the process that fetched the article.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.config import Settings
from app.ingest.model import Scene, Script, SourceKind
from app.ingest.source_record import (
    CitedParagraph,
    FetchRecord,
    ImageRecord,
    SourceRecord,
    WriterRecord,
)
from app.ingest.url.ingest import URL_IMAGES
from app.pipeline.cache import ClipStore, LocalClipStore, S3ClipStore
from app.service.entry import SourceWriter
from app.service.request import RenderSource
from app.service.writers import Written, source_writer
from app.store.db import Database
from app.store.keys import now
from app.store.models import WrittenScriptRow
from providers.types import SceneKind


class WrittenScripts:
    """A `SourceWriter` that remembers in the ledger what it wrote for each source."""

    def __init__(
        self, settings: Settings, db: Database, writer: SourceWriter | None = None
    ) -> None:
        self._writer = writer or source_writer(settings)
        self._db = db
        self._images = shared_images(settings)

    async def __call__(self, source: RenderSource) -> Written | None:
        key = hashlib.sha256(
            json.dumps(source.model_dump(mode="json"), sort_keys=True).encode()
        ).hexdigest()
        async with self._db.session() as s:
            row = await s.get(WrittenScriptRow, key)
            if row is not None:
                script = await asyncio.to_thread(self._pull_images, script_from_json(row.script))
                return script, tuple(row.notes)
        written = await self._writer(source)
        if written is not None:
            await asyncio.to_thread(self._push_images, written[0])
            async with self._db.session() as s:
                if await s.get(WrittenScriptRow, key) is None:  # the first writer's stays
                    s.add(WrittenScriptRow(key=key, script=script_to_json(written[0]),
                                           notes=list(written[1]), created_at=now()))  # fmt: skip
        return written

    def _push_images(self, script: Script) -> None:
        for scene in script.scenes:
            hint = scene.image_hint
            if hint is not None and hint.parent == self._images.root and hint.is_file():
                self._images.push(hint.name)

    def _pull_images(self, script: Script) -> Script:
        """The script with each shared image in this process's own folder. A hint outside the
        shared folder (a local file named by a script) is left as it is."""
        scenes = []
        for scene in script.scenes:
            hint = scene.image_hint
            shared = hint is not None and hint.parent.name == self._images.root.name
            if hint is not None and shared and self._images.pull(hint.name):
                scene = dataclasses.replace(scene, image_hint=self._images.root / hint.name)
            scenes.append(scene)
        return dataclasses.replace(script, scenes=tuple(scenes))


def shared_images(settings: Settings) -> ClipStore:
    """A URL source's article images: this process's folder, shared through the bucket when
    `REELROUTE_S3_BUCKET` is set."""
    root = settings.data_dir / URL_IMAGES
    if settings.s3_bucket:
        from app.store.s3 import Bucket  # boto3 loads only when a bucket is configured

        return S3ClipStore(Bucket.from_settings(settings), root, folder=URL_IMAGES)
    return LocalClipStore(root)


def script_to_json(script: Script) -> dict[str, Any]:
    data = asdict(script)
    for scene in data["scenes"]:
        hint = scene["image_hint"]
        scene["image_hint"] = str(hint) if hint is not None else None
    plain: dict[str, Any] = json.loads(json.dumps(data))  # tuples -> lists, enums -> values
    return plain


def script_from_json(data: dict[str, Any]) -> Script:
    scenes = tuple(
        Scene(
            **{
                **s,
                "kind": SceneKind(s["kind"]),
                "image_hint": Path(s["image_hint"]) if s["image_hint"] else None,
                "sources": tuple(s["sources"]),
            }
        )
        for s in data["scenes"]
    )
    source = data.get("source")
    return Script(
        title=data["title"],
        source_kind=SourceKind(data["source_kind"]),
        source_sha256=data["source_sha256"],
        scenes=scenes,
        source=_source_from_json(source) if source else None,
    )


def _source_from_json(d: dict[str, Any]) -> SourceRecord:
    fetch = d.get("fetch")
    return SourceRecord(
        writer=WriterRecord(**d["writer"]),
        fetch=FetchRecord(**{**fetch, "redirects": tuple(fetch["redirects"])}) if fetch else None,
        extraction=d.get("extraction") or {},
        article=d.get("article") or {},
        paragraphs=tuple(CitedParagraph(**p) for p in d.get("paragraphs") or ()),
        images=tuple(
            ImageRecord(**{**i, "scenes": tuple(i["scenes"])}) for i in d.get("images") or ()
        ),
        minutes_asked=d.get("minutes_asked"),
        words_per_minute=d.get("words_per_minute"),
    )
