"""A pasted script → one scene per paragraph.

Conventions a writer can rely on:

- Paragraphs are separated by a blank line; line breaks inside a paragraph are just spaces.
- A paragraph longer than 45 words is cut at sentence boundaries into scenes of similar size,
  each at most 45 words (a sentence longer than that is cut at commas, then between words).
- Stage directions never reach the narrator: `[Aerial shot of the harbour]` inside a paragraph,
  or a line starting with `VISUAL:`, `SHOT:` or `B-ROLL:`, is that paragraph's visual prompt, and
  `ON SCREEN: ...` sets its on-screen text (see `directions.py`). A paragraph made only of
  directions applies to the next paragraph that has narration (screenplays put the shot before
  the line), or to the last scene when nothing follows.
- Markdown links keep only their text and Markdown images are dropped.
- The title is a first line `TITLE: ...`, or a first paragraph that is one short line (at most
  ten words) without closing punctuation, followed by more paragraphs. The title is not
  narrated. Without one, the title is the opening words of the first scene.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.ingest.directions import Directed, merge_visuals, split_directions
from app.ingest.draft import ParsedSource, SceneDraft
from app.ingest.markdown_inline import without_links
from app.ingest.sentences import chunk_sentences, split_sentences
from app.ingest.words import first_clause, shorten, words_of

MAX_TITLE_WORDS = 10
FALLBACK_TITLE_WORDS = 8

_TITLE_LINE = re.compile(r"^\s*title\s*:\s*(?P<title>.+)$", re.IGNORECASE)


def parse_script(text: str) -> ParsedSource:
    """Title and scene drafts for a script (see the module docstring for the conventions)."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    title, paragraphs = _take_title(paragraphs)
    drafts: list[SceneDraft] = []
    pending = Directed(narration="")
    for paragraph in paragraphs:
        directed = split_directions(without_links(paragraph))
        if not words_of(directed.narration):
            pending = _merge(pending, directed)
            continue
        drafts += _drafts_for(_merge(pending, directed))
        pending = Directed(narration="")
    if drafts and (pending.visual or pending.on_screen):
        drafts[-1] = _with_late_directions(drafts[-1], pending)
    return ParsedSource(title=title or _fallback_title(drafts), drafts=drafts)


def _take_title(paragraphs: list[str]) -> tuple[str, list[str]]:
    if not paragraphs:
        return "", paragraphs
    first, *rest = paragraphs
    lines = first.split("\n")
    if match := _TITLE_LINE.match(lines[0]):
        remainder = "\n".join(lines[1:]).strip()
        return match["title"].strip(), ([remainder] if remainder else []) + rest
    looks_like_title = (
        len(lines) == 1
        and len(first.split()) <= MAX_TITLE_WORDS
        and not first.rstrip().endswith((".", "!", "?", "…", ":", ",", ";", "]"))
        and bool(rest)
    )
    return (first.strip(), rest) if looks_like_title else ("", paragraphs)


def _drafts_for(directed: Directed) -> list[SceneDraft]:
    chunks = chunk_sentences(split_sentences(directed.narration))
    return [
        SceneDraft(
            narration=chunk,
            visual=directed.visual,
            on_screen=directed.on_screen if i == 0 else "",
        )
        for i, chunk in enumerate(chunks)
    ]


def _merge(earlier: Directed, later: Directed) -> Directed:
    return Directed(
        narration=later.narration,
        visual=merge_visuals(earlier.visual, later.visual),
        on_screen=later.on_screen or earlier.on_screen,
    )


def _with_late_directions(draft: SceneDraft, late: Directed) -> SceneDraft:
    return replace(
        draft,
        visual=merge_visuals(draft.visual, late.visual),
        on_screen=draft.on_screen or late.on_screen,
    )


def _fallback_title(drafts: list[SceneDraft]) -> str:
    if not drafts:
        return ""
    opening = split_sentences(drafts[0].narration)[0]
    clause = first_clause(opening)
    # "Hi, I'm Sam." would give the title "Hi": a clause that short says nothing
    return shorten(clause if len(clause.split()) >= 3 else opening, FALLBACK_TITLE_WORDS)
