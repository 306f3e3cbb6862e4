"""Kinetic typography: clean the words, wrap them to a region, and animate them with drawtext.

Layout happens here in Python (we know every word's width from the font tables), so each word
or line gets its own drawtext with its own entrance; ffmpeg only evaluates the motion curves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from providers.local.filtergraph import (
    Graph,
    OptionValue,
    color,
    even,
    filter_,
    hold_still,
    num,
)
from providers.local.fonts import FontFace
from providers.local.motion import ease_out, ease_out_back

if TYPE_CHECKING:
    from providers.local.spec import Frame

ELLIPSIS = "…"
CAP_HEIGHT = 0.74  # Manrope's cap height in ems: what the eye sees as the top of a line
DESCENT = 0.22  # how far below the baseline the block visually ends, in ems
_SPACES = re.compile(r"\s+")


def clean_text(text: str, face: FontFace) -> str:
    """Printable single-line text: no control or format characters, nothing the face lacks."""
    text = unicodedata.normalize("NFC", text)
    kept = []
    for char in text:
        if char.isspace():
            kept.append(" ")
        elif not unicodedata.category(char).startswith("C") and face.has(char):
            kept.append(char)
    return _SPACES.sub(" ", "".join(kept)).strip()


def shorten(text: str, max_words: int) -> str:
    """The first sentence, at most `max_words` words, with an ellipsis when cut."""
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    words = sentence.split()
    if len(words) <= max_words:
        return sentence.rstrip(".")
    return " ".join(words[:max_words]).rstrip(",;:.") + ELLIPSIS


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"


@dataclass(frozen=True)
class Region:
    """A rectangle of the frame, in pixels."""

    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class Word:
    text: str
    x: float
    width: float


@dataclass(frozen=True)
class Line:
    words: tuple[Word, ...]
    baseline: float

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x(self) -> float:
        return self.words[0].x

    @property
    def right(self) -> float:
        return self.words[-1].x + self.words[-1].width


@dataclass(frozen=True)
class TextBlock:
    """Wrapped, positioned text at one size."""

    lines: tuple[Line, ...]
    size: float
    face: FontFace

    @property
    def top(self) -> float:
        return self.lines[0].baseline - CAP_HEIGHT * self.size if self.lines else 0.0

    @property
    def bottom(self) -> float:
        return self.lines[-1].baseline + DESCENT * self.size if self.lines else 0.0

    @property
    def left(self) -> float:
        return min((line.x for line in self.lines), default=0.0)

    @property
    def right(self) -> float:
        return max((line.right for line in self.lines), default=0.0)


def wrap(text: str, face: FontFace, size: float, max_width: float) -> list[list[str]]:
    """Greedy word wrap; a word wider than the line is split between characters."""
    lines: list[list[str]] = []
    current: list[str] = []
    for word in _fitting_pieces(text.split(), face, size, max_width):
        candidate = " ".join([*current, word])
        if current and face.width(candidate, size) > max_width:
            lines.append(current)
            current = [word]
        else:
            current.append(word)
    if current:
        lines.append(current)
    return lines


def balanced_wrap(text: str, face: FontFace, size: float, max_width: float) -> list[list[str]]:
    """Wrap into as few lines as greedy wrapping needs, but with lines of even length."""
    lines = wrap(text, face, size, max_width)
    if len(lines) <= 1:
        return lines
    # never narrower than the widest word: a narrower wrap would split it between characters
    widest = max((face.width(word, size) for word in text.split()), default=0.0)
    narrow, wide = min(max(max_width * 0.3, widest), max_width), max_width
    for _ in range(12):  # binary search for the narrowest width that keeps the line count
        middle = (narrow + wide) / 2
        if len(wrap(text, face, size, middle)) <= len(lines):
            wide = middle
        else:
            narrow = middle
    return wrap(text, face, size, wide)


def _fitting_pieces(words: list[str], face: FontFace, size: float, limit: float) -> Iterator[str]:
    for word in words:
        while face.width(word, size) > limit and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and face.width(word[:cut], size) > limit:
                cut -= 1
            yield word[:cut]
            word = word[cut:]
        yield word


@dataclass(frozen=True)
class Fit:
    """How to fit text into a region: the size range and the shape of the block."""

    max_size: float
    min_size: float
    max_lines: int = 4
    line_gap: float = 1.14  # baseline-to-baseline distance, in ems
    align: Align = Align.CENTER
    anchor: float = 0.5  # 0 = block at the top of the region, 1 = at the bottom


def fit_block(text: str, face: FontFace, region: Region, fit: Fit) -> TextBlock:
    """The largest size at which `text` fits `region`; truncated with an ellipsis if none does."""
    size = fit.max_size
    widest = max((face.width(word, 1.0) for word in text.split()), default=0.0)
    while True:
        lines = balanced_wrap(text, face, size, region.w)
        height = (CAP_HEIGHT + DESCENT + fit.line_gap * (len(lines) - 1)) * size
        whole_words = widest * size <= region.w  # never break a word while a smaller size won't
        if len(lines) <= fit.max_lines and height <= region.h and whole_words:
            break
        if size * 0.92 < fit.min_size:
            lines = _truncate(lines, face, size, region.w, _max_lines(fit, region, size))
            break
        size *= 0.92
    return _place(lines, face, size, region, fit)


def _max_lines(fit: Fit, region: Region, size: float) -> int:
    by_height = int((region.h / size - CAP_HEIGHT - DESCENT) / fit.line_gap) + 1
    return max(1, min(fit.max_lines, by_height))


def _truncate(
    lines: list[list[str]], face: FontFace, size: float, width: float, keep: int
) -> list[list[str]]:
    if len(lines) <= keep:
        return lines
    kept = [list(line) for line in lines[:keep]]
    last = kept[-1]
    while len(last) > 1 and face.width(" ".join(last) + ELLIPSIS, size) > width:
        last.pop()
    last[-1] = last[-1].rstrip(",;:.") + ELLIPSIS
    return kept


def _place(
    lines: list[list[str]], face: FontFace, size: float, region: Region, fit: Fit
) -> TextBlock:
    height = (CAP_HEIGHT + DESCENT + fit.line_gap * (len(lines) - 1)) * size
    top = region.y + (region.h - height) * fit.anchor
    space = face.width(" ", size)
    placed = []
    for i, words in enumerate(lines):
        widths = [face.width(w, size) for w in words]
        line_width = sum(widths) + space * (len(words) - 1)
        x = region.x if fit.align is Align.LEFT else region.x + (region.w - line_width) / 2
        positioned = []
        for word, width in zip(words, widths, strict=True):
            positioned.append(Word(word, x, width))
            x += width + space
        baseline = top + CAP_HEIGHT * size + i * fit.line_gap * size
        placed.append(Line(tuple(positioned), baseline))
    return TextBlock(tuple(placed), size, face)


class Entrance(StrEnum):
    RISE = "rise"  # rises into place from behind an invisible line just below it
    SLIDE = "slide"  # slides in from behind an invisible edge at its left
    FLY = "fly"  # flies in from beyond the left of the frame, overshooting a little


@dataclass(frozen=True)
class Animation:
    """When and how the pieces of a block come in."""

    entrance: Entrance = Entrance.RISE
    start: float = 0.2
    stagger: float = 0.12  # seconds between consecutive words (or lines)
    length: float = 0.7  # seconds each entrance takes
    by_word: bool = True
    end: float | None = None  # the clip's length, to pace long text
    reveal_within: float = 0.45  # share of the clip by which the last piece has started


@dataclass(frozen=True)
class Ink:
    """How text is painted."""

    fontcolor: str
    shadow: str | None = "#000000"
    shadow_alpha: float = 0.4
    box: str | None = None  # panel colour behind each line, if any
    box_alpha: float = 0.6
    box_pad: float = 0.3  # panel padding, in ems


@dataclass(frozen=True)
class Piece:
    """One word or line to animate: its text and where its baseline starts."""

    text: str
    x: float
    baseline: float


def animate_block(
    graph: Graph, block: TextBlock, animation: Animation, ink: Ink, frame: Frame
) -> None:
    """Bring every word (or line) of `block` in, one after another."""
    pieces = [
        Piece(word.text, word.x, line.baseline)
        if animation.by_word
        else Piece(line.text, line.x, line.baseline)
        for line in block.lines
        for word in (line.words if animation.by_word else line.words[:1])
    ]
    timing = _paced(animation, len(pieces))
    for i, piece in enumerate(pieces):
        start = timing.start + i * timing.stagger
        enter(
            graph, block.face, block.size, ink, piece, timing.entrance, start, timing.length, frame
        )


def _paced(animation: Animation, count: int) -> Animation:
    """Shrink the stagger so that even long text has fully started early in the clip."""
    if animation.end is None or count <= 1:
        return animation
    window = max(animation.end * animation.reveal_within - animation.start, 0.0)
    return replace(animation, stagger=min(animation.stagger, window / (count - 1)))


@dataclass(frozen=True)
class SpriteBox:
    """A text sprite's size and where the text's baseline sits inside it."""

    width: int
    height: int
    pad: int
    baseline: float


def sprite_box(face: FontFace, text: str, size: float, ink: Ink) -> SpriteBox:
    """Room for the text's full ascent and descent, its shadow and its panel, if any."""
    pad = 2 + max(round(size * 0.08), _shadow_offset(size) if ink.shadow else 0)
    if ink.box:
        pad += round(size * ink.box_pad)
    width = even(face.width(text, size) + 2 * pad)
    height = even(face.ascent(size) + face.descent(size) + 2 * pad)
    return SpriteBox(width, height, pad, pad + face.ascent(size))


def enter(
    graph: Graph,
    face: FontFace,
    size: float,
    ink: Ink,
    piece: Piece,
    entrance: Entrance,
    start: float,
    length: float,
    frame: Frame,
    *,
    lift: str = "",
) -> None:
    """Render `piece` once into a sprite, then move or unmask it into place from `start`.

    Text is drawn a single time; per frame only a crop window and an overlay move, which is
    several times cheaper than drawing the glyphs again on every frame. `lift`, an expression
    of t, is subtracted from the sprite's y (for labels that ride on a growing bar).
    """
    box = sprite_box(face, piece.text, size, ink)
    x, top = round(piece.x - box.pad), round(piece.baseline - box.baseline)
    y = f"{top}-{lift}" if lift else num(top)
    if entrance is Entrance.FLY:
        sprite = _sprite(face, piece.text, size, ink, box, box.width, box.height, 0)
        back = ease_out_back(start, length)
        fly = f"{x}-{x + box.width + 8}*(1-{back})"
        graph.overlay(graph.source(sprite), fly, y, enable=f"gte(t,{num(start)})")
        return
    grown = ease_out(start, length)
    window: dict[str, OptionValue]
    if entrance is Entrance.RISE:
        sprite = _sprite(face, piece.text, size, ink, box, box.width, 2 * box.height, box.height)
        window = {"x": 0, "y": f"{box.height}*{grown}"}
    else:
        sprite = _sprite(face, piece.text, size, ink, box, 2 * box.width, box.height, 0)
        window = {"x": f"{box.width}*(1-{grown})", "y": 0}
    moving = [*sprite, *hold_still(frame.frames, frame.fps)]
    moving.append(filter_("crop", {"w": box.width, "h": box.height, **window}))
    graph.overlay(graph.source(moving), num(x), y, enable=f"gte(t,{num(start)})", streamed=True)


def _sprite(
    face: FontFace,
    text: str,
    size: float,
    ink: Ink,
    box: SpriteBox,
    width: int,
    height: int,
    top: int,
) -> list[str]:
    """A transparent `width` x `height` canvas with `text` drawn `top` pixels down."""
    canvas = filter_("color", {"c": "black@0", "s": f"{width}x{height}", "r": 1, "d": 1})
    baseline = num(round(top + box.baseline, 1))
    return [
        canvas,
        "format=rgba",
        drawtext(face, text, size, ink, num(box.pad), baseline, "1"),
        "format=yuva420p",
    ]


def _shadow_offset(size: float) -> int:
    return max(1, round(size * 0.035))


def drawtext(
    face: FontFace,
    text: str,
    size: float,
    ink: Ink,
    x: str,
    y: str,
    alpha: str,
    *,
    expansion: str = "none",
) -> str:
    """A drawtext filter; `y` is the baseline. Text of any content is escaped safely."""
    options: dict[str, str | int | float] = {
        "fontfile": str(face.path),
        "text": text,
        "expansion": expansion,
        "fontsize": round(size, 1),
        "fontcolor": color(ink.fontcolor),
        "x": x,
        "y": y,
        "y_align": "baseline",
        "alpha": alpha,
    }
    if ink.shadow:
        offset = _shadow_offset(size)
        options |= {"shadowcolor": color(ink.shadow, ink.shadow_alpha), "shadowx": offset}
        options["shadowy"] = offset
    if ink.box:
        pad = round(size * ink.box_pad)
        options |= {"box": 1, "boxcolor": color(ink.box, ink.box_alpha)}
        options["boxborderw"] = f"{round(pad * 0.6)}|{pad}"
    return filter_("drawtext", options)
