"""Sentence splitting and grouping sentences into scene-sized chunks.

The splitter is a rule, not a model: a run of `.`, `!`, `?` or `…` (optionally followed by closing
quotes or brackets) and whitespace ends a sentence when the next word, after any opening quote,
starts with a capital, a digit or a letter of a caseless script; `。！？` end a sentence with or
without a space. A full stop after a known abbreviation ("Dr.") or a single initial ("J. Smith")
ends nothing, and decimals never split because they have no space after the point.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable

from app.ingest.words import vocabulary

MAX_SCENE_WORDS = 45  # about 18 s at 150 words/min: longer shots drift or get cut by providers

_STOP = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|[。！？]+[」』”]*\s*")
_OPENS_SENTENCE = re.compile(r"[\"'“‘(\[「『]?(?P<first>\w)")
_ABBREVIATIONS = vocabulary(
    "mr mrs ms dr st prof sr jr vs etc e.g i.e approx no fig inc ltd co corp dept mt ave u.s u.k"
)
_CLAUSE = re.compile(r"(?<=[,;:])\s+|\s+(?=[-–—]\s)")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order, whitespace collapsed, pieces without words dropped."""
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for stop in _STOP.finditer(text):
        if _is_boundary(text, stop):
            sentences.append(text[start : stop.end()].strip())
            start = stop.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if any(c.isalnum() for c in s)]  # a stray "." is not a sentence


def chunk_sentences(sentences: Iterable[str], max_words: int = MAX_SCENE_WORDS) -> list[str]:
    """Join consecutive sentences into as few chunks of at most `max_words` words as possible,
    with sizes as even as the sentence boundaries allow (three 39-word scenes and a 13-word stub
    read worse than 39, 39, 26, 26).

    A single sentence longer than `max_words` is cut at clause punctuation first and, failing
    that, into equal runs of words, so no chunk ever exceeds the limit.
    """
    pieces = [p for s in sentences for p in _split_long(s, max_words) if p.strip()]
    sizes = [len(p.split()) for p in pieces]
    if not pieces:
        return []
    cuts = _even_cuts(sizes, _fewest_chunks(sizes, max_words), max_words)
    return [" ".join(pieces[a:b]) for a, b in itertools.pairwise([0, *cuts, len(pieces)])]


def _fewest_chunks(sizes: list[int], max_words: int) -> int:
    # Filling each chunk as far as it goes gives the fewest chunks for contiguous pieces.
    count, size = 1, 0
    for n in sizes:
        if size and size + n > max_words:
            count, size = count + 1, 0
        size += n
    return count


def _even_cuts(sizes: list[int], chunks: int, max_words: int) -> list[int]:
    """Cut positions splitting `sizes` into `chunks` runs within the limit, with the smallest
    sum of squared run sizes (the most even split). A small dynamic programme: paragraphs have
    tens of sentences at most."""
    prefix = [0, *itertools.accumulate(sizes)]
    n = len(sizes)
    inf = float("inf")
    # cost[j][i]: best cost of the first i pieces in j runs; cut[j][i]: where run j starts
    cost = [[inf] * (n + 1) for _ in range(chunks + 1)]
    cut = [[0] * (n + 1) for _ in range(chunks + 1)]
    cost[0][0] = 0.0
    for j in range(1, chunks + 1):
        for i in range(j, n + 1):
            for start in range(j - 1, i):
                run = prefix[i] - prefix[start]
                if run <= max_words and cost[j - 1][start] + run * run < cost[j][i]:
                    cost[j][i], cut[j][i] = cost[j - 1][start] + run * run, start
    cuts, i = [], n
    for j in range(chunks, 1, -1):
        i = cut[j][i]
        cuts.append(i)
    return cuts[::-1]


def _is_boundary(text: str, stop: re.Match[str]) -> bool:
    opening = _OPENS_SENTENCE.match(text, stop.end())
    if not opening or opening["first"].islower():  # caseless scripts count as capitals
        return False
    if text[stop.start()] != ".":
        return True
    before = text[: stop.start()].rsplit(maxsplit=1)
    word = before[-1].lower().lstrip("(\"'“‘") if before else ""
    is_initial = len(word) == 1 and word.isalpha()
    return word not in _ABBREVIATIONS and not is_initial


def _split_long(sentence: str, max_words: int) -> list[str]:
    if len(sentence.split()) <= max_words:
        return [sentence]
    clauses = [c for c in _CLAUSE.split(sentence) if c.strip()]
    if len(clauses) > 1:
        return [p for c in _join_clauses(clauses, max_words) for p in _split_long(c, max_words)]
    words = sentence.split()
    parts = math.ceil(len(words) / max_words)
    size = math.ceil(len(words) / parts)
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def _join_clauses(clauses: list[str], max_words: int) -> list[str]:
    # Greedy: keep clauses together while they fit, so a cut falls at as few commas as possible.
    out: list[str] = []
    for clause in clauses:
        if out and len(out[-1].split()) + len(clause.split()) <= max_words:
            out[-1] = f"{out[-1]} {clause}"
        else:
            out.append(clause)
    return out
