"""Shared CLI plumbing: reading inputs, and the one place errors become terminal messages."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from app.config import Settings
from app.context import load_effective_catalog
from app.errors import InputError, ReelrouteError, RenderFailed, SetupError
from app.ingest import detect_source_kind, read_source_bytes, read_stream_bytes
from app.ingest.text import decode_source
from app.pipeline.plan import DEFAULT_POLICY
from app.policies.files import load_policy, policy_invalid
from app.provenance.credentials import CredentialError
from app.provenance.signing import SigningKeyError
from app.service.request import RenderSource
from providers.errors import ConfigurationError
from providers.media import RenderError
from providers.profile import Catalog, CatalogError
from providers.types import Aspect
from routing.policy import Policy, PolicyError

console = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 1) -> NoReturn:
    # one line, however long: the terminal wraps it, and a path in it stays whole to copy
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


# How each error code reads at a terminal, and the exit status: the CLI's one translation of
# `app.errors`. Unroutable plans keep exit status 2 (`reelroute plan` has always used it).
CLI_MESSAGES: dict[str, tuple[str, int]] = {
    "invalid_input": ("", 1),
    "invalid_policy": ("invalid policy: ", 1),
    "pin_forbidden": ("pin refused: ", 1),
    "unroutable": ("", 2),
    "limit_exceeded": ("too large: ", 1),
    "render_failed": ("render failed: ", 1),
    "setup_failed": ("", 1),
    "output_busy": ("", 3),
    "not_found": ("", 1),
    "forbidden": ("", 1),
}


def fail_with(exc: ReelrouteError) -> NoReturn:
    prefix, status = CLI_MESSAGES.get(exc.code, ("", 1))
    fail(prefix + exc.message, status)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Every error a person can act on becomes one clear line (and an exit status), never a
    traceback; errors of the lower layers are translated to the app's codes first."""
    try:
        yield
    except ReelrouteError as exc:
        fail_with(exc)
    except PolicyError as exc:
        fail_with(policy_invalid(exc))
    except CatalogError as exc:
        fail_with(SetupError(f"invalid catalog: {exc}", field="catalog"))
    except (ConfigurationError, RenderError, CredentialError, SigningKeyError) as exc:
        fail_with(RenderFailed(str(exc)))


def read_source(
    source: str | None, prompt: str | None, minutes: float | None = None
) -> tuple[RenderSource, Path | None]:
    """The CLI's SOURCE or --prompt as a request source, and the folder outline images are
    looked up in. Files and standard input are read with the same cap."""
    if prompt is not None:
        if source is not None:
            raise InputError("give either SOURCE or --prompt, not both", field="source")
        return RenderSource(kind="prompt", text=prompt, name="--prompt", minutes=minutes), None
    if source is None:
        raise InputError(
            "give a SOURCE (script .txt, outline .md, an article's http(s) URL) or --prompt TEXT",
            field="source",
        )
    if source.lower().startswith(("http://", "https://")):
        return RenderSource(kind="url", url=source, name=source, minutes=minutes), None
    if source == "-":
        raw, name, suffix, folder = read_stream_bytes(sys.stdin.buffer), "standard input", "", None
    else:
        path = Path(source)
        raw, name, suffix, folder = read_source_bytes(path), str(path), path.suffix, path.parent
    text = decode_source(raw, source=name)
    kind = detect_source_kind(text, suffix=suffix)
    return RenderSource(kind=kind.value, text=text, name=name), folder


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
    with reported_errors():
        return load_policy(path, catalog)


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
