"""Stage directions: the writer's instructions for the picture, kept out of the narration.

Conventions (the same in scripts and outlines):

- `[Aerial shot of terraced hills at dawn]` anywhere in a paragraph is a visual direction for
  that paragraph's scene. Square brackets never reach the narrator, so `[sic]` is dropped too.
  A Markdown link `[text](url)` is not a direction.
- A line starting with `VISUAL:`, `SHOT:` or `B-ROLL:` (any case) is a visual direction.
- A line starting with `ON SCREEN:` sets the scene's on-screen text instead of the derived one.
- A speaker label `NARRATOR:`, `VO:` or `V.O.:` at the start of a line is removed.

Where a direction applies (this paragraph, or the next one when it stands alone) is decided by
the parser that calls `split_directions`; see `script.py` and `outline.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VISUAL_LINE = re.compile(r"^\s*(?:visual|shot|b-roll)\s*:\s*(?P<body>.*)$", re.IGNORECASE)
_ON_SCREEN_LINE = re.compile(r"^\s*on[\s-]screen\s*:\s*(?P<body>.*)$", re.IGNORECASE)
_SPEAKER = re.compile(r"^\s*(?:narrator|v\.?o\.?)\s*:\s*", re.IGNORECASE)
_BRACKETED = re.compile(r"\[(?P<body>[^\[\]]*)\](?!\()")


@dataclass(frozen=True)
class Directed:
    """A block of source text split into what is said and what is shown."""

    narration: str
    visual: str = ""
    on_screen: str = ""


def split_directions(block: str) -> Directed:
    """Separate narration from visual and on-screen directions in one paragraph or bullet."""
    visuals: list[str] = []
    on_screen: list[str] = []
    spoken: list[str] = []

    def keep_visual(match: re.Match[str]) -> str:
        visuals.append(match["body"])
        return " "

    for line in block.split("\n"):
        if match := _VISUAL_LINE.match(line):
            visuals.append(match["body"])
        elif match := _ON_SCREEN_LINE.match(line):
            on_screen.append(match["body"])
        else:
            spoken.append(_BRACKETED.sub(keep_visual, _SPEAKER.sub("", line)))
    narration = " ".join(spoken)
    return Directed(
        narration=_collapse(narration),
        visual=_join(visuals),
        on_screen=_join(on_screen),
    )


def merge_visuals(*visuals: str) -> str:
    """Several directions for one scene, in order, as one prompt."""
    return _join(list(visuals))


def _join(parts: list[str]) -> str:
    cleaned = [_collapse(p).rstrip(".;, ") for p in parts]
    return "; ".join(p for p in cleaned if p)


def _collapse(text: str) -> str:
    # Removing a bracket leaves "word  ." behind; tidy the spaces it leaves before punctuation.
    text = " ".join(text.split())
    return re.sub(r"\s+([,.;:!?…])", r"\1", text)
