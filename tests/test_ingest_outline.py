"""Markdown outlines: title, sections, bullets, directions, images, and what is skipped."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.ingest import SourceKind, ingest_file, ingest_text
from providers.types import SceneKind
from tests.images import png_header

OUTLINE = """# Night Trains

An overnight journey across the continent.

## Boarding

- Passengers find their cabins
  - small, warm and *surprisingly* quiet
- The conductor checks **every** ticket

> VISUAL: a steam-wreathed platform at midnight

- The train pulls away

## Arrival

Morning light over the fields.
"""


def test_title_sections_bullets_and_paragraphs() -> None:
    script = ingest_text(OUTLINE)
    assert script.source_kind is SourceKind.OUTLINE
    assert script.title == "Night Trains"
    got = [(s.section, s.narration) for s in script.scenes]
    assert got == [
        ("", "Night Trains"),
        ("", "An overnight journey across the continent."),
        ("Boarding", "Passengers find their cabins. Small, warm and surprisingly quiet."),
        ("Boarding", "The conductor checks every ticket."),
        ("Boarding", "The train pulls away."),
        ("Arrival", "Morning light over the fields."),
    ]
    assert script.scenes[0].kind is SceneKind.TEXT


def test_first_scene_of_a_section_shows_the_heading() -> None:
    scenes = ingest_text(OUTLINE).scenes
    assert scenes[2].on_screen_text == "Boarding"
    assert scenes[3].on_screen_text != "Boarding"
    assert scenes[5].on_screen_text == "Arrival"


def test_standalone_visual_blockquote_applies_to_the_next_scene() -> None:
    scenes = ingest_text(OUTLINE).scenes
    assert scenes[4].visual_prompt == "A steam-wreathed platform at midnight"
    assert scenes[3].visual_prompt != scenes[4].visual_prompt


def test_indented_visual_belongs_to_its_bullet() -> None:
    text = "# T\n\n- Lanterns glow\n  > VISUAL: paper lanterns over a canal\n- Boats drift\n"
    scenes = ingest_text(text).scenes
    assert scenes[1].visual_prompt == "Paper lanterns over a canal"
    assert scenes[1].narration == "Lanterns glow."


def test_plain_blockquote_is_spoken_as_a_quotation() -> None:
    scene = ingest_text("# T\n\n> Slow is smooth, and smooth is fast.\n").scenes[1]
    assert scene.narration == "“Slow is smooth, and smooth is fast.”"
    assert scene.on_screen_text == "“Slow is smooth, and smooth is fast”"
    assert scene.kind is SceneKind.TEXT


def test_code_fences_are_skipped() -> None:
    text = "# Setup\n\n```bash\n# not a heading\npip install thing\n```\n\nThen run it.\n"
    script = ingest_text(text)
    assert [s.narration for s in script.scenes] == ["Setup", "Then run it."]


def test_unclosed_fence_runs_to_the_end_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    text = "# T\n\nBefore the code.\n\n~~~\nprint('x')\n\nStill code.\n"
    with caplog.at_level(logging.WARNING, logger="app.ingest"):
        scenes = ingest_text(text).scenes
    assert [s.narration for s in scenes] == ["T", "Before the code."]
    assert "never closed" in caplog.text


def test_markdown_inline_formatting_is_not_spoken() -> None:
    text = "# T\n\n- Read [the guide](https://x.test) and run `make`, ~~not~~ <b>now</b> \\*ok\\*\n"
    scene = ingest_text(text).scenes[1]
    assert scene.narration == "Read the guide and run make, not now *ok*."


def test_front_matter_title_and_setext_headings() -> None:
    text = '---\ntitle: "Quiet Rooms"\ndate: 2024-01-01\n---\n\nLibraries\n---------\n\nHush.\n'
    script = ingest_text(text, SourceKind.OUTLINE)
    assert script.title == "Quiet Rooms"
    assert [(s.section, s.narration) for s in script.scenes] == [
        ("", "Quiet Rooms"),
        ("Libraries", "Hush."),
    ]


def test_thematic_breaks_tables_and_reference_links_are_skipped() -> None:
    text = "# T\n\n***\n\n| a | b |\n|---|---|\n\n[ref]: https://x.test\n\nOnly this.\n"
    assert [s.narration for s in ingest_text(text).scenes] == ["T", "Only this."]


def test_empty_section_becomes_a_section_card() -> None:
    text = "# T\n\n## Coming soon\n\n## Details\n\nThe lamp is warm.\n"
    scenes = ingest_text(text).scenes
    assert [(s.section, s.narration) for s in scenes[1:]] == [
        ("Coming soon", "Coming soon."),
        ("Details", "The lamp is warm."),
    ]
    assert scenes[1].on_screen_text == "Coming soon"


def test_headings_only_outline_still_has_scenes() -> None:
    scenes = ingest_text("# Plan\n\n## One\n\n## Two\n").scenes
    assert [s.narration for s in scenes] == ["Plan", "One.", "Two."]


def test_long_bullet_is_split_into_scenes() -> None:
    sentence = "This bullet keeps going with one more clause about the harbour lights."
    scenes = ingest_text("# T\n\n- " + " ".join([sentence] * 6) + "\n").scenes
    assert len(scenes) == 1 + 2
    assert all(len(s.narration.split()) <= 45 for s in scenes)


# -- images ----------------------------------------------------------------------------------


@pytest.fixture()
def outline_dir(tmp_path: Path) -> Path:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "lamp.png").write_bytes(png_header(64, 48))
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def _write(folder: Path, text: str) -> Path:
    path = folder / "outline.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_local_image_becomes_the_hint_and_alt_the_visual(outline_dir: Path) -> None:
    path = _write(
        outline_dir, "# T\n\n- A lamp on a desk ![Brass lamp, warm light](img/lamp.png)\n"
    )
    scene = ingest_file(path).scenes[1]
    assert scene.image_hint == (outline_dir / "img" / "lamp.png").resolve()
    assert scene.visual_prompt == "Brass lamp, warm light"
    assert scene.narration == "A lamp on a desk."


def test_standalone_image_applies_to_the_next_scene(outline_dir: Path) -> None:
    text = '# T\n\n![](<img/lamp.png> "title")\n\nIt glows.\n\nIt dims.\n'
    scenes = ingest_file(_write(outline_dir, text)).scenes
    assert scenes[1].image_hint is not None
    assert scenes[2].image_hint is None


def test_image_with_explicit_base_dir(outline_dir: Path) -> None:
    script = ingest_text("# T\n\nIt glows. ![lamp](img/lamp.png)\n", base_dir=outline_dir)
    assert script.scenes[1].image_hint == (outline_dir / "img" / "lamp.png").resolve()


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("https://example.com/lamp.png", "remote images are not fetched"),
        ("//cdn.example.com/lamp.png", "remote images are not fetched"),
        ("img/missing.png", "does not exist"),
        ("../outside.png", "outside the source's folder"),
        ("/etc/hostname.png", "outside the source's folder"),
        ("notes.txt", "not a PNG, JPEG, GIF or WebP image"),
    ],
)
def test_unusable_images_are_ignored_with_a_note(
    outline_dir: Path, reference: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = _write(outline_dir, f"# T\n\nIt glows. ![x]({reference})\n")
    with caplog.at_level(logging.WARNING, logger="app.ingest"):
        scene = ingest_file(path).scenes[1]
    assert scene.image_hint is None
    assert reason in caplog.text


def test_pasted_outline_cannot_resolve_relative_images(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="app.ingest"):
        scene = ingest_text("# T\n\nIt glows. ![x](img/lamp.png)\n").scenes[1]
    assert scene.image_hint is None
    assert "no folder" in caplog.text
