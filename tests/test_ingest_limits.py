"""Hostile inputs: images judged by their bytes and capped before any decoder sees them,
standard input capped like files, and the number of scenes capped with a clear error."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.errors import LimitExceeded
from app.ingest import MAX_FILE_BYTES, MAX_SCENES, ingest_file, ingest_text
from app.ingest.image_bytes import MAX_IMAGE_BYTES, ImageInfo, sniff_image
from tests.images import jpeg_header, png_header

runner = CliRunner()


def test_real_image_types_and_sizes_come_from_their_headers(tmp_path: Path) -> None:
    png = tmp_path / "photo.jpg"  # the suffix lies; the bytes decide
    png.write_bytes(png_header(640, 480))
    jpeg = tmp_path / "photo.png"
    jpeg.write_bytes(jpeg_header(1920, 1080))
    assert sniff_image(png) == ImageInfo("png", 640, 480)
    assert sniff_image(jpeg) == ImageInfo("jpeg", 1920, 1080)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not a PNG, JPEG, GIF or WebP"),
        (b"<html><script>alert(1)</script></html>", "not a PNG, JPEG, GIF or WebP"),
        (png_header(60_000, 60_000), "60000x60000 pixels, over the cap"),
        (png_header(20_000, 100), "over the cap"),  # one side too long
        (jpeg_header(9000, 9000), "9000x9000 pixels"),
        (png_header(0, 10), "no size"),
    ],
)
def test_hostile_images_are_refused_with_the_reason(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(data)
    found = sniff_image(path)
    assert isinstance(found, str) and reason in found


def test_an_oversized_image_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    with huge.open("wb") as handle:  # sparse: costs no disk, but stat says 25 MB
        handle.write(png_header(100, 100))
        handle.truncate(MAX_IMAGE_BYTES + 5_000_000)
    found = sniff_image(huge)
    assert isinstance(found, str) and "over the 20 MB cap" in found


def test_an_outline_ignores_a_pixel_bomb_with_a_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "bomb.png").write_bytes(png_header(65_000, 65_000))
    (tmp_path / "fine.png").write_bytes(png_header(800, 600))
    outline = tmp_path / "talk.md"
    outline.write_text("# Talk\n\nA bomb. ![x](bomb.png)\n\nA fine one. ![y](fine.png)\n")
    with caplog.at_level(logging.WARNING, logger="app.ingest"):
        scenes = ingest_file(outline).scenes
    assert scenes[1].image_hint is None and "over the cap" in caplog.text
    assert scenes[2].image_hint == (tmp_path / "fine.png").resolve()


def test_too_many_scenes_is_a_clear_limit_error() -> None:
    text = "\n\n".join(f"Paragraph number {i} says one thing." for i in range(MAX_SCENES + 1))
    with pytest.raises(LimitExceeded, match=f"limit of {MAX_SCENES} scenes") as info:
        ingest_text(text)
    assert info.value.code == "limit_exceeded" and "split it" in info.value.message
    assert len(ingest_text("\n\n".join(text.split("\n\n")[:MAX_SCENES])).scenes) <= MAX_SCENES


def test_the_cli_names_the_scene_limit() -> None:
    Path("long.txt").write_text("\n\n".join(f"Scene {i} is here." for i in range(MAX_SCENES + 5)))
    result = runner.invoke(app, ["plan", "long.txt"])
    assert result.exit_code == 1
    assert f"too large: long.txt: {MAX_SCENES + 5} scenes" in result.output


def test_standard_input_is_capped_like_a_file(tmp_path: Path) -> None:
    """A real process reading a real pipe: the cap holds before the whole stream is read."""
    reelroute = Path(sys.executable).with_name("reelroute")
    payload = b"word " * (MAX_FILE_BYTES // 5 + 1000)
    done = subprocess.run(
        [str(reelroute), "plan", "-"], input=payload, capture_output=True, timeout=60
    )
    assert done.returncode == 1
    assert b"standard input: is larger than 2 MB" in done.stderr
    assert b"Traceback" not in done.stderr


def test_standard_input_within_the_cap_is_planned() -> None:
    result = runner.invoke(app, ["plan", "-", "--json"], input="A harbour at dawn.\n\nBoats.\n")
    assert result.exit_code == 0, result.output
    assert '"chosen"' in result.output


def test_size_caps_are_limit_errors_with_the_limit_in_the_message(tmp_path: Path) -> None:
    with pytest.raises(LimitExceeded, match="larger than 2 MB") as info:
        ingest_text("word " * (MAX_FILE_BYTES // 5 + 1))
    assert (info.value.code, info.value.http_status) == ("limit_exceeded", 413)
    with pytest.raises(LimitExceeded, match="the limit is 20,000 words"):
        ingest_text("word " * 20_001)
