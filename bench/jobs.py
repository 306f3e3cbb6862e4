"""Run a bench child process (`python -m MODULE POOL OUT SCENES QUALITY`) under memory sampling.

The children (`bench.compose_job`, `bench.moviepy_job`) print one JSON line of their own
timings last; the parent adds the wall time and the process tree's peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from app.render.quality import Quality
from bench.treemem import run_sampled

REPO = Path(__file__).resolve().parent.parent


def run_job(
    module: str, pool: Path, out: Path, scenes: int, quality: Quality, *extra: str
) -> dict[str, float]:
    """The child's own figures, plus `wall_s`, `cpu_s` and `peak_rss_mb` of its whole process
    tree. CPU seconds move much less than wall time when other work shares the machine."""
    argv = [sys.executable, "-m", module, str(pool), str(out), str(scenes), quality.value, *extra]
    before = _children_cpu()
    run = run_sampled(argv, cwd=REPO)
    cpu_s = round(_children_cpu() - before, 2)
    figures: dict[str, float] = json.loads(run.stdout.strip().splitlines()[-1])
    return {**figures, "wall_s": run.wall_s, "cpu_s": cpu_s, "peak_rss_mb": run.peak_rss_mb}


def _children_cpu() -> float:
    """CPU seconds of every finished child (and its waited-for children) of this process."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
