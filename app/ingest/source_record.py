"""What the manifest says about where a fetched or written script came from.

A URL source records the fetch (URL, time, sha256 of the bytes, redirects), the extraction
library and its version, the article's metadata, every scene's citations (the numbers of the
paragraphs it came from, with an excerpt and a link to each), the article images used (URL and
sha256) and those skipped (with why). Any script records who wrote it: an LLM (named) or one of
reelroute's deterministic writers, with the reason when a configured LLM was not used.

`to_manifest` gives the JSON-ready block the manifest writer copies to `input.source`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


class _Cited(Protocol):
    @property
    def index(self) -> int: ...

    @property
    def sources(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class WriterRecord:
    kind: str  # "llm" | "extractive" (URL summary) | "rules" (prompt/script/outline parsers)
    model: str = ""  # the LLM that wrote the script
    endpoint: str = ""  # its base URL
    fallback_reason: str = ""  # why the deterministic path ran although an LLM was configured


@dataclass(frozen=True)
class FetchRecord:
    url: str  # as given
    final_url: str  # after redirects
    fetched_at: str  # ISO 8601, UTC
    sha256: str  # of the bytes fetched
    bytes: int
    media_type: str
    charset: str  # the one used to decode the page
    redirects: tuple[str, ...] = ()


@dataclass(frozen=True)
class CitedParagraph:
    number: int
    section: str
    excerpt: str  # its opening words, enough to find it on the page
    link: str  # the page URL with a text fragment that scrolls to the paragraph


@dataclass(frozen=True)
class ImageRecord:
    url: str
    sha256: str = ""
    media_type: str = ""
    bytes: int = 0
    scenes: tuple[int, ...] = ()  # indices of the scenes that show it
    skipped: str = ""  # why it was not used ("" when used)


@dataclass(frozen=True)
class SourceRecord:
    writer: WriterRecord
    fetch: FetchRecord | None = None
    extraction: dict[str, str] = field(default_factory=dict)  # {"library", "version"}
    article: dict[str, Any] = field(default_factory=dict)  # title, author, date, sections, ...
    paragraphs: tuple[CitedParagraph, ...] = ()  # the cited ones
    images: tuple[ImageRecord, ...] = ()
    minutes_asked: float | None = None
    words_per_minute: float | None = None  # the narrator's pace the length was fitted to

    def to_manifest(self, scenes: Sequence[_Cited]) -> dict[str, Any]:
        block: dict[str, Any] = {"writer": asdict(self.writer)}
        if self.minutes_asked is not None:
            block["minutes_asked"] = self.minutes_asked
        if self.words_per_minute is not None:
            block["words_per_minute"] = round(self.words_per_minute, 1)
        if self.fetch is not None:
            block["fetch"] = {**asdict(self.fetch), "redirects": list(self.fetch.redirects)}
            block["extraction"] = dict(self.extraction)
            block["article"] = dict(self.article)
            block["paragraphs"] = [asdict(p) for p in self.paragraphs]
            block["citations"] = [{"scene": s.index, "paragraphs": list(s.sources)} for s in scenes]
            block["images"] = [
                {**asdict(i), "scenes": list(i.scenes)} for i in self.images if not i.skipped
            ]
            block["images_skipped"] = [
                {"url": i.url, "reason": i.skipped} for i in self.images if i.skipped
            ]
        return block
