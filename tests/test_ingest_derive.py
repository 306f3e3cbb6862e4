"""Derived scene fields: duration, on-screen headline, visual prompt, stage directions."""

from __future__ import annotations

import pytest

from app.ingest.directions import split_directions
from app.ingest.headline import headline, key_figure, short_quotation
from app.ingest.timing import MIN_SCENE_SECONDS, spoken_words, target_duration
from app.ingest.visual import visual_prompt
from providers.types import SceneKind

K = SceneKind


# -- timing ----------------------------------------------------------------------------------


def test_duration_from_speaking_rate_with_padding() -> None:
    assert target_duration("word " * 150) == pytest.approx(60.5)
    assert target_duration("word " * 150, 120) == pytest.approx(75.5)
    assert target_duration("word " * 150, padding=0) == pytest.approx(60.0)


def test_duration_has_a_minimum_and_rounds_up_to_tenths() -> None:
    assert target_duration("Hi.") == MIN_SCENE_SECONDS
    assert target_duration("Hi.", minimum=1.0) == pytest.approx(1.0)
    assert target_duration("one two three four five six seven") == pytest.approx(3.3)  # 3.3 + .5


def test_figures_take_longer_to_say() -> None:
    assert spoken_words("It cost $4.50 in 2024") == 7  # five words, two of them figures


# -- headline --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("narration", "figure"),
    [
        ("Farmers receive about 10 percent of the price.", "10% of the price"),
        ("A cup sells for $4, give or take.", "$4"),
        ("About 12,000 riders, every day.", "12,000 riders"),
        ("Ridership reached 2.5 million in the first year.", "2.5 million in the first year"),
        ("In 2019 the line opened with 12 stations.", "12 stations"),
        ("Trips fell from 41 to 33 minutes, a 20% cut.", "20% cut"),
        ("There are no numbers here.", ""),
        ("Founded in 1998.", ""),
    ],
)
def test_key_figure(narration: str, figure: str) -> None:
    assert key_figure(narration) == figure


def test_data_headline_is_the_key_figure() -> None:
    assert headline("Sales rose 42% this spring.", K.DATA) == "42% this spring"


def test_quote_headline() -> None:
    text = 'She wrote: "Make it simple, but significant." Then she left.'
    assert short_quotation(text) == "“Make it simple, but significant”"
    assert headline(text, K.TEXT) == "“Make it simple, but significant”"
    assert short_quotation('"' + "word " * 20 + '"') == ""


def test_section_heading_for_the_first_scene_of_a_section() -> None:
    narration = "Most lamps stay the same all day long."
    assert headline(narration, K.PRODUCT, section="The problem", opens_section=True) == (
        "The problem"
    )
    assert headline(narration, K.PRODUCT, section="The problem") == (
        "Most lamps stay the same all day long"
    )


def test_headline_is_a_short_first_clause() -> None:
    text = "At the roastery, the beans tumble inside a hot steel drum for a long while."
    assert headline(text, K.ACTION) == "At the roastery"
    long_clause = "The grinder crushes the beans to a powder as fine as sand today."
    assert len(headline(long_clause, K.PRODUCT).split()) <= 8
    assert headline("Hi, I'm Sam. Welcome.", K.TALKING_HEAD) == "Hi, I'm Sam"


# -- visual prompt ---------------------------------------------------------------------------


def test_direction_wins() -> None:
    assert visual_prompt("Anything.", K.DATA, headline="x", direction="slow pan") == "Slow pan"


@pytest.mark.parametrize(
    ("kind", "opening"),
    [
        (K.LANDSCAPE, "Cinematic wide shot of"),
        (K.PRODUCT, "Studio product shot of"),
        (K.TALKING_HEAD, "Medium close-up of a friendly presenter"),
        (K.ACTION, "Dynamic tracking shot of"),
        (K.PEOPLE, "Documentary-style shot of"),
        (K.DATA, "Clean animated infographic of"),
        (K.STYLIZED, "Stylized 2D animation of"),
        (K.TEXT, "Elegant kinetic typography of"),
    ],
)
def test_kind_specific_phrasing(kind: SceneKind, opening: str) -> None:
    prompt = visual_prompt("Mist drifts over the old stone harbour.", kind, headline="Mist")
    assert prompt.startswith(opening)


def test_visual_prompt_names_key_nouns() -> None:
    prompt = visual_prompt(
        "Mist drifts over the stone harbour and the fishing boats.", K.LANDSCAPE, headline="Mist"
    )
    assert prompt == (
        "Cinematic wide shot of mist drifts, stone harbour and fishing boats, natural light, "
        "slow aerial drift"
    )


def test_mood_is_appended() -> None:
    prompt = visual_prompt("Rain on glass.", K.STYLIZED, headline="Rain", mood="calm")
    assert prompt.endswith("; mood: calm")


# -- directions ------------------------------------------------------------------------------


def test_split_directions() -> None:
    directed = split_directions(
        "NARRATOR: The city wakes [aerial dawn shot].\nSHOT: trams leaving the depot\n"
        "ON SCREEN: 6:00 a.m.\nSee the [guide](http://x.test)."
    )
    assert directed.narration == "The city wakes. See the [guide](http://x.test)."
    assert directed.visual == "aerial dawn shot; trams leaving the depot"
    assert directed.on_screen == "6:00 a.m"
