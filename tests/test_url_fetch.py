"""The fetcher's limits against the loopback fixture site: size, deadline, redirects, types."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.ingest.url.charset import decode_html
from app.ingest.url.errors import FetchRefused
from app.ingest.url.fetch import HTML_TYPES, MAX_REDIRECTS, Fetcher
from app.ingest.url.settings import DEFAULT_USER_AGENT
from tests.fakes_http import articles
from tests.fakes_http.articles import LATIN1_TEXT, serve_articles
from tests.url_helpers import loopback_settings, table_resolver


@pytest.fixture
def site() -> Iterator[str]:
    with serve_articles() as base:
        yield base


def _fetcher(**settings: object) -> Fetcher:
    return Fetcher(loopback_settings(**settings), resolver=table_resolver({}))


async def _refusal(url: str, **settings: object) -> FetchRefused:
    fetcher = _fetcher(**settings)
    with pytest.raises(FetchRefused) as caught:
        await fetcher.fetch(url, accept=HTML_TYPES, max_bytes=fetcher.settings.max_bytes)
    return caught.value


async def test_article_is_fetched_with_a_clear_user_agent_and_hashed(site: str) -> None:
    got = await _fetcher().fetch(f"{site}/article.html", accept=HTML_TYPES, max_bytes=5_000_000)
    assert got.media_type == "text/html" and got.charset == "utf-8"
    assert got.sha256.startswith("sha256:") and len(got.sha256) == 71
    headers = articles.seen[-1][1]
    assert headers["user-agent"] == DEFAULT_USER_AGENT and "reelroute/" in DEFAULT_USER_AGENT


async def test_a_20_mb_page_is_refused_by_its_declared_size(site: str) -> None:
    refusal = await _refusal(f"{site}/huge.html")
    assert refusal.rule == "fetch.size" and "5,000,000-byte cap" in str(refusal)


async def test_a_20_mb_page_without_a_length_is_cut_off_while_reading(site: str) -> None:
    refusal = await _refusal(f"{site}/huge-chunked.html", max_bytes=1_000_000)
    assert refusal.rule == "fetch.size"


async def test_a_slow_drip_page_cannot_outlast_the_deadline(site: str) -> None:
    started = time.monotonic()
    refusal = await _refusal(f"{site}/slow.html", deadline_s=0.6, read_timeout_s=5)
    assert refusal.rule == "fetch.deadline" and "0.6 s" in str(refusal)
    assert time.monotonic() - started < 5, "the deadline, not the drip, ended the fetch"


async def test_a_non_html_download_is_refused(site: str) -> None:
    refusal = await _refusal(f"{site}/download.zip")
    assert refusal.rule == "fetch.content_type" and "application/zip" in str(refusal)


async def test_a_missing_page_names_the_status(site: str) -> None:
    refusal = await _refusal(f"{site}/gone.html")
    assert refusal.rule == "fetch.status" and "404" in str(refusal)


async def test_five_redirects_are_followed_and_a_sixth_is_refused(site: str) -> None:
    fetcher = _fetcher()
    got = await fetcher.fetch(f"{site}/redirect/{MAX_REDIRECTS}?to=/article.html",
                              accept=HTML_TYPES, max_bytes=1_000_000)  # fmt: skip
    assert len(got.redirects) == MAX_REDIRECTS and got.url.endswith("/article.html")
    refusal = await _refusal(f"{site}/redirect/{MAX_REDIRECTS + 1}?to=/article.html")
    assert refusal.rule == "fetch.redirects"


@pytest.mark.parametrize("page", ["latin1.html", "meta-charset.html"])
async def test_a_non_utf8_page_is_decoded_with_its_charset(site: str, page: str) -> None:
    got = await _fetcher().fetch(f"{site}/{page}", accept=HTML_TYPES, max_bytes=1_000_000)
    text, charset = decode_html(got.body, got.charset)
    assert charset == "cp1252"
    assert LATIN1_TEXT.strip() in text and "Parágrafo" in text


def test_charset_rules_without_a_server() -> None:
    assert decode_html("café".encode(), "") == ("café", "utf-8")
    assert decode_html("café".encode("cp1252"), "")[1] == "cp1252"  # not UTF-8: legacy default
    assert decode_html("café".encode("utf-16"), "")[0] == "café"  # byte-order mark wins
    assert decode_html("Ωμέγα".encode("iso-8859-7"), "iso-8859-7")[0] == "Ωμέγα"
    assert decode_html(b"plain", "no-such-charset")[1] == "utf-8"  # unknown label ignored
