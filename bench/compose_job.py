"""Child process: compose one bench timeline into 16:9, 9:16 and 1:1, print timings as JSON.

Run in its own process so its tree's memory is the render's alone (`bench.treemem`).
Usage: python -m bench.compose_job POOL_DIR OUT_DIR SCENES QUALITY [LAYOUT]
LAYOUT is `pool` (default), `letterbox` or `native` (see `bench.inputs.Layout`).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from app.render.compose import compose
from app.render.quality import SETTINGS, Quality
from bench.inputs import Layout, build_inputs


async def main(
    pool: Path, out: Path, scenes: int, quality: Quality, layout: Layout = Layout.POOL
) -> dict[str, float]:
    enc = SETTINGS[quality]
    inputs = await build_inputs(pool, scenes, enc.fps, layout, enc.short_side)
    # The subject analysis for tracked crops ran in build_inputs: reported on its own.
    stages: dict[str, float] = {"analysis_s": inputs.analysis_s}
    t0 = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            stages[f"{stage}_done_s"] = round(time.perf_counter() - t0, 2)

    result = await compose(
        inputs.timeline, inputs.outputs(enc, out), inputs.voices, inputs.music,
        out / "work", enc, title="bench", progress=progress,
    )  # fmt: skip
    return {
        "compose_s": round(time.perf_counter() - t0, 2),
        "video_s": round(result.duration, 3),
        **stages,
    }


if __name__ == "__main__":
    pool_dir, out_dir, n, q = sys.argv[1:5]
    layout = Layout(sys.argv[5]) if len(sys.argv) > 5 else Layout.POOL
    print(json.dumps(asyncio.run(main(Path(pool_dir), Path(out_dir), int(n), Quality(q), layout))))
