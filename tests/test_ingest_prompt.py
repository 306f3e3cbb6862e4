"""Prompts: request wording peeled off, a title card, one scene per sentence."""

from __future__ import annotations

from app.ingest import SourceKind, ingest_text
from providers.types import SceneKind


def test_one_line_prompt_gives_title_card_and_idea() -> None:
    script = ingest_text(
        "A calm one-minute film about a lighthouse keeper on a remote island, lighting the lamp "
        "as a winter storm rolls in."
    )
    assert script.source_kind is SourceKind.PROMPT
    assert script.title == "A Lighthouse Keeper on a Remote Island"
    title, idea = script.scenes
    assert title.kind is SceneKind.TEXT
    assert title.narration == title.on_screen_text == script.title
    assert idea.narration.startswith("A lighthouse keeper on a remote island, lighting the lamp")
    assert "film about" not in idea.narration
    # the framing's adjective is a mood for the pictures; the length is not
    assert all(scene.visual_prompt.endswith("; mood: calm") for scene in script.scenes)


def test_a_bare_topic_is_still_at_least_one_scene() -> None:
    script = ingest_text("Bees")
    assert [s.narration for s in script.scenes] == ["Bees"]
    assert script.scenes[0].target_duration >= 2.5


def test_each_sentence_is_a_scene_and_directions_lose_their_verb() -> None:
    script = ingest_text(
        "Explain how bees make honey. Show the hive and the summer meadow. "
        "End with a jar of honey on a breakfast table."
    )
    narrations = [s.narration for s in script.scenes]
    assert narrations == [
        "How Bees Make Honey",
        "The hive and the summer meadow.",
        "A jar of honey on a breakfast table.",
    ]
    assert script.scenes[1].visual_prompt == "The hive and the summer meadow"


def test_request_wording_variants() -> None:
    assert ingest_text("Make me a short video about tidal pools.").title == "Tidal Pools"
    assert ingest_text("Please create an upbeat explainer on composting").title == "Composting"
    assert ingest_text("Why do cats purr?").title == "Why Do Cats Purr"


def test_bracketed_style_is_not_narrated() -> None:
    script = ingest_text("A film about night trains [warm tungsten light]")
    assert all("[" not in s.narration for s in script.scenes)
    assert script.scenes[0].visual_prompt.endswith("mood: warm tungsten light")


def test_explicit_title_wins() -> None:
    script = ingest_text("A film about night trains", title="  Sleeper  ")
    assert script.title == "Sleeper"
