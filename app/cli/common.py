"""Shared CLI plumbing: loading inputs with clear errors, and printing them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from app.config import Settings
from app.context import load_effective_catalog
from app.ingest import ingest_file, ingest_text
from app.ingest.errors import IngestError
from app.ingest.model import Script, SourceKind
from app.pipeline.plan import DEFAULT_POLICY
from providers.profile import Catalog, CatalogError
from providers.types import Aspect
from routing.policy import Policy, PolicyError, load_policy

console = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def load_script(source: str | None, prompt: str | None, wpm: float) -> Script:
    if prompt is not None:
        if source is not None:
            fail("give either SOURCE or --prompt, not both")
        try:
            return ingest_text(prompt, SourceKind.PROMPT, words_per_minute=wpm)
        except IngestError as exc:
            fail(str(exc))
    if source is None:
        fail("give a SOURCE (script .txt, outline .md, an article's http(s) URL) or --prompt TEXT")
    if source == "-":
        return _from_stdin(wpm)
    try:
        return ingest_file(Path(source), words_per_minute=wpm)
    except IngestError as exc:
        fail(str(exc))


def _from_stdin(wpm: float) -> Script:
    try:
        return ingest_text(sys.stdin.read(), words_per_minute=wpm)
    except IngestError as exc:
        fail(str(exc))


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"REELROUTE_{'__'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        fail(f"invalid setting: {problems}")


def load_catalog_arg(settings: Settings) -> Catalog:
    try:
        return load_effective_catalog(settings)
    except CatalogError as exc:
        fail(str(exc))


def load_policy_arg(path: Path | None, catalog: Catalog) -> Policy:
    if path is None:
        return DEFAULT_POLICY
    try:
        return load_policy(path, catalog)
    except PolicyError as exc:
        fail(str(exc))


def parse_aspects(text: str) -> tuple[Aspect, ...]:
    aspects: list[Aspect] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            aspect = Aspect(part)
        except ValueError:
            choices = ", ".join(a.value for a in Aspect)
            fail(f"unknown aspect {part!r}; choose from {choices}")
        if aspect not in aspects:
            aspects.append(aspect)
    if not aspects:
        fail("--aspects needs at least one aspect ratio, e.g. 16:9,9:16,1:1")
    return tuple(aspects)
