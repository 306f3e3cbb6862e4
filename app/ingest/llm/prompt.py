"""A prompt → a full script by the LLM writer, or the short deterministic one with a note."""

from __future__ import annotations

import dataclasses

from app.ingest import ingest_text, source_sha256
from app.ingest.draft import build_scenes
from app.ingest.llm.client import Sleep
from app.ingest.llm.settings import LLMSettings
from app.ingest.llm.writer import PromptBrief, write_with_llm
from app.ingest.model import Script, SourceKind
from app.ingest.outcome import Ingested
from app.ingest.source_record import SourceRecord

NO_LLM_NOTE = (
    "Without an LLM a prompt makes a short video, one scene per sentence. Set "
    "REELROUTE_LLM__BASE_URL and REELROUTE_LLM__MODEL for a full script of the asked length."
)


async def write_prompt_script(
    prompt: str, *, minutes: float, words_per_minute: float, settings: LLMSettings, sleep: Sleep
) -> Ingested:
    """The LLM's script for `prompt` when one is configured and succeeds; else the rules'."""
    if not settings.configured:
        return Ingested(ingest_text(prompt, SourceKind.PROMPT, words_per_minute=words_per_minute),
                        (NO_LLM_NOTE,))  # fmt: skip
    brief = PromptBrief(prompt, minutes, words_per_minute)
    outcome = await write_with_llm(settings, brief, sleep=sleep)
    record = SourceRecord(outcome.writer, minutes_asked=minutes, words_per_minute=words_per_minute)
    if outcome.drafts:
        scenes = build_scenes(outcome.drafts, words_per_minute=words_per_minute)
        raw = prompt.encode("utf-8", errors="replace")
        script = Script(outcome.title, SourceKind.PROMPT, source_sha256(raw), scenes, record)
        return Ingested(script)
    short = ingest_text(prompt, SourceKind.PROMPT, words_per_minute=words_per_minute)
    rules = dataclasses.replace(outcome.writer, kind="rules")
    note = f"The LLM writer was not used ({outcome.writer.fallback_reason}); "
    note += "the script is the short one made from the prompt's sentences."
    return Ingested(dataclasses.replace(short, source=SourceRecord(rules, minutes_asked=minutes)),
                    (note,))  # fmt: skip
