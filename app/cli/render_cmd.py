"""`reelroute render` and `reelroute plan`."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import signal
import uuid
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.table import Table

from app.cli.common import (
    console,
    load_catalog_arg,
    load_settings,
    out,
    parse_aspects,
    read_source,
    reported_errors,
)
from app.cli.progress import ProgressBars
from app.config import Settings
from app.errors import InputError
from app.pipeline.disclose import RenderResult
from app.pipeline.events import ProgressEvent, RenderEvent, Stage
from app.pipeline.run import DEFAULT_ASPECTS
from app.pipeline.workdir import sweep_work
from app.render.quality import Quality
from app.service.entry import (
    PlannedRender,
    build_plan_env,
    build_render_env,
    execute_plan,
    plan_render,
)
from app.service.request import PolicyRef, RenderRequest
from providers.music import Mood
from providers.profile import Catalog
from routing.reframe import AspectExtra, aspect_extras, extra_cost, extras_within_budget

SourceArg = Annotated[
    str | None,
    typer.Argument(help="Script (.txt), Markdown outline (.md), an article URL, or - for stdin."),
]
PromptOpt = Annotated[str | None, typer.Option("--prompt", help="Render a short text prompt.")]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Agency policy (YAML/JSON).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print a machine-readable result.")]


VoiceOpt = Annotated[str | None, typer.Option("--voice", help="Narration engine: piper or espeak.")]
EventsOpt = Annotated[
    Path | None,
    typer.Option("--events", help="Append every render event to FILE as a JSON line."),
]
MinutesOpt = Annotated[
    float | None,
    typer.Option("--minutes", help="Length to script a URL (or a written prompt) to."),
]
MoodOpt = Annotated[Mood | None, typer.Option("--music-mood", help="Background music mood.")]
DraftFirstOpt = Annotated[
    bool,
    typer.Option(
        "--draft-first",
        help="Make a 540p draft first and print its path as soon as it plays; each scene is "
        "swapped in as its clip arrives. The final outputs are the same.",
    ),
]


def _request(
    source: str | None,
    prompt: str | None,
    policy: Path | None,
    minutes: float | None,
    **fields: Any,
) -> tuple[RenderRequest, Path | None]:
    """The CLI's arguments as the render entry's request (and the outline images' folder)."""
    try:
        src, folder = read_source(source, prompt, minutes)
        request = RenderRequest(
            render_id=uuid.uuid4().hex[:16],
            source=src,
            policy=PolicyRef(id=str(policy)) if policy is not None else None,
            **fields,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"{where}: {first['msg']}", field=where) from exc
    return request, folder


def render(
    source: SourceArg = None,
    prompt: PromptOpt = None,
    policy: PolicyOpt = None,
    aspects: Annotated[str, typer.Option(help="Comma-separated aspect ratios.")] = "16:9,9:16,1:1",
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("out"),
    quality: Annotated[Quality, typer.Option(help="draft = fast preview.")] = Quality.STANDARD,
    voice: VoiceOpt = None,
    music_mood: MoodOpt = None,
    events: EventsOpt = None,
    minutes: MinutesOpt = None,
    draft_first: DraftFirstOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Render SOURCE into one MP4 per aspect ratio, with a signed manifest.json, C2PA
    credentials in each MP4, disclosure.vtt, captions.srt, captions.vtt and report.html."""
    settings = load_settings()
    catalog = load_catalog_arg(settings)
    with reported_errors():
        if voice is not None and voice not in ("piper", "espeak"):
            raise InputError(f"unknown voice {voice!r}; choose piper or espeak", field="voice")
        request, folder = _request(
            source, prompt, policy, minutes, aspects=list(parse_aspects(aspects)),
            quality=quality, voice=voice, music_mood=music_mood, draft=draft_first,
        )  # fmt: skip
        try:
            with ProgressBars(console, enabled=not as_json) as bars:
                result = run_interruptible(
                    _plan_and_render(
                        request, folder, settings, catalog, out_dir, bars, as_json, events
                    )
                )
        finally:
            # Threads of a cancelled render may write after it cleaned up; they have all
            # ended by now, so whatever they left goes too.
            sweep_work(settings.work_dir)
    _report(result, as_json)


async def _plan_and_render(
    request: RenderRequest,
    folder: Path | None,
    settings: Settings,
    catalog: Catalog,
    out_dir: Path,
    bars: ProgressBars,
    quiet: bool,
    events_path: Path | None,
) -> RenderResult:
    env = build_plan_env(settings, catalog=catalog, source_dir=folder)
    planned = await plan_render(request, env)
    if not quiet:
        _announce(planned)
    with contextlib.ExitStack() as stack:
        log = (
            stack.enter_context(events_path.open("a", encoding="utf-8", buffering=1))
            if events_path
            else None
        )

        async def on_event(event: RenderEvent) -> None:
            if event.type == "stage" and event.stage is not None:
                bars(ProgressEvent(Stage(event.stage), event.done, event.total, event.message))
            if event.type == "draft" and event.draft is not None and not quiet:
                _draft_news(event.draft)
            if log is not None:
                log.write(json.dumps(dataclasses.asdict(event)) + "\n")

        render_env = build_render_env(settings, on_event, catalog=catalog, registry=env.registry)
        return await execute_plan(planned, render_env, out_dir)


def _draft_news(news: dict[str, Any]) -> None:
    """The draft's path the moment it plays, then when it is whole; a failed draft, why."""
    folder = Path(str(news["folder"]))
    state = news["state"]
    if state == "playable":
        console.print(f"[bold]draft[/] playing: {folder / str(news['playlist'])} (HLS; the "
                      "scenes after the first are still being encoded)", highlight=False,
                      soft_wrap=True)  # fmt: skip
    elif state == "ready":
        console.print(f"[bold]draft[/] ready: {folder / str(news['video'])} (placeholders "
                      "until each scene's clip arrives; the render goes on)", highlight=False,
                      soft_wrap=True)  # fmt: skip
    elif state == "failed":
        console.print(f"[yellow]draft stopped[/]: {news.get('message')} (the render goes on)",
                      highlight=False)  # fmt: skip


def _announce(planned: PlannedRender) -> None:
    for note in planned.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    script = planned.script
    bound = f" within [cyan]{planned.enforced_policy.id}[/]" if planned.enforced_policy else ""
    console.print(
        f"[bold]{script.title}[/] — {len(script.scenes)} scenes, "
        f"~{script.target_duration / 60:.1f} min, policy [cyan]{planned.chosen_policy.id}[/]"
        + bound
    )


T = TypeVar("T")


def run_interruptible(coro: Coroutine[Any, Any, T]) -> T:
    """Run the render; SIGTERM cancels it like Ctrl-C does, so its work folder is cleaned and
    its ffmpeg children are killed before the process exits."""

    async def main() -> T:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if task is not None:
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
        try:
            return await coro
        finally:
            loop.remove_signal_handler(signal.SIGTERM)

    try:
        return asyncio.run(main())
    except (KeyboardInterrupt, asyncio.CancelledError):
        console.print("[yellow]cancelled[/]: the output folder holds only complete renders")
        raise typer.Exit(130) from None


def _report(result: RenderResult, as_json: bool) -> None:
    data: dict[str, Any] = {
        "render_id": result.render_id,
        "out_dir": str(result.out_dir),
        "manifest": str(result.manifest_path),
        "disclosure": str(result.disclosure_path),
        "report": str(result.report_path),
        "captions": [str(result.out_dir / "captions.srt"), str(result.out_dir / "captions.vtt")],
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
    out.print(f"  captions  {result.out_dir / 'captions.srt'}, {result.out_dir / 'captions.vtt'}")


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
    minutes: MinutesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show, per scene, which provider would be chosen and why; spends nothing."""
    settings = load_settings()
    catalog = load_catalog_arg(settings)
    with reported_errors():
        request, folder = _request(source, prompt, policy, minutes, aspects=["16:9"])
        env = build_plan_env(
            settings, catalog=catalog, source_dir=folder, assume_configured=assume_configured
        )
        planned = asyncio.run(plan_render(request, env, strict=False))
    for note in planned.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    extras = aspect_extras(planned.plan, planned.policy, catalog.profiles, DEFAULT_ASPECTS)
    if as_json:
        _plan_json(planned, assume_configured, extras)
    else:
        _plan_table(planned, assume_configured, extras)
    if any(d.chosen is None for d in planned.plan.decisions):
        raise typer.Exit(2)


def _plan_json(planned: PlannedRender, simulated: bool, extras: Sequence[AspectExtra]) -> None:
    data = planned.to_dict()
    out.print_json(json.dumps({
        "policy": planned.policy.id,
        "enforced_policy": data["enforced_policy"],
        "simulated": simulated,
        "estimated_cost_usd": planned.plan.estimated_cost_usd,
        # reframe: generate — the extra of a vendor clip per aspect, where the policy asks
        "aspect_extras": [e.to_dict() for e in extras],
        "aspect_extra_cost_usd": extra_cost(extras),
        "within_budget": planned.plan.within_budget,
        "decisions": [d.to_dict() for d in planned.plan.decisions],
        "scenes": data["scenes"],
    }))  # fmt: skip


def _plan_table(planned: PlannedRender, simulated: bool, extras: Sequence[AspectExtra]) -> None:
    result = planned.plan
    what_if = " (simulated: every provider configured)" if simulated else ""
    table = Table(title=f"Plan under policy {planned.policy.id}{what_if}")
    for col in ("#", "kind", "chosen", "fallbacks", "excluded (reasons)"):
        table.add_column(col, overflow="fold")
    for scene, d in zip(planned.script.scenes, result.decisions, strict=True):
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
