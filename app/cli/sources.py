"""SOURCE for `render` and `plan`: a file, stdin or --prompt (as before), or a web article URL.

A URL is fetched under the SSRF guard and scripted to `--minutes`; a prompt is written by the
LLM writer when one is configured. What the person should know about how the script was made
(an LLM that was not used and why, an article shorter than asked) is printed as notes.
"""

from __future__ import annotations

import asyncio

from app.cli.common import console, fail, load_script
from app.config import Settings
from app.ingest.errors import IngestError
from app.ingest.llm.prompt import write_prompt_script
from app.ingest.model import Script
from app.ingest.outcome import Ingested
from app.ingest.url.ingest import UrlOptions, check_minutes, ingest_url
from app.pipeline.speaking_rate import measured_rate
from providers.errors import ConfigurationError
from providers.voice import get_voice

URL_PREFIXES = ("http://", "https://")


def is_url(source: str | None) -> bool:
    return source is not None and source.lower().startswith(URL_PREFIXES)


def load_source(
    source: str | None, prompt: str | None, settings: Settings, minutes: float
) -> Script:
    """The script for SOURCE or --prompt; exits with a clear error when it cannot be made."""
    try:
        check_minutes(minutes)
        if is_url(source) and prompt is None:
            assert source is not None
            options = UrlOptions.from_settings(settings, minutes, _narrator_rate(settings))
            return _told(asyncio.run(ingest_url(source, options)))
        if prompt is not None and source is None:
            llm = settings.llm.configured  # only a written script is fitted to --minutes
            wpm = _narrator_rate(settings) if llm else settings.words_per_minute
            written = write_prompt_script(
                prompt, minutes=minutes, words_per_minute=wpm, settings=settings.llm,
                sleep=asyncio.sleep,
            )  # fmt: skip
            return _told(asyncio.run(written))
    except IngestError as exc:
        fail(str(exc))
    return load_script(source, prompt, settings.words_per_minute)


def _narrator_rate(settings: Settings) -> float:
    """The configured narrator's real pace, so `--minutes` is the length of the video made."""
    try:
        return asyncio.run(measured_rate(get_voice(settings.voice), settings.narration_cache_dir))
    except (ConfigurationError, ValueError, OSError) as exc:
        console.print(f"[yellow]note:[/] the narrator could not be timed ({exc}); lengths use "
                      f"REELROUTE_WORDS_PER_MINUTE={settings.words_per_minute:g}",
                      highlight=False)  # fmt: skip
        return settings.words_per_minute


def _told(ingested: Ingested) -> Script:
    for note in ingested.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    writer = ingested.script.source.writer if ingested.script.source else None
    if writer is not None and writer.kind == "llm":
        console.print(f"Script written by {writer.model} ({writer.endpoint})", highlight=False)
    return ingested.script
