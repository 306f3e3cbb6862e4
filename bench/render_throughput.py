"""Render throughput: wall time per second of finished video, per quality, and peak memory.

Each run renders the same generated script offline (local renderer, eSpeak narration so the
voice doesn't dominate) with a fresh cache, and reports stage timings from progress events.
"""

from __future__ import annotations

import asyncio
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.config import Settings
from app.context import build_context
from app.ingest import ingest_text
from app.pipeline.events import ProgressEvent, Stage
from app.pipeline.plan import DEFAULT_POLICY
from app.pipeline.run import RenderOptions, render_script
from app.render.quality import Quality

_SENTENCES = [
    "Morning light spills over the harbour as the first boats head out to sea.",
    "Sales grew 42 percent last year, from 1.2 million to 1.7 million cups.",
    "A small team gathers around the roaster, checking the colour of every batch.",
    '"Do the simple things well, and do them every day."',
    "Trucks race down the mountain road before the afternoon rain arrives.",
    "The new grinder is quiet, compact and built to last for a decade.",
]


def bench_script(scenes: int) -> str:
    return "\n\n".join(_SENTENCES[i % len(_SENTENCES)] for i in range(scenes))


@dataclass
class StageClock:
    started: dict[Stage, float] = field(default_factory=dict)
    finished: dict[Stage, float] = field(default_factory=dict)

    def __call__(self, event: ProgressEvent) -> None:
        now = time.perf_counter()
        self.started.setdefault(event.stage, now)
        if event.done == event.total:
            self.finished[event.stage] = now

    def seconds(self, stage: Stage) -> float:
        return round(self.finished.get(stage, 0.0) - self.started.get(stage, 0.0), 2)


async def measure(workdir: Path, quality: Quality, scenes: int) -> dict[str, float]:
    clock = StageClock()
    settings = Settings(data_dir=workdir / f"data-{quality}", voice="espeak")
    ctx = build_context(settings, clock)
    script = ingest_text(bench_script(scenes), title=f"bench {quality}")
    options = RenderOptions(
        out_dir=workdir / f"out-{quality}", policy=DEFAULT_POLICY, quality=quality
    )
    t0 = time.perf_counter()
    result = await render_script(script, options, ctx)
    wall = time.perf_counter() - t0
    return {
        "video_seconds": round(result.duration, 2),
        "wall_seconds": round(wall, 2),
        "wall_per_video_second": round(wall / result.duration, 3),
        "generate_seconds": clock.seconds(Stage.GENERATE),
        "compose_seconds": clock.seconds(Stage.COMPOSE),
        "compose_per_video_second": round(clock.seconds(Stage.COMPOSE) / result.duration, 3),
        # ru_maxrss of children is the largest single ffmpeg process, in KiB on Linux.
        "peak_child_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


def run(workdir: Path, scenes: int) -> dict[str, dict[str, float]]:
    return {
        q.value: asyncio.run(measure(workdir, q, scenes)) for q in (Quality.DRAFT, Quality.STANDARD)
    }
