"""`reelroute policy check FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import load_catalog_arg, load_policy_arg, load_settings, out

app = typer.Typer(help="Validate and inspect agency policies.", no_args_is_help=True)


@app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="Policy file (YAML or JSON).")],
) -> None:
    """Validate FILE; errors name the field and its line. Exit code 1 when invalid."""
    catalog = load_catalog_arg(load_settings())
    policy = load_policy_arg(file, catalog)
    out.print(f"[green]ok[/] {file}: policy [bold]{policy.id}[/] v{policy.version}")
    out.print(f"  sha256 {policy.sha256}")
