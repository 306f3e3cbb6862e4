"""Bytes to text: decoding, refusing binary and oversized input, normalising whitespace."""

from __future__ import annotations

import pytest

from app.ingest.errors import IngestError
from app.ingest.text import MAX_WORDS, clean_text, count_words, decode_source, normalise_text


def test_utf8_with_and_without_bom() -> None:
    assert decode_source("Crème brûlée.".encode()) == "Crème brûlée."
    assert decode_source(b"\xef\xbb\xbfHello there.") == "Hello there."


def test_utf16_with_bom() -> None:
    assert decode_source("Hello, world.".encode("utf-16")) == "Hello, world."


def test_windows_1252_fallback() -> None:
    # Smart quotes and é as an old word processor on Windows saves them.
    raw = b"\x93Caf\xe9\x94 is open."
    assert decode_source(raw) == "“Café” is open."


def test_undecodable_bytes_say_where() -> None:
    with pytest.raises(IngestError) as info:
        decode_source(b"hello \x81\x8d\x8f world", source="notes.txt")
    message = str(info.value)
    assert message.startswith("notes.txt: is not valid UTF-8")
    assert "0x81 at offset 6" in message
    assert "UTF-8" in info.value.fix


def test_nul_bytes_mean_binary() -> None:
    with pytest.raises(IngestError, match="binary file"):
        decode_source(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", source="image.png")


def test_many_control_characters_mean_binary() -> None:
    raw = bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 10 + b"some words in between"
    with pytest.raises(IngestError, match="control characters"):
        decode_source(raw)


def test_a_stray_control_character_is_tolerated_and_removed() -> None:
    text = "A" * 200 + "\x07" + " long sentence."
    assert "\x07" not in clean_text(text)


@pytest.mark.parametrize("raw", [b"", b"   ", b"\n\n\t  \r\n", "\u00a0\u200b".encode()])
def test_empty_and_whitespace_only(raw: bytes) -> None:
    with pytest.raises(IngestError, match="is empty"):
        decode_source(raw, source="blank.txt")


def test_punctuation_only_is_not_text() -> None:
    with pytest.raises(IngestError, match="no words"):
        decode_source(b"... !!! ---")


def test_word_limit_names_the_count_and_the_limit() -> None:
    text = "word " * (MAX_WORDS + 1)
    with pytest.raises(IngestError) as info:
        clean_text(text, source="book.txt")
    assert "20,001 words" in str(info.value)
    assert "limit is 20,000" in str(info.value)


def test_word_limit_is_inclusive() -> None:
    assert count_words(clean_text("word " * MAX_WORDS)) == MAX_WORDS


def test_lone_surrogates_are_refused() -> None:
    with pytest.raises(IngestError, match="undecodable character"):
        clean_text("bad \udc80 text")


def test_normalise_newlines_spaces_and_blank_lines() -> None:
    raw = "Title\r\n\r\n\r\n\r\nFirst\u00a0line   \rsecond\tline\u200b\n\n\n"
    assert normalise_text(raw) == "Title\n\nFirst line\nsecond  line"


def test_normalise_keeps_indentation_for_markdown() -> None:
    assert normalise_text("- a\n\t- b\n    - c") == "- a\n    - b\n    - c"


def test_normalise_composes_accents() -> None:
    assert normalise_text("Cafe\u0301") == "Café"
