"""`reelroute policy check FILE` and `reelroute policy explain FILE`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from app.cli.common import fail, load_catalog_arg, load_policy_arg, load_settings, out
from app.pipeline.plan import routing_date
from providers.types import SceneKind
from routing.explain import SAMPLE_SECONDS, PolicyExplanation, explain_policy

app = typer.Typer(help="Validate and inspect agency policies.", no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="Policy file (YAML or JSON).")]


@app.command("check")
def check(file: FileArg) -> None:
    """Validate FILE; errors name the field and its line. Exit code 1 when invalid."""
    catalog = load_catalog_arg(load_settings())
    policy = load_policy_arg(file, catalog)
    out.print(f"[green]ok[/] {file}: policy [bold]{policy.id}[/] v{policy.version}")
    if policy.based_on:
        out.print(f"  extends {' -> '.join(policy.based_on)}")
    out.print(f"  sha256 {policy.sha256}")


@app.command("explain")
def explain(
    file: FileArg,
    today: Annotated[
        str | None, typer.Option(help="Date evidence is aged against (YYYY-MM-DD); default today.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Show which providers/models each rule of FILE removes, per scene kind."""
    catalog = load_catalog_arg(load_settings())
    policy = load_policy_arg(file, catalog)
    result = explain_policy(policy, catalog.profiles, _date(today))
    if as_json:
        out.print_json(json.dumps(result.to_dict()))
        return
    _print_rules(result)
    _print_kinds(result)
    f = result.policy
    out.print(
        f"On failure: up to {f.retries.max_attempts_per_provider} attempt(s) per provider "
        f"(backoff {f.retries.backoff_s:g} s, doubling); a provider failing "
        f"{f.cooldown.allowed_fails}x in a row is skipped for {f.cooldown.cooldown_s:g} s; "
        f"rate limits waited out for up to {f.rate_limit_wait_budget_s:g} s per scene; "
        + ("fallbacks allowed." if f.allow_fallbacks else "no fallbacks.")
    )


def _date(text: str | None) -> dt.date:
    if text is None:
        return routing_date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--today: {text!r} is not a date like 2026-11-22")


def _print_rules(result: PolicyExplanation) -> None:
    title = f"Policy {result.policy.id}" + (
        f" (extends {' -> '.join(result.policy.based_on)})" if result.policy.based_on else ""
    )
    table = Table(title=f"{title}: what each rule removes (as of {result.today})")
    for col in ("rule", "removes", "in scene kinds"):
        table.add_column(col, overflow="fold")
    every = len(SceneKind)
    for code, refs in result.by_rule().items():
        for ref, kinds in refs.items():
            table.add_row(code, ref, "all" if len(kinds) == every else ", ".join(kinds))
    if not result.by_rule():
        table.add_row("—", "nothing", "")
    out.print(table)


def _print_kinds(result: PolicyExplanation) -> None:
    table = Table(title=f"Left per scene kind ({SAMPLE_SECONDS:g} s, 16:9 sample scene)")
    for col in ("scene kind", "eligible", "removed by policy", "unavailable"):
        table.add_column(col, overflow="fold")
    for kind, report in result.kinds.items():
        table.add_row(
            kind.value,
            _providers(report.eligible) or "[red]none[/]",
            str(len(report.removed)),
            str(len(report.unavailable)),
        )
    out.print(table)


def _providers(refs: tuple[str, ...]) -> str:
    """`kling (4 models), local` from a list of `provider/model` refs."""
    counts: dict[str, int] = {}
    for ref in refs:
        provider = ref.split("/", 1)[0]
        counts[provider] = counts.get(provider, 0) + 1
    return ", ".join(f"{p} ({n} models)" if n > 1 else p for p, n in counts.items())
