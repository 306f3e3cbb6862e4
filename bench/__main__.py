"""`make bench`: run the benchmarks and write bench/results.json plus a short table."""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from pathlib import Path

from bench import render_throughput


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scenes", type=int, default=12, help="scenes in the generated script")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reelroute-bench-") as tmp:
        figures = render_throughput.run(Path(tmp), args.scenes)
    report = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "render_throughput": figures,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    header = ("quality", "video s", "wall s", "wall/video", "compose/video", "peak MB")
    print("{:<10}{:>9}{:>9}{:>12}{:>15}{:>9}".format(*header))
    for quality, f in figures.items():
        print(
            f"{quality:<10}{f['video_seconds']:>9}{f['wall_seconds']:>9}"
            f"{f['wall_per_video_second']:>12}{f['compose_per_video_second']:>15}"
            f"{f['peak_child_rss_mb']:>9}"
        )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
