"""Peak RSS of a whole process tree (a process and every descendant), sampled while it runs.

`ru_maxrss` only knows the largest single child; a render is a Python process plus ffmpeg
children that come and go, so the tree is summed at each sample and the peak of the sums kept.
Sampling every 50 ms can miss a spike shorter than that; a render's peaks last seconds.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

SAMPLE_S = 0.05


def tree_rss(root: psutil.Process) -> int:
    """Bytes resident in `root` and its descendants right now (ones that vanish count 0)."""
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


@dataclass(frozen=True)
class TreeRun:
    wall_s: float
    peak_rss_mb: float
    samples: int
    stdout: str


def run_sampled(argv: Sequence[str], cwd: Path | None = None, timeout: float = 3600) -> TreeRun:
    """Run `argv` to completion, sampling its tree's RSS; RuntimeError with its stderr's tail
    when it fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(argv), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    root = psutil.Process(proc.pid)
    peak, samples = 0, 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, samples
        while not stop.is_set():
            peak = max(peak, tree_rss(root))
            samples += 1
            stop.wait(SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        stop.set()
        sampler.join()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join(err.strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(argv)} exited with {proc.returncode}:\n{tail}")
    return TreeRun(round(wall, 2), round(peak / 2**20, 1), samples, out)
