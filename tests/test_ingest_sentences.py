"""Sentence splitting, chunking, and the small word helpers behind headlines and prompts."""

from __future__ import annotations

from app.ingest.sentences import MAX_SCENE_WORDS, chunk_sentences, split_sentences
from app.ingest.words import first_clause, key_phrases, sentence_case, shorten, title_case


def test_split_sentences_basic() -> None:
    text = "It rained. Then it stopped!  Was it over? Yes."
    assert split_sentences(text) == ["It rained.", "Then it stopped!", "Was it over?", "Yes."]


def test_split_respects_abbreviations_initials_and_decimals() -> None:
    text = "Dr. Lee met J. Smith at 3.5 km, e.g. near the bridge. It was late."
    assert split_sentences(text) == [
        "Dr. Lee met J. Smith at 3.5 km, e.g. near the bridge.",
        "It was late.",
    ]


def test_split_needs_a_capital_or_digit_after_the_stop() -> None:
    assert split_sentences("Wait... and then nothing.") == ["Wait... and then nothing."]
    assert split_sentences('He said "Go." Then left.') == ['He said "Go."', "Then left."]


def test_chunks_never_exceed_the_limit_and_keep_every_word() -> None:
    sentences = [f"Sentence number {i} has exactly seven words." for i in range(20)]
    chunks = chunk_sentences(sentences)
    assert all(len(c.split()) <= MAX_SCENE_WORDS for c in chunks)
    assert " ".join(chunks).split() == " ".join(sentences).split()


def test_chunks_are_balanced() -> None:
    sentences = ["one two three four five six seven eight nine ten."] * 5  # 50 words
    sizes = [len(c.split()) for c in chunk_sentences(sentences)]
    assert sorted(sizes) == [20, 30]  # not 40 + 10
    thirteen = ["The river carries silt from the hills down to the wide delta plain."] * 10
    sizes = [len(c.split()) for c in chunk_sentences(thirteen)]
    assert sorted(sizes) == [26, 26, 39, 39]  # not 39, 39, 39, 13


def test_a_single_overlong_sentence_is_cut_at_commas_then_words() -> None:
    clause = "and then the road went on " * 4  # 24 words per clause
    sentence = ", ".join([clause.strip()] * 3) + "."
    chunks = chunk_sentences([sentence])
    assert len(chunks) >= 2
    assert all(len(c.split()) <= MAX_SCENE_WORDS for c in chunks)
    no_commas = "word " * 100
    assert [len(c.split()) for c in chunk_sentences([no_commas])] == [34, 34, 32]


def test_title_case_and_sentence_case() -> None:
    assert title_case("how a city cut its commute") == "How a City Cut Its Commute"
    assert title_case("the iPhone and the X200") == "The iPhone and the X200"
    assert sentence_case("follows the sun") == "Follows the sun."
    assert sentence_case("is it?") == "Is it?"


def test_first_clause_and_shorten() -> None:
    assert first_clause("At the roastery, beans tumble.") == "At the roastery"
    assert (
        shorten("one two three four five six seven of the", 9)
        == "one two three four five six seven"
    )


def test_key_phrases_are_runs_of_content_words() -> None:
    text = "A lighthouse keeper on a remote island, lighting the lamp as a winter storm arrives."
    assert key_phrases(text) == [
        "lighthouse keeper",
        "remote island",
        "lamp",
        "winter storm arrives",
    ]
    assert key_phrases("I'm here, let's go!") == []
