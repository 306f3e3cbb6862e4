"""The SceneKind classifier: a table of narrations, the tie-break order, and its defaults."""

from __future__ import annotations

import pytest

from app.ingest.classify import TIE_BREAK_ORDER, classify, score_kinds
from providers.types import SceneKind

K = SceneKind

TABLE: list[tuple[str, SceneKind]] = [
    # data: figures with %, currency, magnitudes, growth words
    ("Revenue grew 42% in the second quarter.", K.DATA),
    ("The project cost $3.2 million, half of the original estimate.", K.DATA),
    ("Average commute times fell from 41 minutes to 33 minutes.", K.DATA),
    ("Nearly 2.5 billion cups are poured every single day.", K.DATA),
    ("Membership doubled to 12,000 in just two years.", K.DATA),
    (
        "Only one in five respondents to the survey said they were satisfied, about 20 percent.",
        K.DATA,
    ),
    # text: quotes, short imperatives, lists
    ('As the old line goes, "the best camera is the one you have with you."', K.TEXT),
    ("Remember to breathe!", K.TEXT),
    ("Step one: write down the question.", K.TEXT),
    ("Never skip the warm-up.", K.TEXT),
    ("Three key takeaways before we finish.", K.TEXT),
    ("Chapter two", K.TEXT),
    # talking head: greetings, first person to camera
    ("Hi, I'm Maya, and welcome to the channel.", K.TALKING_HEAD),
    ("Hello everyone, my name is Tom and today I'll show you how I plan a week.", K.TALKING_HEAD),
    ("Thanks for watching, and see you next time.", K.TALKING_HEAD),
    ("Let me tell you why I started this podcast.", K.TALKING_HEAD),
    # product: devices, features, unboxing, model names
    ("The new phone has a brighter screen and a battery that lasts two days.", K.PRODUCT),
    ("Unboxing the Aero Pro: what is inside the box.", K.PRODUCT),
    ("Our app's best features fit in a single tap.", K.PRODUCT),
    ("A sleek wireless speaker in brushed aluminium.", K.PRODUCT),
    ("The X200 headphones fold flat into a slim case.", K.PRODUCT),
    # landscape: nature and places
    ("Snow-capped mountains rise above a quiet valley.", K.LANDSCAPE),
    ("The sun sets over the ocean as the tide pulls back.", K.LANDSCAPE),
    ("At dawn the city skyline glows behind the river.", K.LANDSCAPE),
    ("A winding road crosses the desert toward distant cliffs.", K.LANDSCAPE),
    ("Fog rolls through the forest and over the hills.", K.LANDSCAPE),
    # action: speed and motion
    ("The runners sprint toward the finish line.", K.ACTION),
    ("Cars race through the final corner at full speed.", K.ACTION),
    ("A huge explosion lights up the night.", K.ACTION),
    ("Skateboarders jump and spin down the concrete ramp.", K.ACTION),
    # people: groups doing things, not addressing camera
    ("Our team gathers around the whiteboard to plan the week.", K.PEOPLE),
    ("Customers line up outside the bakery before it opens.", K.PEOPLE),
    ("Volunteers and neighbours plant trees along the school fence.", K.PEOPLE),
    ("A crowd of students fills the lecture hall.", K.PEOPLE),
    # stylized: imagination, animation, abstraction
    ("Imagine your data as a river of tiny glowing particles.", K.STYLIZED),
    ("An illustrated fox guides us through the story in watercolour.", K.STYLIZED),
    ("Abstract shapes drift and merge into one another.", K.STYLIZED),
    ("Picture this: every idea is a seed waiting for rain.", K.STYLIZED),
    # no signal: long → stylized, short → text
    ("Sometimes the most important things take a while to become clear to us all.", K.STYLIZED),
    ("Why it matters", K.TEXT),
]


@pytest.mark.parametrize(("narration", "expected"), TABLE)
def test_classify_table(narration: str, expected: SceneKind) -> None:
    assert classify(narration) is expected, score_kinds(narration)


def test_table_covers_every_kind_with_enough_examples() -> None:
    assert len(TABLE) >= 30
    assert {kind for _, kind in TABLE} == set(SceneKind)


def test_visual_direction_outweighs_narration() -> None:
    narration = "It all started in a small room."
    assert classify(narration) is K.STYLIZED
    assert classify(narration, "Aerial drone shot over mountains at sunrise") is K.LANDSCAPE


def test_ties_follow_the_documented_order() -> None:
    # "fast" (action, 2) and "mountain" (landscape, 2) score the same; action comes first.
    text = "A fast mountain."
    scores = score_kinds(text)
    assert scores[K.ACTION] == scores[K.LANDSCAPE] > 0
    assert classify(text) is K.ACTION
    assert TIE_BREAK_ORDER.index(K.ACTION) < TIE_BREAK_ORDER.index(K.LANDSCAPE)
    assert set(TIE_BREAK_ORDER) == set(SceneKind)


def test_years_are_not_statistics() -> None:
    assert score_kinds("In 2019 the harbour was rebuilt.")[K.DATA] == 0


def test_repeated_words_are_capped() -> None:
    once = score_kinds("mountains")[K.LANDSCAPE]
    many = score_kinds("mountains " * 10)[K.LANDSCAPE]
    assert many == 2 * once


def test_classification_is_deterministic() -> None:
    results = {classify(text) for text, _ in TABLE for _ in range(3)}
    assert results <= set(SceneKind)
    assert [classify(t) for t, _ in TABLE] == [classify(t) for t, _ in TABLE]
