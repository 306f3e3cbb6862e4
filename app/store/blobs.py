"""Files behind one interface: the local folder by default (the scale-out issue adds S3).

Keys are `/`-separated relative names (`renders/<id>/manifest.json`); a key can never climb
out of the store's root.
"""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath
from typing import Protocol


class BlobKeyError(ValueError):
    """A key that is absolute, empty or climbs out of the store."""


class BlobStore(Protocol):
    def put_tree(self, prefix: str, folder: Path) -> list[str]:
        """Move every file under `folder` to `prefix/<relative path>`; returns the keys."""
        ...

    def local_path(self, key: str) -> Path | None:
        """A readable local file holding the blob, or None when it doesn't exist."""
        ...

    def delete_tree(self, prefix: str) -> None: ...


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

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def delete_tree(self, prefix: str) -> None:
        shutil.rmtree(self._path(prefix), ignore_errors=True)
