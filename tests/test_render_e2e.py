"""A real render of a short script, end to end: real ffmpeg, real voice, the real registry."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from app.config import Settings
from app.context import load_effective_catalog
from app.pipeline.events import RenderEvent, Stage
from app.render.quality import Quality
from app.service.entry import build_plan_env, build_render_env, execute_plan, plan_render
from app.service.request import RenderRequest, RenderSource
from providers.media import probe, run_ffmpeg, sha256_file
from providers.types import Aspect

SCRIPT = """A quiet harbour at dawn, boats resting on still water.

Sales grew 42% in 2025, from 1.2 million to 1.7 million cups.

"Small habits, repeated daily, build remarkable results."
"""


async def _render(tmp_path: Path, out: Path, events: list[RenderEvent]) -> dict:  # type: ignore[type-arg]
    # Relative folders on purpose: ffmpeg runs in other working folders and must still find them.
    settings = Settings(data_dir=Path("data"), voice="espeak")
    catalog = load_effective_catalog(settings)

    async def sink(event: RenderEvent) -> None:
        events.append(event)

    request = RenderRequest(
        render_id=uuid.uuid4().hex[:16],
        source=RenderSource(kind="script", text=SCRIPT),
        aspects=[Aspect.LANDSCAPE, Aspect.PORTRAIT, Aspect.SQUARE],
        quality=Quality.DRAFT,
    )
    planned = await plan_render(request, build_plan_env(settings, catalog=catalog))
    result = await execute_plan(planned, build_render_env(settings, sink, catalog=catalog), out)
    manifest: dict = json.loads(result.manifest_path.read_text())  # type: ignore[type-arg]
    return manifest


@pytest.mark.slow
async def test_short_script_renders_every_aspect_with_disclosure(tmp_path: Path) -> None:
    events: list[RenderEvent] = []
    out = Path("out")
    manifest = await _render(tmp_path, out, events)

    assert manifest["schema"] == "reelroute.manifest/1"
    assert len(manifest["scenes"]) == 3
    durations = []
    for entry in manifest["outputs"]:
        path = out / entry["file"]
        info = probe(path)
        assert info.has_video and info.has_audio and info.fps == 30
        assert "sha256:" + sha256_file(path) == entry["sha256"]
        durations.append(info.duration)
        assert await run_ffmpeg(["-v", "error", "-i", str(path), "-f", "null", "-"]) == ""
        assert abs(entry["integrated_lufs"] + 14) <= 1.0 and entry["true_peak_dbtp"] <= -1.0
    assert max(durations) - min(durations) < 0.1
    sizes = {(o["width"], o["height"]) for o in manifest["outputs"]}
    assert sizes == {(960, 540), (540, 960), (540, 540)}

    for scene in manifest["scenes"]:
        assert scene["clip"]["provider"] == "local"
        assert scene["clip"]["sha256"].startswith("sha256:")
        assert scene["routing"]["chosen"]["provider"] == "local"
        excluded = {e["provider"] for e in scene["routing"]["exclusions"]}
        assert {"kling", "veo", "runway", "hailuo"} <= excluded
        assert scene["timeline"]["end"] > scene["timeline"]["start"]
    assert manifest["scenes"][1]["kind"] == "data"

    vtt = (out / "disclosure.vtt").read_text()
    assert vtt.count("drawn procedurally by local local-motion-1 (no trained model)") == 3
    stages = {Stage(e.stage) for e in events if e.stage}
    assert stages >= {Stage.PLAN, Stage.NARRATE, Stage.GENERATE, Stage.COMPOSE, Stage.PUBLISH}
    assert not list(Path("data/work").iterdir()), "the work folder is removed after success"
    assert sorted(p.name for p in out.iterdir() if p.suffix != ".mp4") == [
        "captions.srt",
        "captions.vtt",
        "disclosure.vtt",
        "manifest.json",
        "report.html",
    ]
    srt = (out / "captions.srt").read_text(encoding="utf-8")
    assert srt.startswith("1\n00:00:00,") and "A quiet harbour at dawn" in srt
    vtt_captions = (out / "captions.vtt").read_text(encoding="utf-8")
    assert vtt_captions.startswith("WEBVTT") and "Small habits" in vtt_captions

    # A second run of the same input reuses every clip.
    again = await _render(tmp_path, Path("out2"), [])
    assert [s["attempts"][-1]["outcome"] for s in again["scenes"]] == ["cached"] * 3
    assert [s["clip"]["sha256"] for s in again["scenes"]] == [
        s["clip"]["sha256"] for s in manifest["scenes"]
    ]
