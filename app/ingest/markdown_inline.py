"""Inline Markdown → plain words for the narrator, with image references pulled out.

Only what outlines use in practice: images, links, emphasis, strike-through, code spans, HTML
tags and backslash escapes. Anything else is left as text, which is the safe failure: the words
are still spoken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<target>[^)]*)\)")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^>\s]*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>|<!--.*?-->")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(?P<body>.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(?P<body>.+?)(?<=\S)\1(?![\w*])")
_STRIKE = re.compile(r"~~(?P<body>.+?)~~")
_CODE = re.compile(r"`+(?P<body>[^`]*)`+")
_SET_ASIDE = 0xF0000  # a private-use plane: escaped characters hide there during parsing
_ESCAPE = re.compile(r"\\(?P<char>[\\`*_{}\[\]()#+\-.!>~|])")


@dataclass(frozen=True)
class ImageRef:
    """An image reference as written: `![alt](target)`."""

    alt: str
    target: str


def extract_images(line: str) -> tuple[str, list[ImageRef]]:
    """The line without its images, and the images in order."""
    images = [ImageRef(m["alt"].strip(), _target_path(m["target"])) for m in _IMAGE.finditer(line)]
    return _IMAGE.sub(" ", line), images


def without_links(text: str) -> str:
    """Images dropped and links reduced to their text; for scripts and prompts, where a pasted
    Markdown link is not a stage direction and an image has no folder to be found in."""
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(lambda m: m["text"], text)
    return _AUTOLINK.sub(" ", text)


def plain_text(line: str) -> str:
    """Inline Markdown reduced to the words a narrator should say (images must be gone already).

    Escaped characters are set aside first and code spans unwrapped next, so `*` written as
    `\\*` or inside code is never mistaken for emphasis.
    """
    text = _ESCAPE.sub(lambda m: chr(_SET_ASIDE + ord(m["char"])), line)
    text = _CODE.sub(lambda m: m["body"], text)
    text = _LINK.sub(lambda m: m["text"], text)
    text = _AUTOLINK.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    for pattern in (_STRONG, _EMPHASIS, _STRIKE):
        text = pattern.sub(lambda m: m["body"], text)
    text = "".join(chr(ord(c) - _SET_ASIDE) if _is_set_aside(c) else c for c in text)
    return " ".join(text.split())


def _target_path(target: str) -> str:
    # `![a](<my file.png> "Title")` and `![a](file.png 'Title')`: keep only the path.
    target = target.strip()
    if target.startswith("<") and ">" in target:
        return target[1 : target.index(">")]
    return target.split(maxsplit=1)[0] if target else ""


def _is_set_aside(char: str) -> bool:
    return _SET_ASIDE <= ord(char) < _SET_ASIDE + 128  # escapable characters are all ASCII
