"""The local index of output fingerprints that `reelroute verify --find` searches.

Every render the CLI (or any caller of `render_script` with a local index) finishes adds its
outputs here, in a small SQLite file in the data folder, so that finding a stripped copy needs
no server. The service keeps its renders' fingerprints in its ledger instead, per tenant
(`app.store.fingerprints`); both are searched with `matching`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

from app.provenance.fingerprint import FPS, Hashes, align
from app.provenance.fingerprint import Alignment as Alignment

INDEX_FILE = "fingerprints.sqlite"
_SCHEMA = """CREATE TABLE IF NOT EXISTS outputs (
    render_id TEXT NOT NULL, aspect TEXT NOT NULL, file TEXT NOT NULL,
    out_dir TEXT NOT NULL, fps INTEGER NOT NULL, hashes BLOB NOT NULL,
    PRIMARY KEY (render_id, aspect))"""


@dataclass(frozen=True)
class IndexedOutput:
    render_id: str
    aspect: str
    file: str  # relative to out_dir
    out_dir: Path  # the render folder (its manifest.json sits there)
    hashes: Hashes
    fps: int = FPS

    @property
    def manifest(self) -> Path:
        return self.out_dir / "manifest.json"


@dataclass(frozen=True)
class Found:
    output: IndexedOutput
    alignment: Alignment


class FingerprintIndex(Protocol):
    def add(self, entry: IndexedOutput) -> None: ...

    def entries(self) -> Iterator[IndexedOutput]: ...


class SqliteFingerprintIndex:
    """`FingerprintIndex` in `<data_dir>/fingerprints.sqlite` (stdlib sqlite3)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> SqliteFingerprintIndex:
        return cls(data_dir / INDEX_FILE)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute(_SCHEMA)
        return db

    def add(self, entry: IndexedOutput) -> None:
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?)",
                (entry.render_id, entry.aspect, entry.file, str(entry.out_dir.resolve()),
                 entry.fps, entry.hashes.astype(">u8").tobytes()),
            )  # fmt: skip

    def entries(self) -> Iterator[IndexedOutput]:
        if not self.path.is_file():
            return
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM outputs ORDER BY render_id, aspect").fetchall()
        for render_id, aspect, file, out_dir, fps, blob in rows:
            hashes = np.frombuffer(blob, dtype=">u8").astype(np.uint64)
            yield IndexedOutput(render_id, aspect, file, Path(out_dir), hashes, int(fps))


class Candidate(Protocol):
    """A stored output fingerprint, wherever it is kept (this index, the service's ledger)."""

    @property
    def hashes(self) -> Hashes: ...

    @property
    def fps(self) -> int: ...


C = TypeVar("C", bound=Candidate)


def matching(candidates: Iterable[C], query_fine: Hashes) -> list[tuple[C, Alignment]]:
    """The candidates the copy (hashed at QUERY_FPS) matches, best first."""
    found = []
    for entry in candidates:
        alignment = align(query_fine, entry.hashes, entry.fps)
        if alignment is not None and alignment.matches:
            found.append((entry, alignment))
    return sorted(found, key=lambda f: f[1].distance)


def find_copy(index: FingerprintIndex, query_fine: Hashes) -> list[Found]:
    """Known outputs the copy matches, best first (empty when none does)."""
    return [Found(entry, alignment) for entry, alignment in matching(index.entries(), query_fine)]
