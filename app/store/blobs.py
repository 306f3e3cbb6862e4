"""Files behind one interface: the local folder by default, or an S3 bucket (`app.store.s3`)
that every API process and worker shares.

Keys are `/`-separated relative names (`renders/<id>/manifest.json`); a key can never climb
out of the store's root.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from app.config import Settings


class BlobKeyError(ValueError):
    """A key that is absolute, empty or climbs out of the store."""


class BlobStore(Protocol):
    def put_tree(self, prefix: str, folder: Path) -> list[str]:
        """Move every file under `folder` to `prefix/<relative path>`; returns the keys."""
        ...

    def put_file(self, key: str, path: Path) -> None:
        """Copy `path` to `key`, replacing what was there (readers see the old or the new)."""
        ...

    def read(self, key: str) -> bytes | None:
        """The blob's bytes (for small files), or None when it doesn't exist."""
        ...

    def local_path(self, key: str) -> Path | None:
        """A readable local file holding the blob, or None when it doesn't exist."""
        ...

    def delete_tree(self, prefix: str) -> None: ...

    def download_url(self, key: str, filename: str, media_type: str) -> str | None:
        """A short-lived URL a client downloads the blob from directly (S3: presigned), or
        None when the API must stream the file itself. Call it only after the caller's
        right to the blob was checked: the URL is the permission."""
        ...

    def check(self) -> str:
        """Raise OSError when the store can't be used now; else a short description of it
        (for /readyz)."""
        ...


def build_blob_store(settings: Settings) -> BlobStore:
    """The bucket when `REELROUTE_S3_BUCKET` is set, else the local data folder."""
    if settings.s3_bucket:
        from app.store.s3 import S3BlobStore  # boto3 loads only when a bucket is configured

        return S3BlobStore.from_settings(settings)
    return LocalBlobStore(settings.blobs_dir)


def checked_key(key: str) -> str:
    """`key` in its normal form; BlobKeyError when it is empty, absolute or climbs out."""
    return _checked(key).as_posix()


def _checked(key: str) -> PurePosixPath:
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts:
        raise BlobKeyError(f"invalid blob key {key!r}")
    return path


class LocalBlobStore:
    """Blobs as files under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_checked(key).parts)

    def put_tree(self, prefix: str, folder: Path) -> list[str]:
        dest = self._path(prefix)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.move(str(folder), str(dest))
        return sorted(
            f"{prefix}/{p.relative_to(dest).as_posix()}" for p in dest.rglob("*") if p.is_file()
        )

    def put_file(self, key: str, path: Path) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".{dest.name}.partial")
        shutil.copyfile(path, partial)
        partial.replace(dest)

    def read(self, key: str) -> bytes | None:
        path = self._path(key)
        return path.read_bytes() if path.is_file() else None

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def delete_tree(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix), ignore_errors=True)

    def download_url(self, key: str, filename: str, media_type: str) -> str | None:
        return None  # the API streams local files (with HTTP Range)

    def check(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise PermissionError(f"the blob folder {self.root} is not writable")
        return f"local folder {self.root}"
