"""Caption chunks and their ASS documents, one per aspect, kept inside each aspect's safe area."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.render.timeline import Caption, VisibleLabel
from providers.types import Aspect

MAX_WORDS_PER_CAPTION = 7
CAPTION_FONT = "Manrope"


@dataclass(frozen=True)
class SafeArea:
    """Fractions of the frame kept clear of platform UI (bottom bars, side buttons)."""

    bottom: float
    sides: float
    font_scale: float  # caption size as a fraction of the frame height


SAFE_AREAS: dict[Aspect, SafeArea] = {
    Aspect.LANDSCAPE: SafeArea(bottom=0.08, sides=0.10, font_scale=0.050),
    # Vertical feeds overlay captions, buttons and the description on the lower fifth.
    Aspect.PORTRAIT: SafeArea(bottom=0.22, sides=0.12, font_scale=0.032),
    Aspect.SQUARE: SafeArea(bottom=0.10, sides=0.10, font_scale=0.045),
    Aspect.FOUR_FIVE: SafeArea(bottom=0.12, sides=0.10, font_scale=0.040),
}


def chunk_words(text: str, max_words: int = MAX_WORDS_PER_CAPTION) -> list[str]:
    """Split narration into readable caption chunks, preferring to break after punctuation."""
    words = text.split()
    chunks: list[str] = []
    current: list[str] = []
    for word in words:
        current.append(word)
        ends_clause = bool(re.search(r"[.!?;:,]$", word))
        if len(current) >= max_words or (ends_clause and len(current) >= 3):
            chunks.append(" ".join(current))
            current = []
    if current:
        chunks.append(" ".join(current))
    return chunks


def time_captions(
    text: str,
    start: float,
    speech_duration: float,
    word_times: Sequence[tuple[float, float]] = (),
) -> tuple[Caption, ...]:
    """Time caption chunks across the speech.

    With word timings (from the voice engine) each chunk spans its own words; without them,
    time is shared out by character count, which tracks speech length well enough for captions.
    """
    chunks = chunk_words(text)
    if not chunks or speech_duration <= 0:
        return ()
    n_words = sum(len(c.split()) for c in chunks)
    if len(word_times) == n_words:
        return _from_word_times(chunks, start, word_times)
    weights = [len(c) + 1 for c in chunks]
    total = sum(weights)
    captions: list[Caption] = []
    t = start
    for chunk, weight in zip(chunks, weights, strict=True):
        span = speech_duration * weight / total
        captions.append(Caption(round(t, 3), round(t + span, 3), chunk))
        t += span
    return tuple(captions)


def _from_word_times(
    chunks: list[str], start: float, word_times: Sequence[tuple[float, float]]
) -> tuple[Caption, ...]:
    captions: list[Caption] = []
    i = 0
    for chunk in chunks:
        n = len(chunk.split())
        first, last = word_times[i], word_times[i + n - 1]
        captions.append(Caption(round(start + first[0], 3), round(start + last[1], 3), chunk))
        i += n
    return tuple(captions)


def _ass_time(seconds: float) -> str:
    cs = max(0, round(seconds * 100))
    h, rem = divmod(cs, 360000)
    m, rem = divmod(rem, 6000)
    s, cs = divmod(rem, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def _ass_text(text: str) -> str:
    # Braces start override blocks and backslashes escapes in ASS; neither may come from users.
    cleaned = text.replace("\\", "/").replace("{", "(").replace("}", ")")
    return " ".join(cleaned.split())


_LABEL_ALIGN = {"bottom_left": 1, "bottom_right": 3, "top_left": 7, "top_right": 9}


def _label_style(label: VisibleLabel, area: SafeArea, width: int, height: int, size: int) -> str:
    """A small boxed mark in the chosen corner; bottom corners sit above the caption band."""
    label_size = max(10, round(size * 0.55))
    margin_h = round(width * area.sides * 0.5)
    margin_v = round(height * 0.04)
    if label.position.startswith("bottom"):
        margin_v = round(height * area.bottom + size * 2.8)
    pad = max(2, label_size // 4)
    return (
        f"Style: Label,{CAPTION_FONT},{label_size},&H00FFFFFF,&H00FFFFFF,&H66000000,&H66000000,"
        f"-1,0,0,0,100,100,0,0,3,{pad},0,{_LABEL_ALIGN[label.position]},"
        f"{margin_h},{margin_h},{margin_v},1"
    )


def ass_document(
    captions: Sequence[Caption],
    aspect: Aspect,
    width: int,
    height: int,
    label: VisibleLabel | None = None,
    duration: float = 0.0,
    marks: Sequence[VisibleLabel] = (),
) -> str:
    """An ASS document sized to the output frame: captions inside the safe area, and the
    visible AI label (when the policy asks for one) shown for `duration` seconds. `marks` are
    more corner marks of the same look, shown as long (a draft's "Draft")."""
    area = SAFE_AREAS[aspect]
    size = round(height * area.font_scale)
    outline = max(2, round(size * 0.08))
    margin_v = round(height * area.bottom)
    margin_lr = round(width * area.sides)
    style = (
        f"Style: Caption,{CAPTION_FONT},{size},&H00FFFFFF,&H00FFFFFF,&H00101010,&H80000000,"
        f"-1,0,0,0,100,100,0,0,1,{outline},{max(1, outline // 2)},2,"
        f"{margin_lr},{margin_lr},{margin_v},1"
    )
    lines = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        style,
        *([_label_style(label, area, width, height, size)] if label else []),
        *(
            _label_style(m, area, width, height, size).replace("Style: Label,", f"Style: Mark{k},")
            for k, m in enumerate(marks)
        ),
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    if label is not None:
        shown = f"{_ass_time(0)},{_ass_time(duration)}"
        lines.append(f"Dialogue: 1,{shown},Label,,0,0,0,,{_ass_text(label.text)}")
    for k, mark in enumerate(marks):
        shown = f"{_ass_time(0)},{_ass_time(duration)}"
        lines.append(f"Dialogue: 1,{shown},Mark{k},,0,0,0,,{_ass_text(mark.text)}")
    for cap in captions:
        lines.append(
            f"Dialogue: 0,{_ass_time(cap.start)},{_ass_time(cap.end)},Caption,,0,0,0,,"
            f"{_ass_text(cap.text)}"
        )
    return "\n".join(lines) + "\n"
