"""Word timing: splitting script text into words and sentences, and pinning words to audio.

Captions and kinetic typography need to know when each written word is spoken. eSpeak NG
reports word starts; piper does not, so its timings are estimated. Both end up here so that
the two engines produce timings with the same shape: one entry per written word, monotonic,
each word ending at the last voiced moment before the next one starts (pauses are not
counted as part of a word).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from providers.voice.base import WordTiming

# A word is any whitespace-separated token that has something to say; a lone dash or
# ellipsis is punctuation, not a word.
_TOKEN = re.compile(r"\S+")
_SPOKEN = re.compile(r"\w")
# Sentence ends: whitespace after terminal punctuation (optionally closed by a quote or
# bracket) unless a lowercase word follows ('"No!" he said'), or a blank line.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+(?![a-z])|\n\s*\n")
# Abbreviations that end in a full stop but rarely end a sentence.
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "e.g.", "i.e."})
_FRAME_SECONDS = 0.01
_VOICED_FRACTION = 0.03  # about -30 dB below the loudest frame counts as silence


@dataclass(frozen=True)
class TextWord:
    """A spoken word of the script and its character span [start, end) in the text."""

    text: str
    start: int
    end: int


def text_words(text: str) -> list[TextWord]:
    """Split `text` into spoken words, keeping attached punctuation as written."""
    return [
        TextWord(m.group(), m.start(), m.end())
        for m in _TOKEN.finditer(text)
        if _SPOKEN.search(m.group())
    ]


def split_sentences(text: str) -> list[str]:
    """Split narration into sentences, so each can be synthesised and timed on its own."""
    pieces = [p.strip() for p in _SENTENCE_END.split(text)]
    sentences: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if sentences and sentences[-1].split()[-1].lower() in _ABBREVIATIONS:
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences


class VoicedEnvelope:
    """Peak level per 10 ms frame of a mono signal, to find where speech starts and stops."""

    def __init__(self, samples: npt.NDArray[np.floating], sample_rate: int) -> None:
        self._hop = max(1, round(sample_rate * _FRAME_SECONDS))
        self._rate = sample_rate
        self.duration = len(samples) / sample_rate
        if len(samples) == 0:
            self._voiced = np.zeros(0, dtype=bool)
            return
        peaks = np.maximum.reduceat(np.abs(samples), np.arange(0, len(samples), self._hop))
        self._voiced = peaks > _VOICED_FRACTION * float(peaks.max())

    def _frame(self, seconds: float) -> int:
        return min(len(self._voiced), max(0, int(seconds * self._rate) // self._hop))

    def first_voiced(self, start: float, stop: float) -> float | None:
        """Time of the first voiced frame in [start, stop), or None if all is silence."""
        lo, hi = self._frame(start), self._frame(stop)
        hits = np.flatnonzero(self._voiced[lo:hi])
        return None if len(hits) == 0 else (lo + int(hits[0])) * self._hop / self._rate

    def last_voiced(self, start: float, stop: float) -> float | None:
        """End time of the last voiced frame in [start, stop), or None if all is silence."""
        lo, hi = self._frame(start), self._frame(stop)
        hits = np.flatnonzero(self._voiced[lo:hi])
        if len(hits) == 0:
            return None
        return min(stop, (lo + int(hits[-1]) + 1) * self._hop / self._rate)


def close_words(
    words: Sequence[str], starts: Sequence[float], env: VoicedEnvelope, stop: float
) -> list[WordTiming]:
    """Give each word (with a known start) an end: the last voiced moment before the next."""
    timings: list[WordTiming] = []
    for i, (word, start) in enumerate(zip(words, starts, strict=True)):
        limit = starts[i + 1] if i + 1 < len(starts) else stop
        end = env.last_voiced(start, limit)
        timings.append(WordTiming(word, round(start, 3), round(max(end or limit, start), 3)))
    return timings


def word_weights(words: Sequence[str], phoneme_words: Sequence[str] | None = None) -> list[float]:
    """Relative speaking time of each word: phoneme counts when they line up, else letters.

    Digits weigh more than letters because "1984" is read as several words.
    """
    if phoneme_words is not None and len(phoneme_words) == len(words):
        return [float(max(1, sum(ch.isalpha() for ch in p))) for p in phoneme_words]
    weights = []
    for word in words:
        letters = sum(ch.isalpha() for ch in word)
        digits = sum(ch.isdigit() for ch in word)
        weights.append(float(max(1, letters + 3 * digits)))
    return weights


def spread_starts(weights: Sequence[float], start: float, end: float) -> list[float]:
    """Start times for words sharing [start, end) in proportion to their weights."""
    total = sum(weights) or 1.0
    edges = np.concatenate([[0.0], np.cumsum(weights)[:-1]]) / total
    return [start + float(e) * (end - start) for e in edges]


def starts_from_events(
    words: Sequence[TextWord], events: Sequence[tuple[int, float]], sound: tuple[float, float]
) -> list[float]:
    """Start time of every word from (character index, seconds) word events.

    `sound` is the first and last voiced moment of the audio. An engine may report several
    events for one written word ("$42.50") or none for a word it read as part of another
    ("déjà vu"). The first event of a word wins; words without one share the time of the word
    before them in proportion to their length.
    """
    anchors: dict[int, float] = {}
    spans = [w.start for w in words]
    last_index, last_time = -1, sound[0]
    for char_index, seconds in events:
        index = bisect.bisect_right(spans, char_index) - 1
        if index >= 0 and char_index >= words[index].end:
            index += 1  # between words: the event belongs to the word that follows
        if index <= last_index or index >= len(words):
            continue
        last_index, last_time = index, max(seconds, last_time)
        anchors[index] = last_time
    if 0 not in anchors:
        anchors[0] = min([sound[0], *anchors.values()])
    return _fill_unanchored(words, anchors, max(sound[1], last_time))


def _fill_unanchored(
    words: Sequence[TextWord], anchors: dict[int, float], last_sound: float
) -> list[float]:
    """Share each anchored word's span with the unanchored words that follow it."""
    keys = sorted(anchors)
    starts: list[float] = [0.0] * len(words)
    for k, index in enumerate(keys):
        stop_index = keys[k + 1] if k + 1 < len(keys) else len(words)
        span_end = anchors[stop_index] if stop_index < len(words) else last_sound
        group = range(index, stop_index)
        weights = word_weights([words[i].text for i in group])
        for i, start in zip(group, spread_starts(weights, anchors[index], span_end), strict=True):
            starts[i] = start
    return starts
