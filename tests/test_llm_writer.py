"""The LLM script writer against a fake OpenAI-compatible server on loopback.

Cases: valid JSON; invalid then valid (the retry carries the validation error); always invalid
(falls back, and says so); 429 (waited out within the budget, or fallen back past it); timeout.
Waits go through an injected sleep, so no test waits for real except the timeout case.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.ingest.llm.prompt import NO_LLM_NOTE, write_prompt_script
from app.ingest.llm.settings import LLMSettings
from app.ingest.llm.writer import ArticleBrief, write_with_llm
from app.ingest.url.article import extract_article
from app.ingest.url.ingest import UrlOptions, ingest_url
from app.ingest.url.summarize import word_budget
from app.pipeline.speaking_rate import measured_rate
from providers.voice import get_voice
from tests.fakes_http.articles import article_html, serve_articles
from tests.fakes_http.openai_chat import FakeChat
from tests.fakes_http.server import Reply, serve
from tests.url_helpers import loopback_settings, table_resolver

ARTICLE = extract_article(article_html(), "https://blog.example.test/tides")
MINUTES = 1.0
WPM = 150.0


def script_json(words: float, *, sources: bool = True, kind: str = "landscape") -> str:
    """A valid reply for the fixture article: one scene per section, `words` words in all."""
    sections = ["", *ARTICLE.sections]
    per_scene = max(1, round(words / len(sections)))
    scenes = []
    for section in sections:
        cite = [p.number for p in ARTICLE.paragraphs if p.section == section][:2]
        scenes.append({
            "section": section,
            "narration": " ".join(["Tides"] + ["rise"] * (per_scene - 2) + ["today."]),
            "on_screen_text": section or "Porto Velho",
            "visual_prompt": "a harbour at low tide",
            "kind": kind,
            "sources": cite if sources else [],
        })  # fmt: skip
    return json.dumps({"title": "Tides of Porto Velho", "scenes": scenes})


TARGET = word_budget(MINUTES, WPM, ARTICLE.title)
VALID = script_json(TARGET)


@pytest.fixture
def chat() -> Iterator[tuple[FakeChat, LLMSettings]]:
    fake = FakeChat()
    with serve(fake) as base:
        yield fake, LLMSettings(base_url=f"{base}/v1", model="fake-writer-1", api_key="sk-test",
                                timeout_s=5, rate_limit_budget_s=30)  # fmt: skip


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def _write(settings: LLMSettings, sleep: Sleeps | None = None) -> Any:
    brief = ArticleBrief(ARTICLE, MINUTES, WPM)
    return await write_with_llm(settings, brief, sleep=sleep or Sleeps())


async def test_valid_json_becomes_cited_drafts(chat: tuple[FakeChat, LLMSettings]) -> None:
    fake, settings = chat
    fake.then(VALID)
    outcome = await _write(settings)
    assert outcome.writer.kind == "llm" and outcome.writer.model == "fake-writer-1"
    assert not outcome.writer.fallback_reason
    assert outcome.drafts[0].on_screen == ARTICLE.title  # the title card
    assert [d.section for d in outcome.drafts[1:]] == ["", *ARTICLE.sections]
    assert all(d.sources for d in outcome.drafts[1:])
    request = fake.requests[0]
    assert request["model"] == "fake-writer-1"
    assert request["response_format"] == {"type": "json_object"}
    assert "[1] (introduction) Twice a day" in request["messages"][1]["content"]
    assert fake.auth[0] == "Bearer sk-test"


async def test_invalid_then_valid_retries_once_with_the_error(
    chat: tuple[FakeChat, LLMSettings],
) -> None:
    fake, settings = chat
    fake.then('{"title": "Tides", "scenes": [{"narration": "Hi", "kind": "weather"}]}', VALID)
    outcome = await _write(settings)
    assert outcome.writer.kind == "llm" and outcome.drafts
    assert len(fake.requests) == 2
    retry = fake.requests[1]["messages"]
    assert retry[-2]["role"] == "assistant"
    assert "scenes.0.kind" in retry[-1]["content"] and "invalid" in retry[-1]["content"]


async def test_wrong_length_and_bad_citations_count_as_invalid(
    chat: tuple[FakeChat, LLMSettings],
) -> None:
    fake, settings = chat
    fake.then(script_json(TARGET * 3), VALID)
    outcome = await _write(settings)
    assert outcome.drafts and "write between" in fake.requests[1]["messages"][-1]["content"]
    fake.requests.clear()
    fake.answers = [script_json(TARGET, sources=False)]
    outcome = await _write(settings)
    assert not outcome.drafts
    assert "cite at least one paragraph" in outcome.writer.fallback_reason


async def test_always_invalid_falls_back_to_the_extractive_summary_and_says_so(
    chat: tuple[FakeChat, LLMSettings], tmp_path: Path
) -> None:
    fake, settings = chat
    fake.then("I'm sorry, here is your script: Tides are nice.")
    with serve_articles() as site:
        options = UrlOptions(minutes=MINUTES, fetch=loopback_settings(), llm=settings,
                             image_dir=tmp_path / "images")  # fmt: skip
        ingested = await ingest_url(f"{site}/article.html", options, resolver=table_resolver({}))
    assert len(fake.requests) == 2
    source = ingested.script.source
    assert source is not None and source.writer.kind == "extractive"
    assert source.writer.model == "fake-writer-1"
    assert source.writer.fallback_reason.startswith("invalid output twice")
    assert any("LLM writer was not used" in n for n in ingested.notes)
    assert all(s.sources for s in ingested.script.scenes[1:])


async def test_429_is_waited_out_within_the_budget(chat: tuple[FakeChat, LLMSettings]) -> None:
    fake, settings = chat
    busy = Reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "7"})
    fake.then(busy, busy, VALID)
    sleeps = Sleeps()
    outcome = await _write(settings, sleeps)
    assert outcome.writer.kind == "llm" and sleeps.waits == [7.0, 7.0]


async def test_429_beyond_the_budget_falls_back(chat: tuple[FakeChat, LLMSettings]) -> None:
    fake, settings = chat
    fake.then(Reply(429, {"error": {"message": "quota"}}, {"Retry-After": "20"}))
    sleeps = Sleeps()
    outcome = await _write(settings, sleeps)
    assert not outcome.drafts and sleeps.waits == [20.0]
    assert (
        "429" in outcome.writer.fallback_reason and "30 s budget" in outcome.writer.fallback_reason
    )


async def test_timeout_falls_back(chat: tuple[FakeChat, LLMSettings]) -> None:
    fake, settings = chat
    fake.then(Reply(200, {"choices": []}, hang_s=1.5))
    outcome = await _write(settings.model_copy(update={"timeout_s": 0.3}))
    assert not outcome.drafts and outcome.writer.fallback_reason == "timed out after 0.3 s"


async def test_a_prompt_gets_a_full_script_from_the_llm(chat: tuple[FakeChat, LLMSettings]) -> None:
    fake, settings = chat
    reply = json.loads(script_json(word_budget(MINUTES, WPM, ""), sources=False))
    fake.then(json.dumps(reply))
    ingested = await write_prompt_script("A calm film about tides", minutes=MINUTES,
                                         words_per_minute=WPM, settings=settings,
                                         sleep=Sleeps())  # fmt: skip
    script = ingested.script
    assert script.title == "Tides of Porto Velho" and len(script.scenes) == 8
    assert script.source is not None and script.source.writer.kind == "llm"
    assert 45 <= script.target_duration <= 80
    assert "Use an empty `sources` list" in fake.requests[0]["messages"][1]["content"]


async def test_without_an_llm_a_prompt_is_short_and_the_note_says_how_to_get_more() -> None:
    ingested = await write_prompt_script("A calm film about tides. Show the harbour.",
                                         minutes=3, words_per_minute=WPM,
                                         settings=LLMSettings(), sleep=Sleeps())  # fmt: skip
    assert ingested.notes == (NO_LLM_NOTE,) and ingested.script.source is None
    assert ingested.script.target_duration < 30


def test_the_cli_says_who_wrote_the_script_and_when_it_fell_back(
    chat: tuple[FakeChat, LLMSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, settings = chat
    monkeypatch.setenv("REELROUTE_VOICE", "espeak")
    # The CLI fits the length to the narrator's measured pace; measure it here the same way
    # (into the same cache) so the fake's reply has the length the CLI asks for.
    narration_cache = Path(os.environ["REELROUTE_DATA_DIR"]) / "narration"
    rate = asyncio.run(measured_rate(get_voice("espeak"), narration_cache))
    monkeypatch.setenv("REELROUTE_FETCH__ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("REELROUTE_LLM__BASE_URL", settings.base_url)
    monkeypatch.setenv("REELROUTE_LLM__MODEL", "fake-writer-1")
    runner = CliRunner(env={"COLUMNS": "220"})
    with serve_articles() as site:
        fake.then(script_json(word_budget(MINUTES, rate, ARTICLE.title)))
        written = runner.invoke(app, ["plan", f"{site}/article.html", "--minutes", "1", "--json"])
        fake.answers = ["not json"]
        fallen = runner.invoke(app, ["plan", f"{site}/article.html", "--minutes", "1", "--json"])
    assert written.exit_code == 0, written.output
    assert "note: script written by fake-writer-1" in written.output
    assert fallen.exit_code == 0, fallen.output
    assert "The LLM writer was not used (invalid output twice" in " ".join(fallen.output.split())
