"""Fixture pages → scripts: the article's sections and citations, its images, and clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.ingest.errors import IngestError
from app.ingest.model import SourceKind
from app.ingest.outcome import Ingested
from app.ingest.url.article import extract_article
from app.ingest.url.errors import FetchRefused
from app.ingest.url.fetch import Fetcher
from app.ingest.url.images import fetch_images
from app.ingest.url.ingest import UrlOptions, ingest_url
from app.ingest.url.summarize import summarize
from tests.fakes_http.article_text import SECTIONS, TITLE
from tests.fakes_http.articles import article_html, serve_articles
from tests.url_helpers import loopback_settings, table_resolver

BOILERPLATE = ("cookie", "ADVERTISEMENT", "Great article", "Popular posts", "All rights reserved",
               "Archive", "tracking pixel", "Subscribe")  # fmt: skip


@pytest.fixture
def site() -> Iterator[str]:
    with serve_articles() as base:
        yield base


async def _ingest(url: str, tmp_path: Path, minutes: float = 3.0) -> Ingested:
    options = UrlOptions(minutes=minutes, fetch=loopback_settings(),
                         image_dir=tmp_path / "images")  # fmt: skip
    return await ingest_url(url, options, resolver=table_resolver({}))


def test_extraction_keeps_the_article_and_drops_the_page_around_it() -> None:
    article = extract_article(article_html(), "https://blog.example.test/tides")
    assert article.title == TITLE and article.author == "Ana Ribeiro"
    assert article.date == "2026-03-14"
    assert article.sections == tuple(s for s, _ in SECTIONS if s)
    assert len(article.paragraphs) == sum(len(texts) for _, texts in SECTIONS)
    text = " ".join(p.text for p in article.paragraphs)
    for junk in BOILERPLATE:
        assert junk not in text, junk
    assert [i.url for i in article.images] == [
        "https://blog.example.test/img/harbour.png", "https://blog.example.test/img/quay.png",
    ]  # fmt: skip
    assert article.images[0].after == 1  # the lead image follows the first paragraph
    again = extract_article(article_html(), "https://blog.example.test/tides")
    assert again == article, "a second extraction in the same process loses nothing"


async def test_article_becomes_a_cited_script_that_follows_its_headings(
    site: str, tmp_path: Path
) -> None:
    ingested = await _ingest(f"{site}/article.html", tmp_path, minutes=3)
    script = ingested.script
    assert script.title == TITLE and script.source_kind is SourceKind.URL
    assert script.scenes[0].on_screen_text == TITLE and not script.scenes[0].sources
    order = list(dict.fromkeys(s.section for s in script.scenes[1:] if s.section))
    assert order == [s for s, _ in SECTIONS if s], "every heading is a section, in order"
    body = script.scenes[1:]
    assert all(s.sources for s in body), "every scene cites its paragraphs"
    cited = [n for s in body for n in s.sources]
    assert cited == sorted(cited), "said in the article's order"
    # 3 minutes asked: the article (~5 min of text) is summarised to about that.
    assert 140 <= script.target_duration <= 185, script.target_duration
    source = script.source
    assert source is not None and source.fetch is not None
    assert source.fetch.sha256 == script.source_sha256
    assert source.extraction["library"] == "trafilatura"
    assert {p.number for p in source.paragraphs} == set(cited)
    assert "#:~:text=" in source.paragraphs[0].link


async def test_a_shorter_length_keeps_fewer_sentences_but_every_section(
    site: str, tmp_path: Path
) -> None:
    short = (await _ingest(f"{site}/article.html", tmp_path, minutes=1)).script
    assert 45 <= short.target_duration <= 80, short.target_duration  # seven sections: a floor
    sections = {s.section for s in short.scenes if s.section}
    assert sections == {s for s, _ in SECTIONS if s}


def test_the_summary_is_deterministic_and_keeps_a_short_article_whole() -> None:
    article = extract_article(article_html(), "https://blog.example.test/tides")
    first = summarize(article, minutes=2, words_per_minute=150)
    again = summarize(article, minutes=2, words_per_minute=150)
    assert first == again and first.shortened
    whole = summarize(article, minutes=20, words_per_minute=150)
    assert not whole.shortened and whole.kept_words == whole.article_words


async def test_article_images_become_reference_images_and_are_recorded(
    site: str, tmp_path: Path
) -> None:
    script = (await _ingest(f"{site}/article.html", tmp_path)).script
    with_images = [s for s in script.scenes if s.image_hint is not None]
    assert len(with_images) == 2
    lead = with_images[0]
    assert lead.image_hint is not None and lead.image_hint.read_bytes().startswith(b"\x89PNG")
    assert lead.section == "" and "Fishing boats" in lead.visual_prompt
    assert with_images[1].section == "Harbours live by the tables"
    assert script.source is not None
    records = {i.url.rsplit("/", 1)[1]: i for i in script.source.images}
    assert records["harbour.png"].sha256.startswith("sha256:")
    assert records["harbour.png"].scenes == (lead.index,)


async def test_an_image_that_is_really_html_is_skipped_with_its_reason(
    site: str, tmp_path: Path
) -> None:
    script = (await _ingest(f"{site}/fake-image.html", tmp_path)).script
    assert script.source is not None
    skipped = [i for i in script.source.images if i.skipped]
    assert [i.url.rsplit("/", 1)[1] for i in skipped] == ["fake.png"]
    assert "not a PNG, JPEG, GIF or WebP" in skipped[0].skipped
    assert sum(s.image_hint is not None for s in script.scenes) == 1  # the quay image still is


async def test_an_image_is_fetched_under_the_same_address_rules(tmp_path: Path) -> None:
    html = article_html("http://169.254.169.254/latest/meta-data/photo.png")
    article = extract_article(html, "http://127.0.0.1:9/article.html")
    fetcher = Fetcher(loopback_settings(), resolver=table_resolver({}))
    kept, skipped = await fetch_images(article.images[:1], fetcher, tmp_path)
    assert not kept and "169.254.169.254 is a cloud metadata address" in skipped[0].skipped


async def test_a_paywall_stub_is_no_article_text(site: str, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no article text found"):
        await _ingest(f"{site}/paywall.html", tmp_path)


async def test_a_non_utf8_article_reads_correctly(site: str, tmp_path: Path) -> None:
    script = (await _ingest(f"{site}/latin1.html", tmp_path)).script
    assert script.title == "O café do porto"
    assert "Conceição" in " ".join(s.narration for s in script.scenes)
    assert script.source is not None and script.source.fetch is not None
    assert script.source.fetch.charset == "cp1252"


@pytest.mark.parametrize(
    ("page", "rule"),
    [("huge.html", "fetch.size"), ("download.zip", "fetch.content_type"),
     ("redirect/2?to=http://10.0.0.1/", "ssrf.private")],
)  # fmt: skip
async def test_refused_pages_name_the_rule(site: str, tmp_path: Path, page: str, rule: str) -> None:
    with pytest.raises(FetchRefused, match=f"refused by rule {rule}"):
        await _ingest(f"{site}/{page}", tmp_path)


async def test_minutes_out_of_range_are_refused(site: str, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="--minutes 0 is out of range"):
        await _ingest(f"{site}/article.html", tmp_path, minutes=0)
