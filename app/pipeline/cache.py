"""Content-addressed clip cache: the same request to the same model is generated once.

A key is the sha256 of the canonical request plus provider and model; the entry is the MP4 and a
JSON sidecar with the Clip's facts. An entry whose bytes no longer match its recorded sha256 is
treated as missing, so a corrupted cache can only cost time, never correctness.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from app.provenance.canonical import canonical_json, tagged_sha256
from providers.media import sha256_file
from providers.types import Clip, ClipRequest, ContentCredential


def request_key(request: ClipRequest, provider: str, model: str) -> str:
    body: dict[str, Any] = {
        f.name: getattr(request, f.name) for f in fields(request) if f.name != "idempotency_key"
    }
    body["duration"] = round(request.duration, 3)
    image = request.reference_image
    body["reference_image"] = sha256_file(image) if image is not None else None
    body["provider"], body["model"] = provider, model
    return tagged_sha256(canonical_json(body)).removeprefix("sha256:")


class ClipCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.mp4", folder / f"{key}.json"

    def path_for(self, key: str) -> Path:
        """Where a provider should write the clip for `key` (then call `store`)."""
        video, _ = self._paths(key)
        video.parent.mkdir(parents=True, exist_ok=True)
        return video

    def load(self, key: str) -> Clip | None:
        video, meta = self._paths(key)
        if not (video.is_file() and meta.is_file()):
            return None
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            clip = _clip_from_json(data, video)
        except (ValueError, KeyError, TypeError):
            return None
        return clip if sha256_file(video) == clip.sha256 else None

    def store(self, key: str, clip: Clip) -> Clip:
        """Record `clip` (already written at `path_for(key)`) under `key`."""
        video, meta = self._paths(key)
        if clip.path != video:
            os.replace(clip.path, video)
        data = asdict(clip)
        data["path"] = video.name
        tmp = meta.with_suffix(".json.partial")
        tmp.write_text(json.dumps(data, default=str), encoding="utf-8")
        tmp.replace(meta)
        return _clip_from_json(data, video)


def _clip_from_json(data: dict[str, Any], video: Path) -> Clip:
    creds = tuple(ContentCredential(**c) for c in data.get("credentials", ()))
    return Clip(
        path=video,
        duration=float(data["duration"]),
        fps=float(data["fps"]),
        width=int(data["width"]),
        height=int(data["height"]),
        sha256=str(data["sha256"]),
        provider_id=str(data["provider_id"]),
        model_id=str(data["model_id"]),
        provider_job_id=str(data["provider_job_id"]),
        cost_usd=data.get("cost_usd"),
        credentials=creds,
        image_sha256=str(data.get("image_sha256", "")),  # absent from older entries
    )
