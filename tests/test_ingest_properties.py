"""Properties that hold for any input: only IngestError escapes, and every Script is well formed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ingest import IngestError, SourceKind, ingest_text
from app.ingest.sentences import MAX_SCENE_WORDS
from app.ingest.text import decode_source

# Text built from pieces that exercise every parser: Markdown marks, directions, figures, quotes.
PIECES = st.sampled_from(
    [
        "# ",
        "## ",
        "- ",
        "  - ",
        "> ",
        "> VISUAL: ",
        "[shot] ",
        "VISUAL: ",
        "ON SCREEN: ",
        "```",
        "~~~",
        "---",
        "![a](b.png)",
        "**",
        "*",
        "`",
        "\n",
        "\n\n",
        ". ",
        ", ",
        "! ",
        "42%",
        "$4",
        "1,200",
        "“",
        "”",
        '"',
        "Hi, I'm Sam",
        "mountains",
        "the team",
        "imagine",
        "Dr. Lee",
        "A calm video about ",
        "Show me ",
        "End with ",
        "word",
        "Москва",
        "東京。",
    ]
)
TEXTS = st.lists(PIECES, max_size=60).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from([None, *SourceKind]))
def test_any_text_gives_a_well_formed_script_or_an_ingest_error(
    text: str, kind: SourceKind | None
) -> None:
    try:
        script = ingest_text(text, kind)
    except IngestError:
        return
    assert script.scenes
    assert script.title
    assert [s.index for s in script.scenes] == list(range(len(script.scenes)))
    for scene in script.scenes:
        assert scene.narration.strip()
        assert len(scene.narration.split()) <= MAX_SCENE_WORDS + 1  # + a quote mark at most
        assert scene.target_duration >= 2.5
        assert scene.visual_prompt
        assert "[" not in scene.narration.replace("[a](", "")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_decode_or_raise_ingest_error(raw: bytes) -> None:
    try:
        text = decode_source(raw)
    except IngestError:
        return
    assert text.strip()
    assert "\r" not in text and "\x00" not in text
