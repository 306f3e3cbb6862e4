"""`ingest_text` / `ingest_file`: auto-detection, hashing, file errors, determinism, timing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from app.ingest import (
    IngestError,
    SourceKind,
    detect_source_kind,
    ingest_file,
    ingest_text,
)
from app.ingest.text import MAX_WORDS

SCRIPT_TEXT = "First paragraph of the script.\n\nSecond paragraph, a little longer than that."


# -- auto-detection --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        ("A film about bees.", "", SourceKind.PROMPT),
        ("A film about bees.\nWith a second line.", "", SourceKind.PROMPT),
        ("A film about bees.", ".md", SourceKind.OUTLINE),
        ("A film about bees.", ".MARKDOWN", SourceKind.OUTLINE),
        ("# Bees\n\nThey dance.", "", SourceKind.OUTLINE),
        ("Intro.\n\n## Part two\n\nMore.", ".txt", SourceKind.OUTLINE),
        ("- one thing\n- another thing\n- a third", "", SourceKind.OUTLINE),
        ("```\ncode\n```", "", SourceKind.OUTLINE),
        (SCRIPT_TEXT, "", SourceKind.SCRIPT),
        ("word " * 60, "", SourceKind.SCRIPT),
        ("#hashtag is not a heading.\n\nNor is this.", "", SourceKind.SCRIPT),
    ],
)
def test_detect_source_kind(text: str, suffix: str, expected: SourceKind) -> None:
    assert detect_source_kind(text.strip(), suffix=suffix) is expected


def test_explicit_kind_overrides_detection() -> None:
    assert ingest_text("A film about bees.", SourceKind.SCRIPT).source_kind is SourceKind.SCRIPT
    assert len(ingest_text("A film about bees.", SourceKind.SCRIPT).scenes) == 1


def test_markdown_file_is_an_outline(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text("Just one paragraph, no headings at all.\n")
    assert ingest_file(path).source_kind is SourceKind.OUTLINE
    txt = tmp_path / "plan.txt"
    txt.write_text("Just one paragraph, no headings at all.\n")
    assert ingest_file(txt).source_kind is SourceKind.PROMPT


# -- hashing and determinism -----------------------------------------------------------------


def test_source_sha256_is_of_the_raw_bytes(tmp_path: Path) -> None:
    raw = "\ufeffFirst line.\r\n\r\nSecond line.\r\n".encode()
    path = tmp_path / "s.txt"
    path.write_bytes(raw)
    script = ingest_file(path)
    assert script.source_sha256 == "sha256:" + hashlib.sha256(raw).hexdigest()


def test_text_hash_is_of_its_utf8_encoding() -> None:
    expected = "sha256:" + hashlib.sha256(SCRIPT_TEXT.encode("utf-8")).hexdigest()
    assert ingest_text(SCRIPT_TEXT).source_sha256 == expected


def test_ingestion_is_deterministic(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    path.write_text(SCRIPT_TEXT)
    assert ingest_file(path) == ingest_file(path)
    assert ingest_text(SCRIPT_TEXT) == ingest_text(SCRIPT_TEXT)


def test_every_scene_field_is_filled() -> None:
    for scene in ingest_text(SCRIPT_TEXT).scenes:
        assert scene.narration and scene.on_screen_text and scene.visual_prompt
        assert scene.target_duration >= 2.5


# -- bad inputs ------------------------------------------------------------------------------


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(IngestError) as info:
        ingest_file(path)
    assert str(path) in str(info.value)
    assert "not found" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="is a folder"):
        ingest_file(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("secret")
    path.chmod(0)
    try:
        with pytest.raises(IngestError, match="permission denied"):
            ingest_file(path)
    finally:
        path.chmod(0o600)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01")
    with pytest.raises(IngestError, match=r"photo\.txt: looks like a binary file"):
        ingest_file(path)


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_bytes(b"caf\x81\x8d text")
    with pytest.raises(IngestError, match="not valid UTF-8"):
        ingest_file(path)


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t"])
def test_empty_text(text: str) -> None:
    with pytest.raises(IngestError, match="text input: is empty"):
        ingest_text(text)


def test_too_many_words(tmp_path: Path) -> None:
    path = tmp_path / "book.txt"
    path.write_text("word " * (MAX_WORDS + 5))
    with pytest.raises(IngestError, match="20,005 words; the limit is 20,000"):
        ingest_file(path)


def test_huge_file_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"a" * 2_000_001)
    with pytest.raises(IngestError, match="larger than 2 MB"):
        ingest_file(path)


def test_nothing_to_narrate() -> None:
    with pytest.raises(IngestError, match="has no narration"):
        ingest_text("[Wide shot]\n\nVISUAL: a slow pan", SourceKind.SCRIPT)


@pytest.mark.parametrize("rate", [0, -5, 30, 1000])
def test_unreasonable_speaking_rate(rate: float) -> None:
    with pytest.raises(IngestError, match="words per minute"):
        ingest_text(SCRIPT_TEXT, words_per_minute=rate)


# -- speaking rate ---------------------------------------------------------------------------


def test_speaking_rate_scales_durations() -> None:
    slow = ingest_text("word " * 40, SourceKind.SCRIPT, words_per_minute=100)
    fast = ingest_text("word " * 40, SourceKind.SCRIPT, words_per_minute=200)
    assert slow.target_duration == pytest.approx(24.5)  # 40 words at 100/min + 0.5 s
    assert fast.target_duration == pytest.approx(12.5)
