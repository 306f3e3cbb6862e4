"""A draft's files go to the blob store in the order they were last written, each once per
write burst, a stale draft of an interrupted run cleared first, a vanished file skipped."""

from __future__ import annotations

from pathlib import Path

from app.pipeline.draft_outbox import DraftOutbox
from app.store.blobs import LocalBlobStore


class Recording(LocalBlobStore):
    """The local store, noting every upload and deletion in order."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.log: list[str] = []

    def put_file(self, key: str, path: Path) -> None:
        self.log.append(f"put {key} {path.read_text()}")
        super().put_file(key, path)

    def delete_tree(self, prefix: str) -> None:
        self.log.append(f"clear {prefix}")
        super().delete_tree(prefix)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


async def test_files_go_up_in_write_order_once_each(tmp_path: Path) -> None:
    store = Recording(tmp_path / "blobs")
    stale = tmp_path / "stale.ts"
    stale.write_text("old run")
    store.put_file("drafts/rnd_1/seg_0000.r7.ts", stale)  # an interrupted run's draft
    store.log.clear()
    folder = tmp_path / "draft"
    folder.mkdir()
    outbox = DraftOutbox(store, "rnd_1")

    outbox.send(_write(folder, "manifest.json", "m1"))
    outbox.send(_write(folder, "seg_0000.r0.ts", "s0"))
    outbox.send(_write(folder, "manifest.json", "m2"))  # again while waiting: once, after s0
    gone = _write(folder, "seg_0001.r0.ts", "s1")
    outbox.send(gone)
    gone.unlink()  # removed before its turn: skipped
    await outbox.flush()
    assert store.log == [
        "clear drafts/rnd_1",
        "put drafts/rnd_1/seg_0000.r0.ts s0",
        "put drafts/rnd_1/manifest.json m2",
    ]
    assert store.read("drafts/rnd_1/seg_0000.r7.ts") is None  # the stale draft went
    assert store.read("drafts/rnd_1/manifest.json") == b"m2"

    outbox.send(_write(folder, "manifest.json", "m3"))  # a later burst: uploaded again
    await outbox.flush()
    assert store.log[-1] == "put drafts/rnd_1/manifest.json m3"
    assert store.read("drafts/rnd_1/manifest.json") == b"m3"
    assert store.read("drafts/rnd_1/nothing.ts") is None


class Unreachable(Recording):
    """A store that refuses every upload, as a bucket out of reach does."""

    def put_file(self, key: str, path: Path) -> None:
        self.log.append(f"refused {key}")
        raise OSError("the bucket is unreachable")


async def test_a_failed_upload_is_skipped_never_raised(tmp_path: Path) -> None:
    store = Unreachable(tmp_path / "blobs")
    folder = tmp_path / "draft"
    folder.mkdir()
    outbox = DraftOutbox(store, "rnd_2")
    outbox.send(_write(folder, "seg_0000.r0.ts", "s0"))
    outbox.send(_write(folder, "manifest.json", "m1"))
    await outbox.flush()  # the draft (and so the render) goes on
    assert store.log == [
        "clear drafts/rnd_2",
        "refused drafts/rnd_2/seg_0000.r0.ts",
        "refused drafts/rnd_2/manifest.json",
    ]
