"""Finding the numbers in a sentence, and a label for each, so a data scene can chart them.

"Revenue: 2021 $1.2M, 2022 $1.8M" gives two points labelled by year;
"35% of users prefer video, 20% prefer text" gives 35% "Users prefer video" and 20% "Prefer
text". Values are normalised ("1.2 million" is 1 200 000) and keep how they were written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_BARS = 6
LABEL_WORDS = 3
LABEL_CHARS = 22

_NUMBER = re.compile(
    r"(?<![\w.\-−])"  # not the tail of a word, a decimal or a range like COVID-19
    r"(?P<sign>[-−+])?"
    r"(?P<currency>[$€£¥])?"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s?(?P<word>thousand|million|billion|trillion)|(?P<letter>bn|mn|k|m|b))?"
    r"(?:\s?(?P<percent>%|percent\b|per\s?cent\b)|(?P<times>[x×]))?"
    r"(?!\w)",
    re.IGNORECASE,
)
_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "b": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
}
_SCALE_MARK = {1e3: "K", 1e6: "M", 1e9: "B", 1e12: "T"}
_BOUNDARY = re.compile(
    r"[;:\n]|,|\.(?=\s|$)|\b(?:and|vs\.?|versus|while|whereas|but|compared (?:to|with))\b",
    re.IGNORECASE,
)
_STOPWORDS = frozenset(
    " ".join(
        (
            "a an the of in on at to by for from with into was were is are be been being",
            "has have had grew grow grows rose rise rises fell fall falls dropped drop jumped",
            "climbed increased decreased reached reach hit hits up down about around nearly",
            "almost over under than more less per our their its his her my we they it and or",
            "vs versus while but some only just roughly approximately total totalled totaled",
            "now then this that these those which who whereas compared stands stood came comes",
        )
    ).split()
)


@dataclass(frozen=True)
class DataPoint:
    label: str
    value: float  # signed magnitude with scale words applied
    display: str  # as it should be printed: "$1.2M", "35%", "3×"
    unit: str  # what makes values comparable: currency, "%" or "x" ("" for plain counts)
    digits: str = ""  # the number as written, without grouping commas ("1.2")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    year: int | None
    point: DataPoint | None


def extract_points(text: str) -> list[DataPoint]:
    """Every value in `text` (years become labels, not values), each with a label."""
    found = [_parse(m) for m in _NUMBER.finditer(text)]
    bounds = _clause_bounds(text, found)
    points = []
    for i, item in enumerate(found):
        if item.point is None:
            continue
        clause = bounds[i]
        label = _year_in(found, clause, item) or _words_label(text, found, i, clause)
        points.append(
            DataPoint(
                label, item.point.value, item.point.display, item.point.unit, item.point.digits
            )
        )
    return points


def chart_points(points: Sequence[DataPoint]) -> list[DataPoint]:
    """The largest group of comparable, non-negative values (first group wins ties), capped."""
    groups: dict[str, list[DataPoint]] = {}
    for point in points:
        groups.setdefault(point.unit, []).append(point)
    if not groups:
        return []
    best = max(groups.values(), key=len)
    if any(p.value < 0 for p in best):
        return []
    return best[:MAX_BARS]


def split_heading(text: str) -> tuple[str, str]:
    """("Revenue by year", rest) when words before the first number end with ':' or a newline."""
    first = _NUMBER.search(text)
    head_end = (
        max(text.rfind(":", 0, first.start()), text.rfind("\n", 0, first.start())) if first else -1
    )
    if head_end <= 0:
        return "", text
    return text[:head_end].strip(), text[head_end + 1 :].strip()


def _parse(match: re.Match[str]) -> _Found:
    digits = match["digits"].replace(",", "")
    plain = not any(match[g] for g in ("sign", "currency", "word", "letter", "percent", "times"))
    if plain and digits.isdigit() and 1900 <= int(digits) <= 2100 and "," not in match["digits"]:
        return _Found(match.start(), match.end(), int(digits), None)
    scale = _SCALES.get((match["word"] or match["letter"] or "").lower(), 1.0)
    negative = match["sign"] in {"-", "−"}
    value = float(digits) * scale * (-1 if negative else 1)
    currency = match["currency"] or ""
    suffix = "%" if match["percent"] else "×" if match["times"] else ""
    written = ("−" if negative else "") + currency + match["digits"]
    display = written + _SCALE_MARK.get(scale, "") + suffix
    unit = currency + ("%" if match["percent"] else "x" if match["times"] else "")
    point = DataPoint("", value, display, unit, digits)
    return _Found(match.start(), match.end(), None, point)


def _clause_bounds(text: str, found: list[_Found]) -> list[tuple[int, int]]:
    """For each number, the (start, end) of the clause around it."""
    masked = list(text)
    for item in found:  # punctuation inside a number ("1,200.5") is not a clause boundary
        masked[item.start : item.end] = "#" * (item.end - item.start)
    cuts = [(m.start(), m.end()) for m in _BOUNDARY.finditer("".join(masked))]
    bounds = []
    for item in found:
        start = max((end for _, end in cuts if end <= item.start), default=0)
        end = min((begin for begin, _ in cuts if begin >= item.end), default=len(text))
        bounds.append((start, end))
    return bounds


def _year_in(found: list[_Found], clause: tuple[int, int], item: _Found) -> str:
    years = [f for f in found if f.year is not None and clause[0] <= f.start < clause[1]]
    if not years:
        return ""
    nearest = min(years, key=lambda f: abs(f.start - item.start))
    return str(nearest.year)


def _words_label(text: str, found: list[_Found], i: int, clause: tuple[int, int]) -> str:
    item = found[i]
    before_from = max([clause[0], *(f.end for f in found[:i] if f.end <= item.start)])
    after_to = min([clause[1], *(f.start for f in found[i + 1 :] if f.start >= item.end)])
    before = _trim(_words(text[before_from : item.start]))
    if before:
        return _label(before[-LABEL_WORDS:])
    after = _trim(_words(text[item.end : after_to]))
    return _label(after[:LABEL_WORDS])


def _words(fragment: str) -> list[str]:
    return re.findall(r"[^\W\d_][\w'’&-]*", fragment)


def _trim(words: list[str]) -> list[str]:
    start, end = 0, len(words)
    while start < end and words[start].lower() in _STOPWORDS:
        start += 1
    while end > start and words[end - 1].lower() in _STOPWORDS:
        end -= 1
    return words[start:end]


def _label(words: list[str]) -> str:
    if not words:
        return ""
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"
