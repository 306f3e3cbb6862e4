"""The crossfade head made once against made in the segment's graph, on timelines of built-in
scenes only (16:9 from the clip, 9:16 and 1:1 drawn: the demo's case).

For each run of pool scenes (a -> b -> ...), every segment of that timeline is rendered both
ways, alternating (before, after / after, before / ...): `before`, each segment makes the next
scene's head itself (drawing its recipe again); `after`, each segment writes its own drawn
first 0.4 s and the segment before reads them (`share_heads`). Each ffmpeg's own CPU seconds
and peak RSS come from `wait4`, so other work on the machine does not enter the peak.

Usage: python -m bench.head_segments POOL_DIR WORK_DIR [QUALITY] [ROUNDS] [A-B-C ...]
(POOL_DIR from bench.inputs.prepare_pool; runs default to 0-3-5 1-4, the segments named in
docs/performance.md: 0 -> 3, 3 -> 5 and 1 -> 4).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from app.render.compose import _write_captions, install_fonts
from app.render.quality import SETTINGS, Quality
from app.render.segments import segment_argv, segment_jobs, share_heads
from app.render.timeline import OutputSpec, Reframe, Timeline, VisibleLabel, build_timeline
from bench.inputs import ASPECTS, SCENE_SECONDS, TRANSITION, _drawn, _local_request, _narration
from providers.local import LocalProvider
from providers.media import ffmpeg_exe


async def _run_timeline(pool: Path, scenes: list[int], short_side: int, fps: int) -> Timeline:
    clips, captions, natives = [], [], []
    for index in scenes:
        clip = pool / f"local_{index}_{short_side}_16x9.mp4"
        if not clip.is_file():
            request = _local_request(index, ASPECTS[0], short_side, fps)
            await LocalProvider().generate(request, "local-motion-1", clip)
        clips.append(clip)
        captions.append((await _narration(index, pool))[1])
        natives.append(tuple(_drawn(index, x, short_side, fps) for x in ASPECTS[1:]))
    size = ASPECTS[0].frame_size(short_side)
    return build_timeline(
        [SCENE_SECONDS] * len(scenes), clips, [size] * len(scenes),
        [Reframe.PAD] * len(scenes), captions, fps=fps, transition=TRANSITION,
        label=VisibleLabel("AI-generated", "top_right"), natives=list(natives),
    )  # fmt: skip


def _run(argv: list[str], cwd: Path) -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of one ffmpeg, from the kernel's own accounting."""
    proc = subprocess.Popen(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-v", "error", *argv],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(err.decode()[-2000:])
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(
    pool: Path, work: Path, quality: Quality, rounds: int, runs_of: list[list[int]]
) -> list[dict[str, object]]:
    enc = SETTINGS[quality].for_encoders(3)
    rows = []
    for scenes in runs_of:
        tl = asyncio.run(_run_timeline(pool, scenes, enc.short_side, enc.fps))
        name = "-".join(map(str, scenes))
        folder = work / f"{name}-{quality.value}"
        folder.mkdir(parents=True, exist_ok=True)
        fonts = install_fonts(folder)
        outs = [OutputSpec(x, *x.frame_size(enc.short_side), folder / "o.mp4") for x in ASPECTS]
        runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for k in range(rounds):
            for side in ("before", "after") if k % 2 == 0 else ("after", "before"):
                lanes = len(scenes) if side == "before" else 1  # a lane each: nothing shared
                jobs = [j for lane in share_heads(segment_jobs(tl, outs, folder), tl, lanes)
                        for j in lane]  # fmt: skip
                jobs.sort(key=lambda j: -j.slot.index)  # the last first: it writes a head
                figures: dict[str, float] = {}
                for job in jobs:
                    _write_captions(job, folder, tl.label)
                    cpu, peak = _run(segment_argv(job, tl, enc, fonts), folder)
                    seg = f"{scenes[job.slot.index]}"
                    figures[f"seg{seg}_cpu_s"], figures[f"seg{seg}_peak_mb"] = cpu, peak
                figures["cpu_s"] = sum(v for key, v in figures.items() if key.endswith("cpu_s"))
                figures["load"] = os.getloadavg()[0]
                runs[side].append(figures)
        row: dict[str, object] = {"scenes": name, "quality": quality.value}
        for side, got in runs.items():
            for key in got[0]:
                row[f"{side}_{key}"] = round(statistics.median(r[key] for r in got), 2)
            row[f"{side}_runs"] = got
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if not k.endswith("_runs")}), flush=True)
    return rows


if __name__ == "__main__":
    pool_dir, work_dir = Path(sys.argv[1]), Path(sys.argv[2])
    q = Quality(sys.argv[3]) if len(sys.argv) > 3 else Quality.STANDARD
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    chosen = [list(map(int, p.split("-"))) for p in sys.argv[5:]] or [[0, 3, 5], [1, 4]]
    result = measure(pool_dir, work_dir, q, n, chosen)
    (work_dir / f"head_segments_{q.value}.json").write_text(json.dumps(result, indent=1))
