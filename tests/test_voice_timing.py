"""Word and sentence splitting and the timing rules both voice engines share."""

from __future__ import annotations

import numpy as np
import pytest

from providers.voice.timing import (
    VoicedEnvelope,
    close_words,
    split_sentences,
    starts_from_events,
    text_words,
    word_weights,
)


def test_words_keep_punctuation_and_skip_bare_symbols() -> None:
    words = text_words("Hello, world — it's 9:30!")
    assert [w.text for w in words] == ["Hello,", "world", "it's", "9:30!"]
    assert [(w.start, w.end) for w in words][:2] == [(0, 6), (7, 12)]


def test_sentences_split_on_terminators_and_blank_lines_not_abbreviations() -> None:
    text = 'Dr. Smith arrived. Was he late? "No!" he said\n\nA new paragraph'
    assert split_sentences(text) == [
        "Dr. Smith arrived.",
        "Was he late?",
        '"No!" he said',
        "A new paragraph",
    ]
    assert split_sentences('He said "hi." Then left.') == ['He said "hi."', "Then left."]


def test_first_event_per_word_wins_and_missing_words_share_time() -> None:
    words = text_words("déjà vu costs $42.50")
    # "vu" gets no event of its own; "$42.50" gets three.
    events = [(0, 0.1), (1, 0.5), (8, 1.0), (14, 1.4), (15, 1.8), (16, 2.1)]
    starts = starts_from_events(words, events, sound=(0.05, 2.5))
    assert starts[0] == pytest.approx(0.1)
    assert 0.1 < starts[1] < 1.0  # between déjà and costs
    assert starts[2:] == pytest.approx([1.0, 1.4])


def test_events_between_words_belong_to_the_next_word() -> None:
    words = text_words("one  two")
    assert starts_from_events(words, [(0, 0.0), (4, 0.6)], sound=(0.0, 1.0)) == [0.0, 0.6]


def test_word_ends_stop_at_the_last_voiced_frame_before_the_next_word() -> None:
    rate = 1000
    audio = np.zeros(2000, dtype=np.float32)
    audio[100:400] = 0.5  # word one, then a pause
    audio[1000:1500] = 0.5  # word two
    timings = close_words(["one", "two"], [0.1, 1.0], VoicedEnvelope(audio, rate), 2.0)
    assert (timings[0].start, timings[0].end) == (0.1, 0.4)
    assert (timings[1].start, timings[1].end) == (1.0, 1.5)


def test_weights_prefer_phonemes_when_they_line_up() -> None:
    assert word_weights(["though", "cat"], ["ðoʊ", "kæt"]) == [3.0, 3.0]
    assert word_weights(["though", "1984"]) == [6.0, 12.0]
