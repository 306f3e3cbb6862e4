"""Draft first: a render against a fake vendor on loopback whose clips come late (seeded
latencies, and none before the draft is whole) is watchable as a draft before any clip lands;
each clip then changes its own segment alone; the final files (every MP4 with its C2PA store,
manifest.json, captions, disclosure, report.html) are byte for byte those of a render without a
draft that has the same inputs, keys, render id and clock."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from app.config import Settings
from app.context import load_effective_catalog
from app.ingest import ingest_text
from app.pipeline.events import RenderEvent, ignore_events
from app.pipeline.plan import plan_script
from app.pipeline.run import RenderOptions, render_script
from app.provenance.credentials import load_trust_anchors
from app.provenance.verify import VerifyInputs, failed, verify_render
from app.render.quality import Quality
from providers.local import LocalProvider
from providers.media import probe, run_ffmpeg
from providers.registry import Registry
from providers.settings import RunwaySettings
from providers.types import Aspect
from providers.vendors.polling import Timing
from providers.vendors.runway import RunwayProvider
from routing.policy import parse_policy
from tests.fakes import FakeTime
from tests.fakes_http.runway import PromptKeyedRunway
from tests.fakes_http.server import Reply, serve
from tests.rendering import identity_of, make_env

SCRIPT = """A quiet harbour at dawn, boats resting on still water.

Sales grew 40 percent in 2025, from 10 to 14 million.

A crowd of people dancing at a street festival at night.
"""
POLICY = "id: one-vendor\nonly: [runway]\n"
SEED = 17


class LateRunway(PromptKeyedRunway):
    """Runway whose tasks stay RUNNING until `gate` opens, then for a seeded number of polls
    more each: the clips land one by one, in an order the seed decides, after the draft."""

    def __init__(self, video: bytes, key: str, gate: threading.Event) -> None:
        super().__init__(video, key=key)
        self.gate = gate
        self.rng = random.Random(SEED)
        self.extra: dict[str, int] = {}
        self.succeeded: list[str] = []

    def _status(self, tid: str) -> Reply:
        task = self.tasks.get(tid)
        if task is None:
            return Reply(404, {"error": "Task not found"})
        running = {"id": tid, "status": "RUNNING", "progress": 0.4}
        if not self.gate.is_set():
            return Reply(200, running)
        left = self.extra.setdefault(tid, self.rng.randint(1, 8))
        if left > 0:
            self.extra[tid] = left - 1
            return Reply(200, running)
        if tid not in self.succeeded:
            self.succeeded.append(tid)
        return Reply(200, task.steps[-1])


@dataclass
class DraftLog:
    """Every draft event, and what the draft looked like when it first was whole."""

    fake: LateRunway
    news: list[dict[str, Any]] = field(default_factory=list)
    clips_landed_at_ready: int = -1
    decoded_at_ready: list[str] = field(default_factory=list)

    async def __call__(self, event: RenderEvent) -> None:
        if event.type != "draft" or event.draft is None:
            return
        self.news.append(event.draft)
        if event.draft["state"] == "ready":
            self.clips_landed_at_ready = len(self.fake.succeeded)
            folder = Path(event.draft["folder"])
            try:
                for name in ("draft.mp4", "draft.m3u8"):  # decodes fully, start to end
                    await _decodes(folder / name)
                    self.decoded_at_ready.append(name)
            finally:
                self.fake.gate.set()  # the clips land whatever happened: the test never hangs


@pytest.fixture
def late_vendor(tiny_mp4: bytes) -> Iterator[LateRunway]:
    fake = LateRunway(tiny_mp4, "rw-k", threading.Event())
    with serve(fake) as url:
        fake.base_url = url
        yield fake


async def _decodes(path: Path) -> None:
    """Every packet of every stream decodes (`-xerror`: a corrupt packet fails it)."""
    await run_ffmpeg(["-v", "error", "-xerror", "-i", str(path), "-map", "0", "-f", "null", "-"])


def _polling() -> Timing:
    """Real waits, kept short: the seeded polls take a few seconds of wall time in all."""

    async def sleep(_seconds: float) -> None:
        await asyncio.sleep(0.03)

    return Timing(sleep=sleep, monotonic=time.monotonic, random=lambda: 0.5)


async def _render(
    fake: PromptKeyedRunway, data: Path, out: Path, draft: bool, events: Any, **settings: Any
) -> Path:
    registry = Registry([
        LocalProvider(),
        RunwayProvider(RunwaySettings(api_key=SecretStr("rw-k"), base_url=fake.base_url),
                       timing=_polling()),
    ])  # fmt: skip
    config = Settings(voice="espeak", data_dir=data, **settings)
    catalog = load_effective_catalog(config)
    clock = FakeTime()
    env = make_env(config, registry, clock=clock.clock, monotonic=clock.monotonic, events=events)
    policy = parse_policy(POLICY, "one.yaml", catalog)
    script = ingest_text(SCRIPT, title="Late clips")
    aspects = (Aspect.LANDSCAPE, Aspect.PORTRAIT)
    routed = plan_script(script, policy, catalog, registry, aspects[0], today=clock.clock().date())
    options = RenderOptions("late-clips", policy, aspects, Quality.DRAFT, draft=draft)
    result = await render_script(script, routed, options, env, out)
    return result.out_dir


def _changed(before: list[str], after: list[str]) -> list[int]:
    return [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]


@pytest.mark.slow
async def test_draft_plays_before_any_clip_then_each_clip_swaps_its_own_segment(
    late_vendor: LateRunway, tiny_mp4: bytes, tmp_path: Path
) -> None:
    log = DraftLog(late_vendor)
    out = await _render(late_vendor, tmp_path / "a", tmp_path / "out-a", True, log)

    states = [n["state"] for n in log.news]
    assert states[:2] == ["playable", "ready"]
    assert log.decoded_at_ready == ["draft.mp4", "draft.m3u8"]
    assert log.clips_landed_at_ready == 0  # watchable before the first vendor clip landed
    ready = log.news[1]
    assert ready["scenes"] == ["placeholder"] * 3 and ready["final_scenes"] == []

    # each clip that lands re-encodes its own segment and nothing else
    swaps = [n for n in log.news if n["state"] == "scene_final"]
    assert sorted(n["scene"] for n in swaps) == [0, 1, 2]
    previous = ready["segments"]
    for news in swaps:
        assert _changed(previous, news["segments"]) == [news["scene"]]
        previous = news["segments"]
    assert swaps[-1]["final_scenes"] == [0, 1, 2]

    folder = Path(ready["folder"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["draft"] is True and manifest["publishable"] is False
    assert [s["state"] for s in manifest["scenes"]] == ["final"] * 3
    assert [s["sha256"] for s in manifest["scenes"]] == swaps[-1]["segments"]
    info = probe(folder / "draft.mp4")
    assert (info.width, info.height) == (960, 540) and info.has_audio
    assert abs(info.duration - manifest["duration"]) < 0.1
    await _decodes(folder / "draft.m3u8")

    # verify refuses the draft as a publishable output; the final verifies
    inputs = VerifyInputs(load_trust_anchors(Settings(data_dir=tmp_path / "a")), None,
                          load_effective_catalog(Settings()))  # fmt: skip
    refused = verify_render(folder, inputs)
    assert [c.name for c in refused.checks] == ["draft"] and failed(refused.checks)
    assert "not a publishable output" in refused.checks[0].detail
    assert failed(verify_render(folder / "draft.mp4", inputs).checks)

    # the same render without a draft, with the same keys, render id and clock, makes the same
    # bytes. It narrates from A's cache: espeak in one process does not say a text twice with
    # the same samples, draft or no draft.
    shutil.copytree(tmp_path / "a" / "narration", tmp_path / "b" / "narration")
    plain = PromptKeyedRunway(tiny_mp4, key="rw-k")
    with serve(plain) as url:
        plain.base_url = url
        out_b = await _render(plain, tmp_path / "b", tmp_path / "out-b", False, ignore_events,
                              **identity_of(tmp_path / "a" / "keys"))  # fmt: skip
    assert _files(out) == _files(out_b)
    assert {"late-clips-16x9.mp4", "late-clips-9x16.mp4", "manifest.json", "report.html",
            "disclosure.vtt", "captions.vtt", "captions.srt"} <= set(_files(out))  # fmt: skip
    different = [n for n in _files(out) if (out / n).read_bytes() != (out_b / n).read_bytes()]
    assert different == [], _explain(out, out_b, different)
    assert not failed(verify_render(out_b, inputs).checks)
    assert not (tmp_path / "b" / "drafts").exists()


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _explain(a: Path, b: Path, names: list[str]) -> str:
    """What differs: the manifest's fields, or where the bytes of other files part."""
    lines = []
    for name in names:
        x, y = (a / name).read_bytes(), (b / name).read_bytes()
        if name.endswith(".json"):
            lines += _diff(json.loads(x), json.loads(y))
        else:
            at = next(
                (i for i, (u, v) in enumerate(zip(x, y, strict=False)) if u != v),
                min(len(x), len(y)),
            )
            lines.append(f"{name}: {len(x)} vs {len(y)} bytes, first difference at {at}: "
                         f"{x[max(0, at - 40):at + 40]!r}")  # fmt: skip
    return "\n".join(lines)


def _diff(x: Any, y: Any, p: str = "") -> list[str]:
    """Where two JSON documents differ, as `.path: left | right` lines."""
    if isinstance(x, dict) and isinstance(y, dict):
        return [d for k in sorted(set(x) | set(y)) for d in _diff(x.get(k), y.get(k), f"{p}.{k}")]
    if isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        return [
            d for i, (u, v) in enumerate(zip(x, y, strict=True)) for d in _diff(u, v, f"{p}[{i}]")
        ]
    return [] if x == y else [f"{p}: {str(x)[:60]} | {str(y)[:60]}"]
