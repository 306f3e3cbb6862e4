"""The `reelroute` command line."""

from __future__ import annotations

import typer

from app.cli import policy_cmd, providers_cmd, render_cmd, serve_cmd, verify_cmd, worker_cmd

app = typer.Typer(
    name="reelroute",
    help="Turn scripts into multi-aspect videos from many AI video models, with per-scene "
    "disclosure of which model made what, under which policy.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("render")(render_cmd.render)
app.command("plan")(render_cmd.plan)
app.command("verify")(verify_cmd.verify)
app.add_typer(providers_cmd.app, name="providers")
app.add_typer(policy_cmd.app, name="policy")
app.command("serve")(serve_cmd.serve)
app.command("migrate")(serve_cmd.migrate)
app.add_typer(serve_cmd.keys_app, name="keys")
app.command("worker")(worker_cmd.worker)


def main() -> None:
    app()
