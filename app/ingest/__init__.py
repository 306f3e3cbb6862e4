"""Ingestion: a prompt, script or Markdown outline → a `Script` of `Scene`s. Offline, deterministic.

    ingest_file(path)   read a file (bytes → text safely), then as `ingest_text`
    ingest_text(text)   detect the source kind unless given, parse, derive every scene field

The pipeline inside: `text` (decode, validate, normalise) → `detect` → one parser (`prompt`,
`script`, `outline`) producing `SceneDraft`s → `draft.build_scenes` (kind via `classify`,
on-screen text via `headline`, visual prompt via `visual`, duration via `timing`).

Every failure the user can fix is an `IngestError` (a `ValueError`) whose message names the
source and says what to do. Notes that do not stop ingestion (an image that cannot be used, an
unclosed code fence) are logged as warnings under the `app.ingest` logger.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

from app.errors import LimitExceeded
from app.ingest.detect import detect_source_kind
from app.ingest.draft import ParsedSource, build_scenes
from app.ingest.errors import IngestError, InputTooLarge
from app.ingest.model import Scene, Script, SourceKind
from app.ingest.outline import parse_outline
from app.ingest.prompt import parse_prompt
from app.ingest.script import parse_script
from app.ingest.text import clean_text, decode_source
from app.ingest.timing import DEFAULT_WORDS_PER_MINUTE, check_speaking_rate

__all__ = [
    "IngestError",
    "Scene",
    "Script",
    "SourceKind",
    "detect_source_kind",
    "ingest_file",
    "ingest_text",
    "read_source_bytes",
    "read_stream_bytes",
]

MAX_FILE_BYTES = 2_000_000  # ten times what 20,000 words take; refuse before reading it all
MAX_SCENES = 200  # about 17 minutes at the shortest scene length; beyond it, split the video
TEXT_SOURCE_NAME = "text input"
UNTITLED = "Untitled video"


def ingest_text(
    text: str,
    kind: SourceKind | None = None,
    *,
    title: str | None = None,
    base_dir: Path | None = None,
    words_per_minute: float = DEFAULT_WORDS_PER_MINUTE,
    source_name: str | None = None,
) -> Script:
    """A `Script` from text in memory. `base_dir` is where relative image paths are looked up;
    `source_name` names the input in messages (default: "text input")."""
    check_speaking_rate(words_per_minute)
    source = source_name or TEXT_SOURCE_NAME
    if len(text) > MAX_FILE_BYTES:  # characters ≤ bytes: the file cap holds for text too
        raise _too_large(source)
    cleaned = clean_text(text, source=source)
    raw = text.encode("utf-8")  # clean_text refused lone surrogates, so this cannot fail
    return _ingest(
        cleaned,
        raw,
        kind,
        title=title,
        base_dir=base_dir,
        words_per_minute=words_per_minute,
        source=source,
    )


def ingest_file(
    path: Path,
    kind: SourceKind | None = None,
    *,
    title: str | None = None,
    base_dir: Path | None = None,
    words_per_minute: float = DEFAULT_WORDS_PER_MINUTE,
) -> Script:
    """A `Script` from a file; `.md`/`.markdown` files are outlines unless `kind` says otherwise.

    Relative image paths are looked up next to the file unless `base_dir` is given.
    """
    path = Path(path)
    check_speaking_rate(words_per_minute)
    raw = read_source_bytes(path)
    text = decode_source(raw, source=str(path))
    return _ingest(
        text,
        raw,
        kind or detect_source_kind(text, suffix=path.suffix),
        title=title,
        base_dir=base_dir if base_dir is not None else path.parent,
        words_per_minute=words_per_minute,
        source=str(path),
    )


def read_stream_bytes(stream: BinaryIO, source: str = "standard input") -> bytes:
    """At most `MAX_FILE_BYTES` from a stream (standard input), refused like a file beyond it."""
    raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large(source)
    return raw


def _too_large(source: str) -> IngestError:
    return InputTooLarge(
        f"is larger than {MAX_FILE_BYTES // 1_000_000} MB, far more than one video can narrate",
        source=source,
        fix="Give a prompt, script or outline of at most 20,000 words.",
    )


def read_source_bytes(path: Path) -> bytes:
    """The file's bytes, or an `IngestError` naming the path and the reason it cannot be read."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise IngestError("file not found", source=str(path), fix="Check the path.") from exc
    except IsADirectoryError as exc:
        raise IngestError(
            "is a folder, not a file", source=str(path), fix="Give the path of one text file."
        ) from exc
    except PermissionError as exc:
        raise IngestError(
            "cannot be read: permission denied", source=str(path), fix="Check its permissions."
        ) from exc
    except OSError as exc:
        raise IngestError(f"cannot be read ({exc.strerror or exc})", source=str(path)) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large(str(path))
    return raw


def source_sha256(raw: bytes) -> str:
    """The manifest's hash of the input as received, tagged with its algorithm."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _ingest(
    text: str,
    raw: bytes,
    kind: SourceKind | None,
    *,
    title: str | None,
    base_dir: Path | None,
    words_per_minute: float,
    source: str,
) -> Script:
    kind = kind or detect_source_kind(text)
    parsed = _parse(text, kind, base_dir)
    if not parsed.drafts:
        raise IngestError(
            "has no narration: only headings, directions, code or images were found",
            source=source,
            fix="Add at least one sentence for the narrator to say.",
        )
    if len(parsed.drafts) > MAX_SCENES:
        raise LimitExceeded(
            f"{source}: {len(parsed.drafts)} scenes is more than the limit of {MAX_SCENES} "
            "scenes in one video; split it into several videos",
            field="source",
        )
    scenes = build_scenes(parsed.drafts, words_per_minute=words_per_minute, mood=parsed.mood)
    return Script(
        title=(title or "").strip() or parsed.title or scenes[0].on_screen_text or UNTITLED,
        source_kind=kind,
        source_sha256=source_sha256(raw),
        scenes=scenes,
    )


def _parse(text: str, kind: SourceKind, base_dir: Path | None) -> ParsedSource:
    if kind is SourceKind.OUTLINE:
        return parse_outline(text, base_dir=base_dir)
    if kind is SourceKind.SCRIPT:
        return parse_script(text)
    return parse_prompt(text)
