"""`reelroute verify PATH`: one line per check, then what binds what; exit code 1 when any check
fails."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import load_catalog_arg, load_settings, out
from app.provenance.coverage import bindings
from app.provenance.credentials import load_trust_anchors
from app.provenance.verify import Verdict, Verification, VerifyInputs, failed, verify_render

_STYLE = {
    Verdict.PASS: "green",
    Verdict.FAIL: "bold red",
    Verdict.SKIP: "yellow",
    Verdict.WARN: "bold yellow",
}


def _print_json(result: Verification) -> None:
    found = bindings(result.manifest) if result.manifest else []
    out.print_json(json.dumps({
        "verified": not failed(result.checks),
        "checks": [
            {"check": c.name, "verdict": c.verdict.value, "detail": c.detail}
            for c in result.checks
        ],
        "bindings": [asdict(b) for b in found],
    }))  # fmt: skip


def _print_text(result: Verification) -> None:
    for c in result.checks:
        out.print(f"[{_STYLE[c.verdict]}]{c.verdict.value:<4}[/] {c.name}: {c.detail}",
                  highlight=False, soft_wrap=True)  # fmt: skip
    if result.manifest is not None:
        out.print("\nWhat binds what:", highlight=False)
        for b in bindings(result.manifest):
            out.print(f"  {b.subject}\n    [bold]{b.bound_by}[/]: {b.how}",
                      highlight=False, soft_wrap=True)  # fmt: skip
    bad = sum(c.verdict is Verdict.FAIL for c in result.checks)
    warned = sum(c.verdict is Verdict.WARN for c in result.checks)
    out.print(f"{'[bold red]FAILED' if bad else '[bold green]verified'}[/]: "
              f"{len(result.checks)} checks, {bad} failed, {warned} warnings")  # fmt: skip


def verify(
    path: Annotated[Path, typer.Argument(help="A render folder, or one output MP4.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {verified, checks, bindings} as JSON.")
    ] = False,
) -> None:
    """Check a render's signature, hashes, C2PA credentials and policy, one check per line."""
    settings = load_settings()
    inputs = VerifyInputs(
        load_trust_anchors(settings), settings.clip_cache_dir, load_catalog_arg(settings)
    )
    result = verify_render(path, inputs)
    if as_json:
        _print_json(result)
    else:
        _print_text(result)
    if failed(result.checks):
        raise typer.Exit(1)
