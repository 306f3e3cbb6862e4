"""The output folder, safe to share: one render at a time, and only complete sets ever in it.

A render is made in its own work folder (under the data folder, never in the output folder).
When it is finished, `publish` makes it appear in the output folder at once:

1. the finished set is moved next to the output folder, into `.<name>.reelroute-new-<id>`;
2. entries of the output folder that are not the previous render's are hard-linked into it
   (files and symbolic links as themselves: a link found there is never followed);
3. the two folders are swapped with one `renameat2(RENAME_EXCHANGE)`: a kill before this step
   leaves the previous complete render, a kill after it the new complete render;
4. sub-folders a user keeps there are moved across, and the previous render is deleted.

Where the swap is impossible (the output folder is a mount point, or its parent folder is not
writable), files are moved in one by one with the manifest last; that fallback cannot promise
the same under a kill, and says so in the docs.

`OutputLock` keeps two renders out of one folder: the second is refused with `OutputBusy`
naming the render that holds it. Leftovers of a killed render (its hidden sibling folders) are
cleaned up by the next render that takes the lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from app.errors import OutputBusy, SetupError

RENDER_FILES = frozenset(
    {"manifest.json", "disclosure.vtt", "report.html", "captions.srt", "captions.vtt"}
)
MAX_MANIFEST_BYTES = 50_000_000  # a previous manifest larger than this is not ours
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100

Step = Callable[[str], None]  # called between publishing steps (tests kill the process there)


def _no_step(_name: str) -> None:
    return None


def check_writable(folder: Path, what: str) -> None:
    """Create `folder` if needed and prove a file can be written there; else `SetupError`."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".reelroute-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SetupError(f"the {what} {folder} is not writable ({reason})", field=what) from exc


def check_output_folder(out_dir: Path) -> None:
    """Refuse an output folder that is a symbolic link or not a folder, before any work."""
    if out_dir.is_symlink():
        raise SetupError(
            f"the output folder {out_dir} is a symbolic link; give the real folder",
            field="out_dir",
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise SetupError(f"the output folder {out_dir} is not a folder", field="out_dir")
    check_writable(out_dir, "output folder")


def _siblings(out_dir: Path, kind: str) -> Iterator[Path]:
    parent = out_dir.parent
    prefix = f".{out_dir.name}.reelroute-{kind}-"
    with contextlib.suppress(OSError):
        for entry in parent.iterdir():
            if entry.name.startswith(prefix) and not entry.is_symlink() and entry.is_dir():
                yield entry


class OutputLock:
    """An exclusive lock on an output folder for one render (an advisory `flock`).

    The lock file sits next to the folder (`.<name>.reelroute-lock`) because the folder itself
    is swapped on publish; when that parent is not writable it sits inside the folder."""

    def __init__(self, out_dir: Path, render_id: str) -> None:
        self.out_dir = out_dir
        self.render_id = render_id
        self._fd: int | None = None

    @property
    def path(self) -> Path:
        parent = self.out_dir.parent
        if os.access(parent, os.W_OK):
            return parent / f".{self.out_dir.name}.reelroute-lock"
        return self.out_dir / ".reelroute-lock"

    def __enter__(self) -> OutputLock:
        path = self.path
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as exc:
            raise SetupError(f"cannot lock {self.out_dir}: {path}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            raise OutputBusy(
                f"another render ({holder}) is writing into {self.out_dir}; wait for it to "
                "finish or choose another output folder",
                field="out_dir",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"render {self.render_id}, pid {os.getpid()}\n".encode(), 0)
        self._fd = fd
        sweep_leftovers(self.out_dir)
        return self

    def __exit__(
        self, typ: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the flock; the file stays (deleting it would race)
            self._fd = None


def sweep_leftovers(out_dir: Path) -> None:
    """Remove what a killed render left next to `out_dir` (the lock must be held)."""
    for kind in ("new", "old"):
        for stale in _siblings(out_dir, kind):
            # What is not a render's there is the user's (moved aside mid-publish): put it back.
            _carry_foreign(stale, out_dir, _render_names(stale), dirs_only=False)
            shutil.rmtree(stale, ignore_errors=True)


def _render_names(folder: Path) -> frozenset[str]:
    """Names in `folder` that belong to the render whose manifest is there (never followed)."""
    names = set(RENDER_FILES)
    try:
        fd = os.open(folder / "manifest.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return frozenset(names)
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(MAX_MANIFEST_BYTES + 1)
    try:
        outputs = json.loads(raw)["outputs"] if len(raw) <= MAX_MANIFEST_BYTES else []
        names |= {str(o["file"]) for o in outputs if "/" not in str(o["file"])}
    except (ValueError, KeyError, TypeError):
        pass
    return frozenset(names)


def _carry_foreign(src: Path, dest: Path, skip: frozenset[str], *, dirs_only: bool) -> None:
    """Move entries of `src` that are not a render's into `dest` where the name is free."""
    for entry in list(src.iterdir()):
        is_dir = entry.is_dir() and not entry.is_symlink()
        if entry.name in skip or (dirs_only and not is_dir):
            continue
        target = dest / entry.name
        if not target.exists() and not target.is_symlink():
            with contextlib.suppress(OSError):
                os.rename(entry, target)  # renames the entry itself; a link is not followed


def _link_foreign(out_dir: Path, new: Path, skip: frozenset[str]) -> None:
    """Hard-link the user's own files (and links, as links) into the new set before the swap."""
    for entry in out_dir.iterdir():
        if entry.name in skip or (entry.is_dir() and not entry.is_symlink()):
            continue
        if not (new / entry.name).exists():
            with contextlib.suppress(OSError):
                os.link(entry, new / entry.name, follow_symlinks=False)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the kernel or file system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.EBUSY, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _move_tree(src: Path, dest: Path) -> None:
    try:
        os.rename(src, dest)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.copytree(src, dest, symlinks=True)
        shutil.rmtree(src, ignore_errors=True)


def _place(src: Path, dest: Path) -> None:
    """Move one finished file in; across file systems it is copied beside its final name under
    a hidden name first, so no partial file ever carries the final name."""
    try:
        os.replace(src, dest)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        incoming = dest.with_name(f".{dest.name}.incoming")
        shutil.copyfile(src, incoming)
        os.replace(incoming, dest)


def publish(stage: Path, out_dir: Path, render_id: str, step: Step = _no_step) -> None:
    """Make the finished set in `stage` the content of `out_dir` (see the module docstring).
    The caller holds the `OutputLock`."""
    if not os.access(out_dir.parent, os.W_OK):  # nowhere to build the set beside the folder
        names = frozenset(p.name for p in stage.iterdir())
        _publish_in_place(stage, out_dir, _render_names(out_dir), names, step)
        return
    new = out_dir.parent / f".{out_dir.name}.reelroute-new-{render_id}"
    _move_tree(stage, new)
    step("staged")
    if not out_dir.exists():
        os.rename(new, out_dir)
        step("published")
        return
    previous = _render_names(out_dir)
    new_names = frozenset(p.name for p in new.iterdir())
    with contextlib.suppress(OSError):
        os.chmod(new, stat.S_IMODE(out_dir.stat().st_mode))
    _link_foreign(out_dir, new, previous | new_names)
    step("linked")
    if not _exchange(new, out_dir):
        _publish_in_place(new, out_dir, previous, new_names, step)
        return
    step("swapped")
    old = out_dir.parent / f".{out_dir.name}.reelroute-old-{render_id}"
    os.rename(new, old)
    _carry_foreign(old, out_dir, previous | new_names, dirs_only=True)
    step("carried")
    shutil.rmtree(old, ignore_errors=True)
    step("published")


def _publish_in_place(
    new: Path, out_dir: Path, previous: frozenset[str], new_names: frozenset[str], step: Step
) -> None:
    """Fallback without an atomic swap: every file in, the manifest last, then the leftovers
    of the previous render out. `os.replace` replaces a link found there, never follows it."""
    for name in [*sorted(new_names - {"manifest.json"}), "manifest.json"]:
        if name in new_names:
            _place(new / name, out_dir / name)
    step("swapped")
    for name in previous - new_names:
        with contextlib.suppress(FileNotFoundError):
            target = out_dir / name
            if target.is_symlink() or not target.is_dir():
                target.unlink()
    shutil.rmtree(new, ignore_errors=True)
    step("published")
