"""Which parser a source needs, when the caller does not say.

In order: a Markdown file suffix, Markdown headings or code fences, or a text that is mostly
bullets, means an outline; a single paragraph of fewer than `PROMPT_MAX_WORDS` words is a
prompt; anything else is a script.
"""

from __future__ import annotations

import re

from app.ingest.model import SourceKind
from app.ingest.text import count_words

PROMPT_MAX_WORDS = 60
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd"})

_MARKDOWN_BLOCK = re.compile(r"^\s{0,3}(?:#{1,6}\s+\S|```|~~~)", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+\S")


def detect_source_kind(text: str, *, suffix: str = "") -> SourceKind:
    """The kind of `text` (already normalised); `suffix` is the file's, with its dot, if any."""
    if suffix.lower() in MARKDOWN_SUFFIXES or _MARKDOWN_BLOCK.search(text) or _mostly_bullets(text):
        return SourceKind.OUTLINE
    if "\n\n" not in text and count_words(text) < PROMPT_MAX_WORDS:
        return SourceKind.PROMPT
    return SourceKind.SCRIPT


def _mostly_bullets(text: str) -> bool:
    # A pasted list has no paragraphs to split on; read as a script it would be one run-on scene.
    lines = [line for line in text.split("\n") if line.strip()]
    bullets = sum(1 for line in lines if _BULLET.match(line))
    return bullets >= 2 and bullets * 2 >= len(lines)
