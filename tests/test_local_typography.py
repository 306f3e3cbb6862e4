"""Fonts, text cleaning, wrapping and fitting: the layout decisions made before ffmpeg runs."""

from __future__ import annotations

import pytest

from providers.local.fonts import FontFace, Weight, load_face
from providers.local.typography import (
    ELLIPSIS,
    Align,
    Fit,
    Ink,
    Region,
    balanced_wrap,
    clean_text,
    fit_block,
    shorten,
    sprite_box,
    wrap,
)


@pytest.fixture(scope="module")
def face() -> FontFace:
    return load_face(Weight.EXTRA_BOLD)


def test_font_tables_are_read(face: FontFace) -> None:
    assert face.units_per_em == 2000
    assert face.ascender > 0 > face.descender
    assert all(face.has(c) for c in "Aé€“”…−×")
    assert not face.has("😀")
    # wider glyphs measure wider, and width scales with size
    assert face.width("W", 100) > face.width("i", 100)
    assert face.width("motion", 200) == pytest.approx(2 * face.width("motion", 100))


def test_clean_text_drops_what_cannot_be_drawn(face: FontFace) -> None:
    raw = "Launch\u200b day 🚀\n\tis\x00 here\u00a0now  ✨"
    assert clean_text(raw, face) == "Launch day is here now"


def test_clean_text_keeps_punctuation_and_accents(face: FontFace) -> None:
    text = "It's 100% “real”: C:\\path [x], y; z — café"
    assert clean_text(text, face) == text


def test_shorten_takes_the_first_sentence() -> None:
    assert shorten("A calm lake at dawn. Birds fly.", 9) == "A calm lake at dawn"
    assert shorten("one two three four five", 3) == "one two three" + ELLIPSIS


def test_wrap_never_exceeds_the_width(face: FontFace) -> None:
    text = "The quick brown fox jumps over the lazy dog " * 5
    for line in wrap(text, face, 60, 500):
        assert face.width(" ".join(line), 60) <= 500


def test_wrap_splits_words_longer_than_a_line(face: FontFace) -> None:
    lines = wrap("x" * 300, face, 60, 400)
    assert len(lines) > 1
    assert "".join(word for line in lines for word in line) == "x" * 300


def test_balanced_wrap_keeps_the_line_count_and_evens_lengths(face: FontFace) -> None:
    text = "Where the mountains meet the morning light"
    greedy = wrap(text, face, 100, 900)
    balanced = balanced_wrap(text, face, 100, 900)
    assert len(balanced) == len(greedy)
    widths = [face.width(" ".join(line), 100) for line in balanced]
    greedy_widths = [face.width(" ".join(line), 100) for line in greedy]
    assert max(widths) - min(widths) <= max(greedy_widths) - min(greedy_widths)


def test_fit_block_stays_inside_its_region(face: FontFace) -> None:
    region = Region(100, 80, 800, 400)
    block = fit_block("Designed motion for every scene", face, region, Fit(130, 40))
    assert block.size <= 130
    assert region.x - 1 <= block.left and block.right <= region.x + region.w + 1
    assert region.y - 1 <= block.top and block.bottom <= region.bottom + 1


def test_fit_block_left_aligns(face: FontFace) -> None:
    region = Region(50, 0, 600, 600)
    block = fit_block("one two three four five six", face, region, Fit(80, 30, align=Align.LEFT))
    assert {round(line.x) for line in block.lines} == {50}


def test_huge_text_is_truncated_with_an_ellipsis(face: FontFace) -> None:
    region = Region(0, 0, 1000, 500)
    block = fit_block("lorem ipsum dolor " * 120, face, region, Fit(120, 40, max_lines=4))
    assert len(block.lines) <= 4
    assert block.lines[-1].text.endswith(ELLIPSIS)
    assert block.size >= 40 * 0.92
    assert block.bottom <= region.bottom + 1
    assert all(line.right <= region.w + 1 for line in block.lines)


def test_sprite_box_has_room_for_shadow_and_panel(face: FontFace) -> None:
    plain = sprite_box(face, "Title", 100, Ink("#ffffff", None))
    boxed = sprite_box(face, "Title", 100, Ink("#ffffff", None, box="#000000", box_pad=0.3))
    assert boxed.pad > plain.pad
    assert plain.width % 2 == 0 and plain.height % 2 == 0
    assert plain.width >= face.width("Title", 100) + 2 * plain.pad - 2


def test_balanced_lines_never_split_a_word_that_fits_whole() -> None:
    from providers.local.spec import load_fonts
    from providers.local.typography import Fit, Region, fit_block

    face = load_fonts().heavy
    # 9:16 at 1080 wide: this used to come out as "THEN / COME / S THE / FAST / PART"
    block = fit_block(
        "THEN COMES THE FAST PART", face, Region(86, 154, 907, 1152), Fit(220, 83, max_lines=5)
    )
    words = [w.text for line in block.lines for w in line.words]
    assert words == ["THEN", "COMES", "THE", "FAST", "PART"]
