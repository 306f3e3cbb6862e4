"""A short free-text prompt → a title card and one scene per sentence.

A prompt is an instruction ("A calm film about how tides work. Show the harbour at dawn."), not
narration, so the request wording is peeled off before anything is said aloud:

- The first sentence's framing — "make a video about", "a calm one-minute film on" — is removed;
  what remains is the topic. Adjectives in the framing ("calm", "upbeat") become the mood that
  is added to every visual prompt; lengths and "short" are dropped.
- The title is the topic's first clause in title case, at most eight words.
- Scene 0 is a title card. Then the topic and every further sentence are one scene each (long
  sentences are cut to ≤ 45 words). A sentence opening with a direction verb ("Show…",
  "End with…") is said without that verb and also becomes the scene's visual direction.
- When the topic says nothing the title does not, it is not repeated as a second scene.
- `[bracketed]` directions are not said; they join the mood ("[warm light, slow pans]").
"""

from __future__ import annotations

import re

from app.ingest.directions import merge_visuals, split_directions
from app.ingest.draft import ParsedSource, SceneDraft, title_card
from app.ingest.markdown_inline import without_links
from app.ingest.sentences import chunk_sentences, split_sentences
from app.ingest.words import first_clause, sentence_case, shorten, title_case, words_of

MAX_TITLE_WORDS = 8

_REQUEST = re.compile(
    r"^(?:please\s+)?(?:(?:make|create|generate|produce|render|write|give)\s+(?:me\s+|us\s+)?)?"
    r"(?:an?\s+|the\s+|one\s+)?(?P<style>[^.!?]*?)\b"
    r"(?:video|film|clip|reel|explainer|short|story|animation|ad|advert|commercial|montage|"
    r"documentary|piece|spot|teaser|trailer)s?\s+"
    r"(?:about|on|of|showing|explaining|describing|that\s+(?:shows|explains)|where|in\s+which)\s+",
    re.IGNORECASE,
)
_DIRECTION = re.compile(
    r"^(?:please\s+)?(?:show(?:\s+(?:me|us))?|open\s+(?:on|with)|start\s+(?:on|with)|"
    r"begin\s+with|end\s+(?:on|with)|finish\s+with|close\s+(?:on|with)|cut\s+to|include|"
    r"feature|focus\s+on|illustrate|explain|describe)\s+",
    re.IGNORECASE,
)
_NOT_A_MOOD = re.compile(
    r"\b(?:\d+|one|two|three|five|ten|fifteen|twenty|thirty|forty|sixty|ninety|a|an)"
    r"[\s-]?(?:seconds?|secs?|minutes?|mins?)(?:[\s-]long)?\b"
    r"|\b\d+s\b|\b(?:short|quick|brief|little|new|long)\b",
    re.IGNORECASE,
)


def parse_prompt(text: str) -> ParsedSource:
    """Title and scene drafts for a prompt (see the module docstring for the rules)."""
    directed = split_directions(without_links(text))
    sentences = split_sentences(directed.narration)
    if not sentences or not words_of(directed.narration):
        return ParsedSource(title="")
    topic, mood = _topic_and_mood(sentences[0])
    mood = merge_visuals(mood, directed.visual)
    title = title_case(shorten(first_clause(topic), MAX_TITLE_WORDS)) or title_case(
        shorten(topic, MAX_TITLE_WORDS)
    )
    drafts = [title_card(title)]
    if _says_more_than(topic, title):
        drafts += _idea_drafts(sentence_case(topic))
    for sentence in sentences[1:]:
        drafts += _idea_drafts(sentence)
    return ParsedSource(title=title, drafts=drafts, mood=mood)


def _topic_and_mood(first: str) -> tuple[str, str]:
    match = _REQUEST.match(first)
    if not match or not words_of(first[match.end() :]):
        topic = _DIRECTION.sub("", first)
        return (topic if words_of(topic) else first), ""
    mood = _NOT_A_MOOD.sub(" ", match["style"])
    mood = " ".join(w for w in re.split(r"[\s,]+", mood) if w)
    topic = first[match.end() :]
    return topic, mood.lower()


def _idea_drafts(sentence: str) -> list[SceneDraft]:
    direction = _DIRECTION.match(sentence)
    if direction and not words_of(sentence[direction.end() :]):
        direction = None  # "Show me ." has nothing to show: say the sentence as written
    said = sentence_case(sentence[direction.end() :]) if direction else sentence
    visual = said.rstrip(".!?…") if direction else ""
    return [SceneDraft(narration=chunk, visual=visual) for chunk in chunk_sentences([said])]


def _says_more_than(topic: str, title: str) -> bool:
    return [w.lower() for w in words_of(topic)] != [w.lower() for w in words_of(title)]
