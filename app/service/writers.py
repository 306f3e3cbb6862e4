"""Scripts that need the network or a model: a web article (issue 12) or a prompt written by the
configured LLM. Every surface gets the same writer through `build_plan_env`.

A URL is fetched under the SSRF guard and scripted to `minutes`; a prompt goes to the LLM writer
(without one it stays the short script of its own sentences, and a note says how to get a full
one). Lengths are fitted to the narrator's measured pace, so `minutes` is the video's length.
"""

from __future__ import annotations

import asyncio

from app.config import Settings
from app.errors import InputError
from app.ingest.llm.client import Sleep
from app.ingest.llm.prompt import write_prompt_script
from app.ingest.model import Script
from app.ingest.outcome import Ingested
from app.ingest.url.ingest import DEFAULT_MINUTES, UrlOptions, check_minutes, ingest_url
from app.pipeline.speaking_rate import measured_rate
from app.service.entry import SourceWriter
from app.service.request import RenderSource
from providers.errors import ConfigurationError
from providers.voice import get_voice

Written = tuple[Script, tuple[str, ...]]


def source_writer(settings: Settings, sleep: Sleep | None = None) -> SourceWriter:
    """The writer for URL sources and prompts, configured from `settings`."""
    wait = sleep or asyncio.sleep

    async def write(source: RenderSource) -> Written | None:
        minutes = source.minutes if source.minutes is not None else DEFAULT_MINUTES
        if source.kind == "url":
            if not source.url:
                raise InputError("a url source needs its url", field="source.url")
            check_minutes(minutes)
            rate, notes = await _narrator_rate(settings)
            options = UrlOptions.from_settings(settings, minutes, rate)
            return _told(await ingest_url(source.url, options), notes)
        if source.kind == "prompt" and source.text is not None:
            check_minutes(minutes)
            llm = settings.llm.configured  # only a written script is fitted to `minutes`
            rate, notes = await _narrator_rate(settings) if llm else (settings.words_per_minute, ())
            written = await write_prompt_script(
                source.text, minutes=minutes, words_per_minute=rate, settings=settings.llm,
                sleep=wait,
            )  # fmt: skip
            return _told(written, notes)
        return None

    return write


async def _narrator_rate(settings: Settings) -> tuple[float, tuple[str, ...]]:
    """The configured narrator's real pace; the planning default when it cannot be timed."""
    try:
        rate = await measured_rate(get_voice(settings.voice), settings.narration_cache_dir)
        return rate, ()
    except (ConfigurationError, ValueError, OSError) as exc:
        note = (f"the narrator could not be timed ({exc}); lengths use "
                f"REELROUTE_WORDS_PER_MINUTE={settings.words_per_minute:g}")  # fmt: skip
        return settings.words_per_minute, (note,)


def _told(ingested: Ingested, notes: tuple[str, ...]) -> Written:
    extra: tuple[str, ...] = ()
    source = ingested.script.source
    writer = source.writer if source else None
    if writer is not None and writer.kind == "llm":
        extra = (f"script written by {writer.model} ({writer.endpoint})",)
    return ingested.script, notes + ingested.notes + extra
