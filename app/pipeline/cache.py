"""Content-addressed clip cache: the same request to the same model is generated once.

A key is the sha256 of the canonical request plus provider and model; the entry is the MP4 and a
JSON sidecar with the Clip's facts. An entry whose bytes no longer match its recorded sha256 is
treated as missing, so a corrupted cache can only cost time, never correctness.

Where entries are kept is a `ClipStore`: this machine's folder (`LocalClipStore`, the embedded
default), or an S3 bucket shared by every worker (`S3ClipStore`), so any worker reuses a clip
another one made. Either way ffmpeg reads the clip from the local working copy under `root`.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from app.provenance.canonical import canonical_json, tagged_sha256
from providers.media import sha256_file
from providers.types import Clip, ClipRequest, ContentCredential

if TYPE_CHECKING:
    from app.config import Settings
    from app.store.s3 import Bucket

_log = logging.getLogger(__name__)


def request_key(request: ClipRequest, provider: str, model: str) -> str:
    body: dict[str, Any] = {
        f.name: getattr(request, f.name) for f in fields(request) if f.name != "idempotency_key"
    }
    body["duration"] = round(request.duration, 3)
    image = request.reference_image
    body["reference_image"] = sha256_file(image) if image is not None else None
    body["provider"], body["model"] = provider, model
    return tagged_sha256(canonical_json(body)).removeprefix("sha256:")


class ClipStore(Protocol):
    """Where cache entries are kept. `root` is this machine's working copy; names are paths
    relative to it (`ab/ab12….mp4`)."""

    root: Path

    def pull(self, name: str) -> bool:
        """Make `root/name` present locally (fetching it if need be); False when absent."""
        ...

    def push(self, name: str) -> None:
        """Make the local `root/name` available to every later `pull`, here or elsewhere."""
        ...


class LocalClipStore:
    """The cache is this folder and nothing else."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def pull(self, name: str) -> bool:
        return (self.root / name).is_file()

    def push(self, name: str) -> None:
        return None  # already where every later pull on this machine looks


class S3ClipStore:
    """The cache in a bucket under `folder/` (`clips/`), with `root` as this worker's
    read-through copy. Other content-addressed files every worker must read (a URL source's
    article images) are shared the same way under a folder of their own."""

    def __init__(self, bucket: Bucket, root: Path, folder: str = "clips") -> None:
        self.bucket, self.root, self.folder = bucket, root, folder

    def pull(self, name: str) -> bool:
        local = self.root / name
        return local.is_file() or self.bucket.download(f"{self.folder}/{name}", local)

    def push(self, name: str) -> None:
        self.bucket.upload(self.root / name, f"{self.folder}/{name}")


class ClipCache:
    def __init__(self, where: Path | ClipStore) -> None:
        self.where: ClipStore = LocalClipStore(where) if isinstance(where, Path) else where
        self.root = self.where.root

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.mp4", folder / f"{key}.json"

    def path_for(self, key: str) -> Path:
        """Where a provider should write the clip for `key` (then call `store`)."""
        video, _ = self._paths(key)
        video.parent.mkdir(parents=True, exist_ok=True)
        return video

    def load(self, key: str) -> Clip | None:
        clip = self._read(key)
        if clip is None and self._drop_local(key):
            # A broken working copy: the shared store may still hold a good entry.
            clip = self._read(key)
        return clip

    def _read(self, key: str) -> Clip | None:
        video, meta = self._paths(key)
        # The sidecar first: it is pushed last, so an entry with one is complete.
        if not (
            self.where.pull(_name(meta, self.root)) and self.where.pull(_name(video, self.root))
        ):
            return None
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            clip = _clip_from_json(data, video)
        except (ValueError, KeyError, TypeError):
            return None
        return clip if sha256_file(video) == clip.sha256 else None

    def _drop_local(self, key: str) -> bool:
        """Remove this machine's copy of an entry that did not load; True if there was one."""
        found = False
        for path in self._paths(key):
            if path.is_file():
                path.unlink()
                found = True
        return found

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
        try:
            self.where.push(_name(video, self.root))
            self.where.push(_name(meta, self.root))
        except OSError as exc:  # the clip is made and cached here; only sharing it failed
            _log.warning("clip %s was not shared with other workers: %s", key, exc)
        return _clip_from_json(data, video)


def clip_cache(settings: Settings) -> ClipCache:
    """In the bucket when `REELROUTE_S3_BUCKET` is set (shared by every worker), else local."""
    if settings.s3_bucket:
        from app.store.s3 import Bucket  # boto3 loads only when a bucket is configured

        return ClipCache(S3ClipStore(Bucket.from_settings(settings), settings.clip_cache_dir))
    return ClipCache(settings.clip_cache_dir)


def narration_store(settings: Settings) -> ClipStore | None:
    """The bucket's `narration/` over this machine's narration cache, when there is a bucket."""
    if not settings.s3_bucket:
        return None
    from app.store.s3 import Bucket

    return S3ClipStore(Bucket.from_settings(settings), settings.narration_cache_dir, "narration")


def _name(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


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
