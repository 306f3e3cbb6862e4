"""A render's own work folder under the data folder, and the cleanup of abandoned ones.

Each render holds an `flock` on `<scratch>/render-<id>.lock` for as long as its folder
`<scratch>/render-<id>/` exists. The kernel drops the lock when the process dies, however it
dies, so any `render-*` folder whose lock can be taken is abandoned (a SIGKILL, or a thread that
wrote into it after a cancelled render cleaned up) and is removed by the next render, and by
the CLI when its render ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from pathlib import Path
from types import TracebackType


def _lock(path: Path, blocking: bool) -> int | None:
    """An fd holding the lock on `path` (the file is re-checked after locking, so a lock on a
    file someone else just deleted is never mistaken for the real one), or None if held."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def sweep_work(scratch: Path) -> None:
    """Remove every work folder, and every lock file, whose render is no longer running (a
    kill can land between taking the lock and making the folder, or between the two removals,
    so a lock file may be left alone)."""
    with contextlib.suppress(OSError):
        names = {p.name.removesuffix(".lock") for p in scratch.glob("render-*")}
        for name in sorted(names):
            folder, lock = scratch / name, scratch / f"{name}.lock"
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                continue  # not ours: never follow or remove it
            fd = _lock(lock, blocking=False)
            if fd is None:
                continue  # its render is alive
            try:
                shutil.rmtree(folder, ignore_errors=True)
                lock.unlink(missing_ok=True)
            finally:
                os.close(fd)


class WorkFolder:
    """`<scratch>/render-<id>/`, locked while the render runs and removed when it ends."""

    def __init__(self, scratch: Path, render_id: str) -> None:
        self.path = scratch / f"render-{render_id}"
        self._lock_path = scratch / f"render-{render_id}.lock"
        self._fd: int | None = None

    def __enter__(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        sweep_work(self.path.parent)
        self._fd = _lock(self._lock_path, blocking=True)
        self.path.mkdir()
        return self.path

    def __exit__(
        self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._lock_path.unlink(missing_ok=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
