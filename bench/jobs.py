"""Run a bench child process (`python -m MODULE POOL OUT SCENES QUALITY`) under memory sampling.

The children (`bench.compose_job`, `bench.moviepy_job`) print one JSON line of their own
timings last; the parent adds the wall time and the process tree's peak RSS.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from app.render.quality import Quality
from bench.treemem import run_sampled

REPO = Path(__file__).resolve().parent.parent


def run_job(
    module: str, pool: Path, out: Path, scenes: int, quality: Quality, *extra: str
) -> dict[str, float]:
    """The child's own figures, plus `wall_s` and `peak_rss_mb` of its whole process tree."""
    argv = [sys.executable, "-m", module, str(pool), str(out), str(scenes), quality.value, *extra]
    run = run_sampled(argv, cwd=REPO)
    figures: dict[str, float] = json.loads(run.stdout.strip().splitlines()[-1])
    return {**figures, "wall_s": run.wall_s, "peak_rss_mb": run.peak_rss_mb}
