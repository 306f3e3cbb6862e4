"""Scripts: one scene per paragraph, long paragraphs split, stage directions kept out of speech."""

from __future__ import annotations

from app.ingest import SourceKind, ingest_text
from app.ingest.sentences import MAX_SCENE_WORDS

SCRIPT = """How Bridges Breathe

Every bridge moves. On a hot afternoon a long steel span can grow by the width of a hand.

[Slow aerial shot along a suspension bridge at sunset]
Engineers plan for this with expansion joints.

VISUAL: macro shot of an expansion joint opening
ON SCREEN: Built to move
The joints open and close like teeth, a little every day.
"""


def test_paragraphs_become_scenes_and_the_title_line_is_not_narrated() -> None:
    script = ingest_text(SCRIPT, SourceKind.SCRIPT)
    assert script.title == "How Bridges Breathe"
    assert [s.index for s in script.scenes] == [0, 1, 2]
    assert script.scenes[0].narration.startswith("Every bridge moves.")
    assert all("How Bridges Breathe" not in s.narration for s in script.scenes)


def test_stage_directions_become_visual_prompts() -> None:
    scenes = ingest_text(SCRIPT, SourceKind.SCRIPT).scenes
    assert scenes[1].narration == "Engineers plan for this with expansion joints."
    assert scenes[1].visual_prompt == "Slow aerial shot along a suspension bridge at sunset"
    assert scenes[2].narration == "The joints open and close like teeth, a little every day."
    assert scenes[2].visual_prompt == "Macro shot of an expansion joint opening"
    assert scenes[2].on_screen_text == "Built to move"


def test_a_direction_paragraph_applies_to_the_next_scene() -> None:
    text = "[Wide shot of a harbour]\n\nBoats come home at dusk.\n\nThe nets are hung to dry."
    scenes = ingest_text(text, SourceKind.SCRIPT).scenes
    assert len(scenes) == 2
    assert scenes[0].visual_prompt == "Wide shot of a harbour"
    assert scenes[1].visual_prompt != "Wide shot of a harbour"


def test_a_trailing_direction_applies_to_the_last_scene() -> None:
    text = "Boats come home at dusk.\n\nThe nets are hung to dry.\n\n[Fade to black]"
    scenes = ingest_text(text, SourceKind.SCRIPT).scenes
    assert scenes[-1].visual_prompt == "Fade to black"


def test_speaker_labels_are_removed() -> None:
    text = "NARRATOR: The tide is out.\n\nV.O.: And the gulls are loud."
    scenes = ingest_text(text, SourceKind.SCRIPT).scenes
    assert [s.narration for s in scenes] == ["The tide is out.", "And the gulls are loud."]


def test_long_paragraph_is_split_at_sentences() -> None:
    sentence = "The river carries silt from the hills down to the wide delta plain."  # 13 words
    paragraph = " ".join([sentence] * 10)  # 130 words in one paragraph
    scenes = ingest_text(f"Intro line here.\n\n{paragraph}", SourceKind.SCRIPT).scenes
    body = scenes[1:]
    assert len(body) == 4  # ten 13-word sentences fit three to a scene at most
    assert all(len(s.narration.split()) <= MAX_SCENE_WORDS for s in body)
    assert all(s.narration.endswith(".") for s in body)
    assert " ".join(s.narration for s in body) == paragraph


def test_line_breaks_inside_a_paragraph_are_spaces() -> None:
    scenes = ingest_text("One idea\nspread over\nthree lines.\n\nAnd another.").scenes
    assert scenes[0].narration == "One idea spread over three lines."


def test_title_line_convention_and_fallback() -> None:
    assert ingest_text("TITLE: Tides\nThe sea rises.\n\nAnd falls.").title == "Tides"
    untitled = ingest_text("Hi, I'm Sam and this is my garden.\n\nIt is small but busy.")
    assert untitled.title == "Hi, I'm Sam and this is my garden"
    assert untitled.scenes[0].narration.startswith("Hi, I'm Sam")
