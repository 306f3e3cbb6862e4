"""How long a scene should last: the time its narration takes to say, at a speaking rate.

The estimate is a target, not a promise: the pipeline measures the synthesised narration and the
real length wins. A good target still matters, because clips are generated before the voice.
"""

from __future__ import annotations

import math
import re

from app.ingest.errors import IngestError

DEFAULT_WORDS_PER_MINUTE = 150.0  # a relaxed documentary narrator
MIN_WORDS_PER_MINUTE = 60.0
MAX_WORDS_PER_MINUTE = 400.0
MIN_SCENE_SECONDS = 2.5  # shorter cuts read as flicker, and most providers make ≥ 2 s anyway
SCENE_PADDING_SECONDS = 0.5  # a breath between scenes so cuts do not clip the last word

_HAS_DIGIT = re.compile(r"\d")


def spoken_words(narration: str) -> float:
    """Words as spoken: a token with digits ("$4.50", "1,200") takes about two words to say."""
    return sum(2.0 if _HAS_DIGIT.search(token) else 1.0 for token in narration.split())


def target_duration(
    narration: str,
    words_per_minute: float = DEFAULT_WORDS_PER_MINUTE,
    *,
    minimum: float = MIN_SCENE_SECONDS,
    padding: float = SCENE_PADDING_SECONDS,
) -> float:
    """Seconds for a scene: speaking time plus padding, at least `minimum`, rounded up to 0.1 s."""
    check_speaking_rate(words_per_minute)
    seconds = spoken_words(narration) * 60.0 / words_per_minute + padding
    return math.ceil(max(seconds, minimum) * 10 - 1e-9) / 10


def check_speaking_rate(words_per_minute: float) -> None:
    """Refuse a rate no narrator can speak at, naming the accepted range."""
    if not MIN_WORDS_PER_MINUTE <= words_per_minute <= MAX_WORDS_PER_MINUTE:
        raise IngestError(
            f"a speaking rate of {words_per_minute:g} words per minute is outside the range "
            f"{MIN_WORDS_PER_MINUTE:g}–{MAX_WORDS_PER_MINUTE:g}",
            source="words_per_minute",
            fix="Use about 130–170 for natural narration; 150 is the default.",
        )
