"""`reelroute verify PATH`: one line per check, then what binds what; exit code 1 when any check
fails. `reelroute verify --find FILE`: which known render a stripped or re-encoded copy comes
from (the local fingerprint index), with the matching time range; exit code 1 when none."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import load_catalog_arg, load_settings, out
from app.provenance.coverage import bindings
from app.provenance.credentials import load_trust_anchors
from app.provenance.fingerprint import QUERY_FPS, video_hashes
from app.provenance.fingerprint_index import Found, SqliteFingerprintIndex, find_copy
from app.provenance.verify import Verdict, Verification, VerifyInputs, failed, verify_render
from providers.media import RenderError

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


def _print_found(copy: Path, found: list[Found], as_json: bool) -> None:
    if as_json:
        out.print_json(json.dumps({"file": str(copy), "matches": [
            {"render_id": f.output.render_id, "aspect": f.output.aspect,
             "manifest": str(f.output.manifest), "output": str(f.output.out_dir / f.output.file),
             "start_s": f.alignment.start_s, "end_s": f.alignment.end_s,
             "copy_start_s": f.alignment.copy_start_s,
             "distance_bits": round(f.alignment.distance, 2)}
            for f in found
        ]}))  # fmt: skip
        return
    if not found:
        out.print(f"[bold red]no match[/]: {copy} matches no render this machine knows",
                  highlight=False, soft_wrap=True)  # fmt: skip
    for f in found:
        a = f.alignment
        out.print(f"[bold green]match[/] render {f.output.render_id} ({f.output.aspect}): "
                  f"{a.start_s:.0f}–{a.end_s:.0f} s of {f.output.out_dir / f.output.file} "
                  f"(copy from {a.copy_start_s:.2f} s; {a.distance:.1f} of 64 bits differ)\n"
                  f"  manifest: {f.output.manifest}", highlight=False, soft_wrap=True)  # fmt: skip


def _find(copy: Path, as_json: bool) -> None:
    settings = load_settings()
    if not copy.is_file():
        out.print(f"[bold red]error[/]: {copy} is not a file", highlight=False)
        raise typer.Exit(2)
    try:
        hashes = asyncio.run(video_hashes(copy, QUERY_FPS))
    except RenderError as exc:
        out.print(f"[bold red]error[/]: cannot read {copy} as video: {exc}", highlight=False)
        raise typer.Exit(2) from exc
    found = find_copy(SqliteFingerprintIndex.in_data_dir(settings.data_dir), hashes)
    _print_found(copy, found, as_json)
    if not found:
        raise typer.Exit(1)


def verify(
    path: Annotated[Path | None, typer.Argument(help="A render folder, or one output MP4.")] = None,
    find: Annotated[
        Path | None,
        typer.Option(
            "--find",
            help="A copy of a video (re-encoded, scaled, trimmed, "
            "stripped): find the render it comes from and the matching time range.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {verified, checks, bindings} as JSON.")
    ] = False,
) -> None:
    """Check a render's signature, hashes, C2PA credentials and policy, one check per line."""
    if find is not None:
        _find(find, as_json)
        return
    if path is None:
        out.print("[bold red]error[/]: give a render folder or output MP4, or --find FILE",
                  highlight=False)  # fmt: skip
        raise typer.Exit(2)
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
