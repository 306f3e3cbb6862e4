"""A Markdown outline → scenes, one per bullet or paragraph, grouped under their headings.

Conventions:

- The first `#` heading (or a `title:` in YAML front matter) is the video's title and opens it
  as a title card. Every other heading (`##`…`######`, later `#`, or a setext heading) starts a
  section; the scenes under it carry its text as `section`, and the first one shows the heading
  on screen. A heading with nothing under it becomes a short scene of its own (a section card).
- Each top-level bullet (`-`, `*`, `+`, `1.`) is a scene; nested bullets and continuation lines
  belong to it, each bullet read as a sentence. Each paragraph is a scene. A block longer than
  45 words is cut at sentence boundaries, as in a script.
- A blockquote is spoken as a quotation (so it is shown on screen in quotes), unless it is a
  direction: `> VISUAL: ...` (or `SHOT:`, `B-ROLL:`, `ON SCREEN:`, or `[...]`, see
  `directions.py`).
- Directions and images that touch a bullet or paragraph (no blank line between) belong to it;
  on their own, after a blank line, they apply to the next scene (or the last, if none follows).
- `![alt](path)` gives the scene a reference image when the file is local and inside the
  outline's folder (see `images.py`); its alt text is the visual prompt unless a direction says
  otherwise. Remote images are ignored with a logged warning.
- Fenced code blocks, tables, thematic breaks, HTML comments and link reference definitions
  are skipped: none of them is narration. An unclosed fence runs to the end of the file, as in
  CommonMark, and is logged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.ingest.directions import Directed, merge_visuals, split_directions
from app.ingest.draft import ParsedSource, SceneDraft, title_card
from app.ingest.images import resolve_image
from app.ingest.markdown_inline import ImageRef, extract_images, plain_text
from app.ingest.sentences import chunk_sentences, split_sentences
from app.ingest.words import sentence_case, words_of

logger = logging.getLogger(__name__)

_FENCE = re.compile(r"^\s{0,3}(?P<marker>`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}(?P<level>#{1,6})\s+(?P<text>.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_THEMATIC_BREAK = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_NOT_NARRATION = re.compile(r"^\s*(?:\||\[[^\]]+\]:\s|<!--.*-->\s*$)")
_BULLET = re.compile(r"^(?P<indent>\s*)(?:[-*+]|\d{1,3}[.)])\s+(?P<text>.*)$")
_QUOTE = re.compile(r"^(?P<indent>\s*)>\s?(?P<text>.*)$")
_FRONT_MATTER_KEY = re.compile(r"^[\w-]+\s*:")
_FRONT_MATTER_TITLE = re.compile(r"^title\s*:\s*(?P<title>.+?)\s*$", re.IGNORECASE)


@dataclass
class _Block:
    """A bullet (with its nested bullets) or a paragraph, being read."""

    section: str
    bullet_indent: int | None = None  # None for a paragraph
    quote: bool = False
    items: list[str] = field(default_factory=list)  # one sentence-ish unit per line
    images: list[ImageRef] = field(default_factory=list)
    lines: int = 0


@dataclass
class _Pending:
    """Directions and an image standing on their own, waiting for the next scene."""

    directed: Directed = field(default_factory=lambda: Directed(narration=""))
    image: Path | None = None
    alt: str = ""


def parse_outline(text: str, *, base_dir: Path | None = None) -> ParsedSource:
    """Title and scene drafts for a Markdown outline (see the module docstring)."""
    return _OutlineReader(base_dir).read(text)


class _OutlineReader:
    def __init__(self, base_dir: Path | None) -> None:
        self.base_dir = base_dir
        self.title = ""
        self.section = ""
        self.section_is_empty = False
        self.drafts: list[SceneDraft] = []
        self.block: _Block | None = None
        self.pending = _Pending()
        self.fence = ""
        self.fence_line = 0

    def read(self, text: str) -> ParsedSource:
        lines = self._skip_front_matter(text.split("\n"))
        for number, line in enumerate(lines, start=1):
            self._feed(line, number)
        self._finish()
        drafts = [title_card(self.title), *self.drafts] if self.title else self.drafts
        return ParsedSource(title=self.title, drafts=drafts)

    def _feed(self, line: str, number: int) -> None:
        if self.fence:
            self._inside_fence(line)
        elif match := _FENCE.match(line):
            self._close_block()
            self.fence, self.fence_line = match["marker"], number
        elif not line.strip():
            self._close_block()
        elif match := _HEADING.match(line):
            self._heading(len(match["level"]), match["text"])
        elif _SETEXT.match(line) and self._setext_heading(line):
            return
        elif _THEMATIC_BREAK.match(line):
            self._close_block()
        elif _NOT_NARRATION.match(line):
            return
        elif match := _BULLET.match(line):
            self._bullet(len(match["indent"]), match["text"])
        elif match := _QUOTE.match(line):
            self._add_line(match["text"], new_item=True, quote=True)
        else:
            self._add_line(line, new_item=False)

    # -- structure -------------------------------------------------------------------------

    def _skip_front_matter(self, lines: list[str]) -> list[str]:
        if len(lines) < 3 or lines[0].strip() != "---" or not _FRONT_MATTER_KEY.match(lines[1]):
            return lines
        for end, line in enumerate(lines[1:], start=1):
            if line.strip() in ("---", "..."):
                for key_line in lines[1:end]:
                    if match := _FRONT_MATTER_TITLE.match(key_line):
                        self.title = match["title"].strip("\"'")
                return [""] * (end + 1) + lines[end + 1 :]  # keep line numbers for messages
        return lines

    def _inside_fence(self, line: str) -> None:
        closing = line.strip()
        if closing and set(closing) == {self.fence[0]} and len(closing) >= len(self.fence):
            self.fence = ""

    def _heading(self, level: int, raw: str) -> None:
        self._close_block()
        text = split_directions(plain_text(raw)).narration  # "[...]" in a heading is not said
        if not words_of(text):
            return
        if level == 1 and not self.title:
            self.title = text
            return
        self._close_section()
        self.section, self.section_is_empty = text, True

    def _setext_heading(self, line: str) -> bool:
        block = self.block
        if block is None or block.bullet_indent is not None or block.quote or block.lines != 1:
            return False
        self.block = None
        self._heading(1 if "=" in line else 2, block.items[0])
        return True

    def _bullet(self, indent: int, text: str) -> None:
        block = self.block
        nested = (
            block is not None and block.bullet_indent is not None and indent > block.bullet_indent
        )
        if not nested:
            self._close_block()
            self.block = _Block(section=self.section, bullet_indent=indent)
        self._add_line(text, new_item=True)

    def _add_line(self, raw: str, *, new_item: bool, quote: bool = False) -> None:
        if self.block is None:
            self.block = _Block(section=self.section, quote=quote)
        block = self.block
        without_images, images = extract_images(raw)
        block.images += images
        text = plain_text(without_images)
        block.lines += 1
        if not text:
            return
        if new_item or not block.items or _is_direction(text) or _is_direction(block.items[-1]):
            block.items.append(text)
        else:
            block.items[-1] = f"{block.items[-1]} {text}"

    # -- blocks to drafts ------------------------------------------------------------------

    def _close_block(self) -> None:
        block, self.block = self.block, None
        if block is None:
            return
        directed = split_directions("\n".join(_spoken_items(block)))
        image, alt = self._first_image(block.images)
        if not words_of(directed.narration):
            self._hold(directed, image, alt)
            return
        held, self.pending = self.pending, _Pending()
        visual = merge_visuals(held.directed.visual, directed.visual) or alt or held.alt
        on_screen = directed.on_screen or held.directed.on_screen
        narration = f"“{directed.narration}”" if block.quote else directed.narration
        for i, chunk in enumerate(chunk_sentences(split_sentences(narration))):
            self.drafts.append(
                SceneDraft(
                    narration=chunk,
                    visual=visual,
                    on_screen=on_screen if i == 0 else "",
                    section=block.section,
                    image_hint=image or held.image,
                )
            )
        self.section_is_empty = False

    def _hold(self, directed: Directed, image: Path | None, alt: str) -> None:
        held = self.pending
        self.pending = _Pending(
            directed=Directed(
                narration="",
                visual=merge_visuals(held.directed.visual, directed.visual),
                on_screen=directed.on_screen or held.directed.on_screen,
            ),
            image=held.image or image,
            alt=held.alt or alt,
        )

    def _first_image(self, refs: list[ImageRef]) -> tuple[Path | None, str]:
        for ref in refs:
            if path := resolve_image(ref, self.base_dir):
                return path, ref.alt
        return None, ""

    def _close_section(self) -> None:
        # A heading with nothing under it still marks a turn in the video: give it a card.
        if self.section and self.section_is_empty:
            card = SceneDraft(
                narration=sentence_case(self.section), on_screen=self.section, section=self.section
            )
            self.drafts.append(card)
        self.section_is_empty = False

    def _finish(self) -> None:
        self._close_block()
        self._close_section()
        if self.fence:
            logger.warning(
                "Code fence opened on line %d is never closed; the rest of the outline was "
                "skipped as code.",
                self.fence_line,
            )
        held = self.pending
        if self.drafts and (held.directed.visual or held.directed.on_screen or held.image):
            last = self.drafts[-1]
            self.drafts[-1] = replace(
                last,
                visual=merge_visuals(last.visual, held.directed.visual) or held.alt,
                on_screen=last.on_screen or held.directed.on_screen,
                image_hint=last.image_hint or held.image,
            )


def _is_direction(text: str) -> bool:
    directed = split_directions(text)
    return bool(directed.visual or directed.on_screen) and not words_of(directed.narration)


def _spoken_items(block: _Block) -> list[str]:
    # Bullets are usually fragments ("Follows the sun"); read each as a sentence of its own.
    return [item if _is_direction(item) else sentence_case(item) for item in block.items]
