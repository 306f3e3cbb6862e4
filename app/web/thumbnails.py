"""A still per scene for the scene strip: one frame from the middle of the scene in the first
output, taken by ffmpeg once and kept beside the data folder's other caches."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from app.api.state import Service
from app.store.models import RenderRow
from providers.media import RenderError, run_ffmpeg

THUMB_WIDTH = 320
_locks: dict[str, asyncio.Lock] = {}


def _source(
    service: Service, row: RenderRow, aspect: str | None
) -> tuple[Path, dict[int, float]] | None:
    """The output video of `aspect` (default: the first) and each scene's middle second
    (from the manifest)."""
    video: Path | None = None
    middles: dict[int, float] = {}
    for entry in row.outputs:
        path = service.blobs.local_path(str(entry.get("key")))
        if path is None:
            continue
        if entry.get("aspect") and video is None and aspect in (None, entry["aspect"]):
            video = path
        elif entry.get("name") == "manifest.json":
            try:
                for s in json.loads(path.read_text(encoding="utf-8")).get("scenes") or []:
                    span = s["timeline"]
                    middles[int(s["index"])] = (float(span["start"]) + float(span["end"])) / 2
            except (OSError, ValueError, KeyError, TypeError):
                return None
    return (video, middles) if video is not None else None


async def scene_thumbnail(
    service: Service, row: RenderRow, n: int, aspect: str | None = None
) -> Path | None:
    """The cached JPEG of scene `n` in `aspect` (e.g. "9:16"; default: the first output),
    made on first request; None when there is no such video or scene."""
    slug = aspect.replace(":", "x") if aspect else "first"
    dest = service.settings.data_dir / "web" / "thumbs" / row.id / f"{n}-{slug}.jpg"
    if dest.is_file():
        return dest
    found = _source(service, row, aspect)
    if found is None or n not in found[1]:
        return None
    video, middles = found
    lock = _locks.setdefault(str(dest), asyncio.Lock())
    async with lock:  # one ffmpeg per picture, however many requests ask at once
        if dest.is_file():
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_suffix(".part.jpg")
        try:
            await run_ffmpeg([
                "-v", "error", "-ss", f"{middles[n]:.3f}", "-i", str(video),
                "-frames:v", "1", "-vf", f"scale={THUMB_WIDTH}:-2", "-q:v", "5", str(partial),
            ])  # fmt: skip
        except RenderError:
            return None
        partial.replace(dest)
    _locks.pop(str(dest), None)
    return dest
