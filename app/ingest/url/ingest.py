"""`ingest_url`: a web article → a `Script` whose every scene cites its source paragraphs.

Steps: fetch the page (`fetch.Fetcher`, HTML only, `max_bytes`), decode it with its charset,
extract the article (trafilatura), write the script (the LLM writer when one is configured and
succeeds, else the extractive summary), fetch the article's images under the same rules, place
them on scenes, and record it all in a `SourceRecord` for the manifest.

`notes` are what the person should hear about the result (an LLM that was not used and why, an
article shorter than the length asked); the CLI prints them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from app.ingest.draft import SceneDraft, build_scenes
from app.ingest.errors import IngestError
from app.ingest.llm.settings import LLMSettings
from app.ingest.llm.writer import ArticleBrief, write_with_llm
from app.ingest.model import Scene, Script, SourceKind
from app.ingest.outcome import Ingested
from app.ingest.source_record import CitedParagraph, FetchRecord, SourceRecord, WriterRecord
from app.ingest.timing import check_speaking_rate
from app.ingest.url.article import EXTRACTOR, Article, extract_article, extractor_version
from app.ingest.url.charset import decode_html
from app.ingest.url.fetch import HTML_TYPES, Fetched, Fetcher
from app.ingest.url.guard import Resolver, system_resolver
from app.ingest.url.images import fetch_images, place_images
from app.ingest.url.settings import FetchSettings
from app.ingest.url.summarize import summarize

if TYPE_CHECKING:  # app.config imports this package's settings
    from app.config import Settings

URL_IMAGES = "url-images"  # the folder (in the data dir and the bucket) of article images
DEFAULT_MINUTES = 3.0
MAX_MINUTES = 30.0
EXCERPT_CHARS = 160
FRAGMENT_WORDS = 8


@dataclass(frozen=True)
class UrlOptions:
    minutes: float = DEFAULT_MINUTES
    words_per_minute: float = 150.0
    fetch: FetchSettings = field(default_factory=FetchSettings)
    llm: LLMSettings = field(default_factory=LLMSettings)
    image_dir: Path = Path(".reelroute/url-images")

    @classmethod
    def from_settings(
        cls, settings: Settings, minutes: float = DEFAULT_MINUTES, words_per_minute: float = 0
    ) -> UrlOptions:
        """Options from REELROUTE_* settings (what the CLI, the API and the workers use).

        `words_per_minute` is the narrator's real pace (`app.pipeline.speaking_rate`); without
        it the planning figure `settings.words_per_minute` is used.
        """
        return cls(
            minutes=minutes,
            words_per_minute=words_per_minute or settings.words_per_minute,
            fetch=settings.fetch,
            llm=settings.llm,
            image_dir=settings.data_dir / URL_IMAGES,
        )


async def ingest_url(
    url: str,
    options: UrlOptions,
    *,
    resolver: Resolver = system_resolver,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> Ingested:
    """The script for the article at `url`; FetchRefused or IngestError say what went wrong."""
    check_minutes(options.minutes)
    check_speaking_rate(options.words_per_minute)
    fetcher = Fetcher(options.fetch, resolver=resolver, clock=clock)
    page = await fetcher.fetch(url, accept=HTML_TYPES, max_bytes=options.fetch.max_bytes)
    html, charset = decode_html(page.body, page.charset)
    article = extract_article(html, page.url)
    drafts, writer, notes = await _write(article, options, sleep)
    stored, skipped = await fetch_images(article.images, fetcher, options.image_dir)
    drafts, placed = place_images(drafts, stored)
    scenes = build_scenes(drafts, words_per_minute=options.words_per_minute)
    record = SourceRecord(
        writer=writer,
        fetch=_fetch_record(url, page, charset),
        extraction={"library": EXTRACTOR, "version": extractor_version()},
        article=_article_block(article),
        paragraphs=_cited(article, scenes, page.url),
        images=tuple(placed + skipped),
        minutes_asked=options.minutes,
        words_per_minute=options.words_per_minute,
    )
    title = article.title or scenes[0].on_screen_text
    script = Script(title, SourceKind.URL, page.sha256, scenes, source=record)
    return Ingested(script, tuple(notes))


def check_minutes(minutes: float) -> None:
    if not 0 < minutes <= MAX_MINUTES:
        raise IngestError(
            f"--minutes {minutes:g} is out of range",
            fix=f"Ask for more than 0 and at most {MAX_MINUTES:g} minutes.",
        )


async def _write(
    article: Article, options: UrlOptions, sleep: Callable[[float], Awaitable[object]]
) -> tuple[list[SceneDraft], WriterRecord, list[str]]:
    notes: list[str] = []
    writer = WriterRecord("extractive")
    if options.llm.configured:
        brief = ArticleBrief(article, options.minutes, options.words_per_minute)
        outcome = await write_with_llm(options.llm, brief, sleep=sleep)
        if outcome.drafts:
            return outcome.drafts, outcome.writer, notes
        writer, reason = outcome.writer, outcome.writer.fallback_reason
        notes.append(
            f"The LLM writer was not used ({reason}); the script is an extractive summary."
        )
    summary = summarize(article, minutes=options.minutes, words_per_minute=options.words_per_minute)
    if not summary.shortened:
        minutes = summary.article_words / options.words_per_minute
        notes.append(
            f"The article has about {minutes:.1f} minutes of text, less than the "
            f"{options.minutes:g} asked: all of it is used."
        )
    return summary.drafts, writer, notes


def _fetch_record(url: str, page: Fetched, charset: str) -> FetchRecord:
    return FetchRecord(
        url=url,
        final_url=page.url,
        fetched_at=page.fetched_at.isoformat().replace("+00:00", "Z"),
        sha256=page.sha256,
        bytes=len(page.body),
        media_type=page.media_type,
        charset=charset,
        redirects=page.redirects,
    )


def _article_block(article: Article) -> dict[str, object]:
    return {
        "title": article.title,
        "author": article.author,
        "date": article.date,
        "sections": list(article.sections),
        "paragraphs": len(article.paragraphs),
        "words": article.word_count,
    }


def _cited(
    article: Article, scenes: tuple[Scene, ...], page_url: str
) -> tuple[CitedParagraph, ...]:
    cited = {n for s in scenes for n in s.sources}
    return tuple(
        CitedParagraph(p.number, p.section, _excerpt(p.text), _fragment_link(page_url, p.text))
        for p in article.paragraphs
        if p.number in cited
    )


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _fragment_link(page_url: str, text: str) -> str:
    # A text fragment (#:~:text=) makes a browser scroll to and highlight the paragraph.
    words = " ".join(text.split()[:FRAGMENT_WORDS])
    return f"{page_url.split('#', 1)[0]}#:~:text={quote(words, safe='')}"
