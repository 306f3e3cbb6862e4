"""Raw bytes to clean text: decode safely, refuse what is not prose, normalise the rest.

Every source passes through here before any parser sees it, so parsers can assume: a `str` with
`\\n` newlines only, no tabs or other control characters, no trailing spaces, at most one blank
line in a row, at least one word, and at most `MAX_WORDS` words.
"""

from __future__ import annotations

import re
import unicodedata

from app.ingest.errors import IngestError, InputTooLarge

MAX_WORDS = 20_000  # about two hours of narration: far beyond one video, so surely a mistake
MAX_CONTROL_RATIO = 0.01  # real text has next to no control characters; binary data has many

_ALLOWED_CONTROLS = frozenset("\n\r\t\f")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u3000"), " ")
_BLANK_RUNS = re.compile(r"\n{3,}")

_SAVE_AS_TEXT = "Save the source as plain UTF-8 text (.txt or .md) and try again."


def decode_source(raw: bytes, *, source: str = "input") -> str:
    """Decode raw bytes to normalised text, or raise `IngestError` saying why it is not text.

    UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are accepted;
    text that is not UTF-8 but decodes as Windows-1252 is accepted too, because that is what
    older word processors on Windows still save.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return clean_text(_decode_utf16(raw, source), source=source)
    if b"\x00" in raw:
        raise IngestError(
            "looks like a binary file, not text (it contains NUL bytes)",
            source=source,
            fix=_SAVE_AS_TEXT + " UTF-16 text needs a byte-order mark.",
        )
    return clean_text(_decode_8bit(raw, source), source=source)


def clean_text(text: str, *, source: str = "input") -> str:
    """Validate and normalise already-decoded text (see the module docstring for the result)."""
    _reject_control_characters(text, source)
    _reject_surrogates(text, source)
    text = normalise_text(text)
    _reject_empty(text, source)
    _reject_too_long(text, source)
    return text


def normalise_text(text: str) -> str:
    """Canonical form: NFC, `\\n` newlines, no invisible characters, tidy spacing and blank lines.

    Leading indentation is kept (Markdown nesting and code fences depend on it); tabs become four
    spaces so indentation compares by one rule.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.translate(_INVISIBLE).translate(_SPACES).expandtabs(4)
    # a few stray control characters are tolerated on input (see MAX_CONTROL_RATIO), never kept
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    lines = (line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")


def count_words(text: str) -> int:
    return len(text.split())


def _decode_utf16(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise IngestError(
            f"starts like UTF-16 text but byte {exc.start} cannot be decoded",
            source=source,
            fix=_SAVE_AS_TEXT,
        ) from exc


def _decode_8bit(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            bad = raw[utf8_error.start]
            raise IngestError(
                f"is not valid UTF-8 text (byte 0x{bad:02x} at offset {utf8_error.start}) "
                "and is not Windows-1252 text either",
                source=source,
                fix=_SAVE_AS_TEXT,
            ) from utf8_error


def _reject_control_characters(text: str, source: str) -> None:
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS
    )
    if text and (controls / len(text) > MAX_CONTROL_RATIO or "\x00" in text):
        raise IngestError(
            f"looks like binary data, not text ({controls} control characters "
            f"in {len(text):,} characters)",
            source=source,
            fix=_SAVE_AS_TEXT,
        )


def _reject_surrogates(text: str, source: str) -> None:
    # Only a mis-decoded string carries lone surrogates; it could not even be hashed as UTF-8.
    position = next((i for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff"), None)
    if position is not None:
        raise IngestError(
            f"contains an undecodable character at position {position}",
            source=source,
            fix=_SAVE_AS_TEXT,
        )


def _reject_empty(text: str, source: str) -> None:
    if not any(ch.isalnum() for ch in text):
        what = "is empty" if not text.strip() else "has no words in it, only punctuation"
        raise IngestError(
            f"{what}, so there is nothing to turn into scenes",
            source=source,
            fix="Give a prompt, a script or a Markdown outline with at least one sentence.",
        )


def _reject_too_long(text: str, source: str) -> None:
    words = count_words(text)
    if words > MAX_WORDS:
        raise InputTooLarge(
            f"has {words:,} words; the limit is {MAX_WORDS:,} words per video",
            source=source,
            fix="Split it into several shorter sources, one per video.",
        )
