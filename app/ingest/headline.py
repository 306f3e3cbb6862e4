"""On-screen text: the few words a viewer reads while the narrator speaks.

In order of preference: the key figure of a `data` scene ("10% of the price"), a short quotation
the narration contains, the section heading for the first scene under it, and otherwise the first
clause of the first sentence, cut to `MAX_HEADLINE_WORDS` words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.ingest.sentences import split_sentences
from app.ingest.words import first_clause, shorten, tidy
from providers.types import SceneKind

MAX_HEADLINE_WORDS = 8
MAX_QUOTE_WORDS = 14  # a longer quotation does not fit on screen in one go
MAX_FIGURE_WORDS = 6  # the figure plus a few words of context
MIN_CLAUSE_WORDS = 3

_FIGURE = re.compile(
    r"(?<![\w.,])(?P<currency>[$€£¥])?(?P<number>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?:\s?(?P<unit>%|percent\b|per cent\b|million\b|billion\b|trillion\b|thousand\b|bn\b))?"
)
_QUOTATION = re.compile(r"[\"“](?P<body>[^\"”]{3,})[\"”]")
_CONTEXT_END = re.compile(r"[,;:.!?…()\"“”—–]")
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class _Figure:
    text: str
    rank: int  # 3 percent or money, 2 a magnitude word, 1 a plain number
    end: int


def headline(
    narration: str, kind: SceneKind, *, section: str = "", opens_section: bool = False
) -> str:
    """The on-screen text for a scene (see the module docstring for the order of preference)."""
    if kind is SceneKind.DATA and (figure := key_figure(narration)):
        return figure
    if quote := short_quotation(narration):
        return quote
    if opens_section and section and len(section.split()) <= MAX_HEADLINE_WORDS:
        return section
    return opening_words(narration)


def opening_words(narration: str) -> str:
    """The first clause of the first sentence, or the sentence's start if that clause is tiny."""
    sentence = split_sentences(narration)[0] if narration.strip() else ""
    clause = first_clause(sentence)
    # "Hi, I'm Sam" or "Here, families..." would give "Hi" or "Here": say more than that
    if len(clause.split()) < MIN_CLAUSE_WORDS:
        clause = sentence
    return shorten(clause, MAX_HEADLINE_WORDS)


def key_figure(narration: str) -> str:
    """The most telling number in the text with its first few words of context, or ""."""
    figures = [_read_figure(m) for m in _FIGURE.finditer(narration)]
    ranked = [f for f in figures if f.rank > 0]
    if not ranked:
        return ""
    best = max(ranked, key=lambda f: f.rank)  # max keeps the first of equals: reading order
    context = _CONTEXT_END.split(narration[best.end :], maxsplit=1)[0]
    return shorten(f"{best.text} {context}", MAX_FIGURE_WORDS)


def short_quotation(narration: str) -> str:
    """A quotation of at most `MAX_QUOTE_WORDS` words from the text, in curly quotes, or ""."""
    match = _QUOTATION.search(narration)
    if not match:
        return ""
    body = tidy(match["body"])
    if not body or len(body.split()) > MAX_QUOTE_WORDS:
        return ""
    return f"“{body}”"


def _read_figure(match: re.Match[str]) -> _Figure:
    currency = match["currency"] or ""
    number = match["number"]
    unit = (match["unit"] or "").lower()
    if unit in ("%", "percent", "per cent"):
        return _Figure(f"{currency}{number}%", 3, match.end())
    if currency:
        spaced = f" {unit}" if unit else ""
        return _Figure(f"{currency}{number}{spaced}", 3, match.end())
    if unit:
        return _Figure(f"{number} {unit}", 2, match.end())
    rank = 0 if _YEAR.fullmatch(number) else 1  # "in 2019" is a date, not a statistic
    return _Figure(number, rank, match.end())
