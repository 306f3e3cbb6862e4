"""`reelroute render` and `reelroute plan`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from app.cli.common import (
    console,
    fail,
    load_catalog_arg,
    load_policy_arg,
    load_script,
    load_settings,
    out,
    parse_aspects,
)
from app.cli.progress import ProgressBars
from app.context import build_context, build_registry
from app.pipeline.disclose import RenderResult
from app.pipeline.plan import PlanError, plan_script
from app.pipeline.run import DEFAULT_ASPECTS, RenderFailed, RenderOptions, render_script
from app.provenance.credentials import CredentialError
from app.provenance.signing import SigningKeyError
from app.render.quality import Quality
from providers.errors import ConfigurationError
from providers.media import RenderError
from providers.types import Aspect
from routing.reframe import aspect_extras, extra_cost, extras_within_budget

SourceArg = Annotated[
    str | None, typer.Argument(help="Script (.txt), Markdown outline (.md), or - for stdin.")
]
PromptOpt = Annotated[str | None, typer.Option("--prompt", help="Render a short text prompt.")]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Agency policy (YAML/JSON).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable result.")]


def render(
    source: SourceArg = None,
    prompt: PromptOpt = None,
    policy: PolicyOpt = None,
    aspects: Annotated[str, typer.Option(help="Comma-separated aspect ratios.")] = "16:9,9:16,1:1",
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    quality: Annotated[Quality, typer.Option(help="draft = fast preview.")] = Quality.STANDARD,
    as_json: JsonOpt = False,
) -> None:
    """Render SOURCE into one MP4 per aspect ratio, with a signed manifest.json, C2PA
    credentials in each MP4, disclosure.vtt and report.html."""
    settings = load_settings()
    script = load_script(source, prompt, settings.words_per_minute)
    catalog = load_catalog_arg(settings)
    options = RenderOptions(
        out_dir=out_dir,
        policy=load_policy_arg(policy, catalog),
        aspects=parse_aspects(aspects),
        quality=quality,
        input_ref=source,
    )
    console.print(
        f"[bold]{script.title}[/] — {len(script.scenes)} scenes, "
        f"~{script.target_duration / 60:.1f} min, policy [cyan]{options.policy.id}[/]"
    )
    try:
        with ProgressBars(console, enabled=not as_json) as bars:
            ctx = build_context(settings, bars, catalog=catalog)
            result = asyncio.run(render_script(script, options, ctx))
    except (
        PlanError,
        RenderFailed,
        ConfigurationError,
        RenderError,
        CredentialError,
        SigningKeyError,
    ) as exc:
        fail(str(exc))
    _report(result, as_json)


def _report(result: RenderResult, as_json: bool) -> None:
    data: dict[str, Any] = {
        "render_id": result.render_id,
        "out_dir": str(result.out_dir),
        "manifest": str(result.manifest_path),
        "disclosure": str(result.disclosure_path),
        "report": str(result.report_path),
        "duration_s": round(result.duration, 3),
        "loudness": {
            "integrated_lufs": result.integrated_lufs,
            "true_peak_dbtp": result.true_peak_dbtp,
        },
        "outputs": [{"aspect": o.aspect.value, "path": str(o.path)} for o in result.outputs],
        "scenes": [
            {"index": s.index, "provider": s.provider, "model": s.model, "cached": s.cached}
            for s in result.scenes
        ],
    }
    if as_json:
        out.print_json(json.dumps(data))
        return
    reused = sum(s.cached for s in result.scenes)
    out.print(
        f"\n[bold green]Done[/] in {result.out_dir}/ — {result.duration:.1f} s of video, "
        f"{result.integrated_lufs:.1f} LUFS, {reused}/{len(result.scenes)} clips reused"
    )
    for o in result.outputs:
        out.print(f"  {o.aspect.value:>5}  {o.path}")
    out.print(f"  manifest  {result.manifest_path}\n  disclosure {result.disclosure_path}")
    out.print(f"  report    {result.report_path}")


def plan(
    source: SourceArg = None,
    prompt: PromptOpt = None,
    policy: PolicyOpt = None,
    assume_configured: Annotated[
        bool,
        typer.Option(
            "--assume-configured",
            help="Simulate: route as if every catalog provider had credentials.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show, per scene, which provider would be chosen and why; spends nothing."""
    settings = load_settings()
    script = load_script(source, prompt, settings.words_per_minute)
    catalog = load_catalog_arg(settings)
    chosen_policy = load_policy_arg(policy, catalog)
    result = plan_script(
        script, chosen_policy, catalog, build_registry(settings), Aspect.LANDSCAPE,
        assume_configured=assume_configured,
    )  # fmt: skip
    extras = aspect_extras(result, chosen_policy, catalog.profiles, DEFAULT_ASPECTS)
    if as_json:
        out.print_json(json.dumps({
            "policy": chosen_policy.id,
            "simulated": assume_configured,
            "estimated_cost_usd": result.estimated_cost_usd,
            "aspect_extras": [e.to_dict() for e in extras],
            "aspect_extra_cost_usd": extra_cost(extras),
            "within_budget": result.within_budget,
            "decisions": [d.to_dict() for d in result.decisions],
        }))  # fmt: skip
        return
    what_if = " (simulated: every provider configured)" if assume_configured else ""
    table = Table(title=f"Plan under policy {chosen_policy.id}{what_if}")
    for col in ("#", "kind", "chosen", "fallbacks", "excluded (reasons)"):
        table.add_column(col, overflow="fold")
    for scene, d in zip(script.scenes, result.decisions, strict=True):
        chosen = f"{d.chosen.provider}/{d.chosen.model}" if d.chosen else "[red]none[/]"
        fallbacks = ", ".join(f"{f.provider}/{f.model}" for f in d.fallbacks) or "—"
        excluded = "; ".join(
            f"{e.provider}/{e.model}: {', '.join(e.reasons)}" for e in d.exclusions
        )
        table.add_row(str(scene.index + 1), scene.kind.value, chosen, fallbacks, excluded)
    out.print(table)
    out.print(f"Estimated cost: ${result.estimated_cost_usd:.2f}"
              + ("" if result.within_budget else " [red](over budget)[/]"))  # fmt: skip
    if extras:
        over = "" if extras_within_budget(result, extras) else " [yellow](over budget: reframed)[/]"
        out.print(
            f"Extra for a clip per aspect (reframe: generate, {len(extras)} scenes): "
            f"${extra_cost(extras):.2f}{over}"
        )
    if any(d.chosen is None for d in result.decisions):
        raise typer.Exit(2)
