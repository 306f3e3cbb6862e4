"""`reelroute providers`: the catalog in effect, with every sourcing fact and its source."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from rich.table import Table

from app.cli.common import load_catalog_arg, load_settings, out
from app.context import build_registry
from providers.base import CheckableProvider
from providers.errors import AuthError, ProviderError
from providers.profile import Evidence, ProviderProfile

app = typer.Typer(help="Inspect video providers.", invoke_without_command=True)


def _fact(ev: Evidence[Any]) -> str:
    value = ev.value
    if isinstance(value, tuple | list):
        value = ", ".join(str(v) for v in value) or "none"
    return f"{value} [dim]({ev.basis.value}, {ev.as_of})[/]"


def _prices(profile: ProviderProfile) -> str:
    known = sorted(
        float(m.price_per_second_usd.value)
        for m in profile.iter_models()
        if isinstance(m.price_per_second_usd.value, int | float)
    )
    if not known:
        return "unknown"
    low, high = known[0], known[-1]
    return f"${low:.2f}/s" if low == high else f"${low:.2f}–{high:.2f}/s"


def _models(profile: ProviderProfile) -> str:
    parts = []
    for m in profile.iter_models():
        retired = m.lifecycle.status.value == "retired"
        parts.append(f"[strike]{m.id}[/] (retired {m.lifecycle.date})" if retired else m.id)
    return "\n".join(parts)


def _sourcing(profile: ProviderProfile) -> str:
    src = profile.sourcing
    return "\n".join(
        [
            f"HQ: {_fact(profile.headquarters)}",
            f"access: {_fact(src.access_kind)}",
            f"training data: {_fact(src.training_data)}",
            f"credentials: {_fact(src.content_credentials)}",
            f"open weights: {_fact(src.open_weights)}",
        ]
    )


def _allegations(profile: ProviderProfile) -> str:
    return (
        "\n".join(
            f"{a.topic}: {a.status.value} ({a.by}, {a.as_of})" for a in profile.sourcing.allegations
        )
        or "none recorded"
    )


@app.callback()
def providers(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalog as JSON.")] = False,
) -> None:
    """List every provider in the catalog with its models, prices and sourcing facts."""
    if ctx.invoked_subcommand is not None:
        return
    settings = load_settings()
    catalog = load_catalog_arg(settings)
    configured = build_registry(settings).configured()
    if as_json:
        out.print_json(json.dumps({
            "catalog_sha256": catalog.sha256,
            "configured": sorted(configured),
            "providers": json.loads(catalog.canonical_json()),
        }))  # fmt: skip
        return
    table = Table(title=f"Provider catalog {catalog.sha256[:19]}…", show_lines=True)
    for col in ("provider", "models", "price", "sourcing facts", "allegations"):
        table.add_column(col, overflow="fold")
    for p in catalog.profiles:
        status = "[green]configured[/]" if p.id in configured else "[dim]not configured[/]"
        table.add_row(
            f"[bold]{p.id}[/]\n{p.vendor}\n{status}",
            _models(p),
            _prices(p),
            _sourcing(p),
            _allegations(p),
        )
    out.print(table)
    out.print("Every fact carries its basis and date; sources: reelroute providers --json")


async def _verdict(provider: CheckableProvider) -> tuple[bool, str]:
    try:
        return True, await provider.check()
    except AuthError as exc:
        return False, f"credentials refused: {exc}"
    except ProviderError as exc:
        return False, f"{type(exc).__name__}: {exc}"


@app.command("check")
def check(
    name: Annotated[str | None, typer.Argument(help="One provider id; default: all.")] = None,
) -> None:
    """Make one cheap authenticated call per configured provider and print a verdict.
    Exits 1 when a configured provider fails its check (or NAME is unknown/unconfigured)."""
    registry = build_registry(load_settings())
    ids = [name] if name else [pid for pid in registry.ids() if pid != "local"]
    failed = False
    for pid in ids:
        provider = registry.get(pid)
        if provider is None:
            out.print(f"{pid}: [red]unknown provider[/] (known: {', '.join(registry.ids())})")
            failed = True
        elif not provider.is_configured():
            keys = "ACCESS_KEY and __SECRET_KEY" if pid == "kling" else "API_KEY"
            out.print(f"{pid}: [dim]not_configured[/] (set REELROUTE_{pid.upper()}__{keys})")
            failed = failed or name is not None
        elif not isinstance(provider, CheckableProvider):
            out.print(f"{pid}: [green]ok[/] (needs no credentials)")
        else:
            ok, text = asyncio.run(_verdict(provider))
            out.print(f"{pid}: [green]{text}[/]" if ok else f"{pid}: [red]{text}[/]")
            failed = failed or not ok
    if failed:
        raise typer.Exit(1)
