"""`reelroute verify PATH`: one line per check, exit code 1 when any check fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import load_catalog_arg, load_settings, out
from app.provenance.credentials import CredentialError, trust_anchors
from app.provenance.verify import Verdict, VerifyInputs, failed, verify_path

_STYLE = {Verdict.PASS: "green", Verdict.FAIL: "bold red", Verdict.SKIP: "yellow"}


def verify(
    path: Annotated[Path, typer.Argument(help="A render folder, or one output MP4.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check a render's signature, hashes, C2PA credentials and policy, one check per line."""
    settings = load_settings()
    try:
        anchors, problem = trust_anchors(settings), ""
    except CredentialError as exc:
        anchors, problem = None, str(exc)
    inputs = VerifyInputs(anchors, problem, settings.clip_cache_dir, load_catalog_arg(settings))
    checks = verify_path(path, inputs)
    if as_json:
        out.print_json(json.dumps([
            {"check": c.name, "verdict": c.verdict.value, "detail": c.detail} for c in checks
        ]))  # fmt: skip
    else:
        for c in checks:
            out.print(f"[{_STYLE[c.verdict]}]{c.verdict.value:<4}[/] {c.name}: {c.detail}",
                      highlight=False, soft_wrap=True)  # fmt: skip
        bad = sum(c.verdict is Verdict.FAIL for c in checks)
        out.print(f"{'[bold red]FAILED' if bad else '[bold green]verified'}[/]: "
                  f"{len(checks)} checks, {bad} failed")  # fmt: skip
    if failed(checks):
        raise typer.Exit(1)
