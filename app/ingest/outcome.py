"""A script together with what the person should be told about how it was made."""

from __future__ import annotations

from dataclasses import dataclass

from app.ingest.model import Script


@dataclass(frozen=True)
class Ingested:
    script: Script
    notes: tuple[str, ...] = ()  # e.g. "the LLM writer was not used (timed out)"
