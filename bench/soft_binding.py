"""Soft binding (issue 15): how well `verify --find` traces copies, and what fingerprints cost.

    python -m bench.soft_binding [--renders 5]

Renders a few short draft videos offline (local scenes, eSpeak), makes four copies of each
(crf 35 at 720p; metadata and C2PA box stripped; trimmed by 3 s; trimmed by 1.3 s and scaled
to 480p at crf 30), aligns every copy with every render's stored fingerprint and prints how
many copies matched their own render and how many matched another, with the distances; then
the fingerprint's cost per output minute, on the drafts and on a 60 s 1080p30 clip. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from app.config import Settings
from app.context import build_registry, load_effective_catalog
from app.ingest import ingest_text
from app.pipeline.plan import DEFAULT_POLICY, plan_script
from app.pipeline.run import RenderOptions, render_script
from app.provenance.fingerprint import FPS, MATCH_BITS, QUERY_FPS, Hashes, align, video_hashes
from app.render.quality import Quality
from app.service.entry import build_render_env
from providers.media import probe, run_ffmpeg
from providers.types import Aspect
from providers.voice import get_voice

TOPICS = (
    ("A quiet harbour at dawn, boats resting on still water.",
     "Sales grew 42% in 2025, from 1.2 million to 1.7 million cups."),
    ("Our new espresso machine heats up in ninety seconds flat.",
     "The city skyline at night, traffic streaming across a bridge."),
    ("Solar panels cover the roof of the old library.",
     "Energy costs fell by a third in the first year."),
    ("The museum opens a new wing for modern sculpture.",
     "A child sketches a bronze horse in the quiet gallery."),
    ("Trains leave the central station every ten minutes.",
     "Delays dropped from 14% to 3% after the upgrade."),
)  # fmt: skip
COPIES = {
    "crf35-720p": ([], ["-vf", "scale=-2:720", "-crf", "35", "-an"]),
    "stripped": ([], ["-map_metadata", "-1", "-c", "copy"]),
    "trim-3s": (["-ss", "3"], ["-crf", "23"]),
    "trim-1.3s-480p-crf30": (["-ss", "1.3"], ["-vf", "scale=-2:480", "-crf", "30"]),
}


async def _render(index: int, root: Path) -> Path:
    settings = Settings(voice="espeak", data_dir=root / "data")
    catalog = load_effective_catalog(settings)
    env = build_render_env(settings, catalog=catalog, registry=build_registry(settings),
                           voice=get_voice(settings.voice))  # fmt: skip
    script = ingest_text("\n\n".join(TOPICS[index % len(TOPICS)]), title=f"bench {index}")
    routed = plan_script(script, DEFAULT_POLICY, catalog, env.registry, Aspect.LANDSCAPE,
                         today=env.clock().date(), breakers=env.breakers)  # fmt: skip
    options = RenderOptions(env.new_id(), DEFAULT_POLICY, (Aspect.LANDSCAPE,), Quality.DRAFT)
    result = await render_script(script, routed, options, env, root / f"render-{index}")
    return result.outputs[0].path


async def _cost_per_minute(video: Path, fps: int) -> float:
    started = time.perf_counter()
    await video_hashes(video, fps)
    return (time.perf_counter() - started) / probe(video).duration * 60


async def _copies(videos: list[Path], root: Path) -> list[tuple[str, int, Hashes]]:
    found = []
    for i, video in enumerate(videos):
        for name, (before, after) in COPIES.items():
            dest = root / f"copy-{i}-{name}.mp4"
            await run_ffmpeg(["-v", "error", *before, "-i", str(video), *after, str(dest)])
            found.append((name, i, await video_hashes(dest, QUERY_FPS)))
    return found


async def main(renders: int) -> None:
    with tempfile.TemporaryDirectory(prefix="reelroute-bench-sb-") as tmp:
        root = Path(tmp)
        videos = [await _render(i, root) for i in range(renders)]
        stored = [await video_hashes(v, FPS) for v in videos]
        own: list[tuple[str, float, float]] = []
        other: list[tuple[str, float, float]] = []
        for name, i, query in await _copies(videos, root):
            for j, hashes in enumerate(stored):
                found = align(query, hashes)
                if found is not None:
                    (own if i == j else other).append((name, found.distance, found.start_s))
        print(
            f"own render:   {sum(d <= MATCH_BITS for _, d, _ in own)}/{len(own)} matched, "
            f"worst {max(d for _, d, _ in own):.2f} bits (threshold {MATCH_BITS})"
        )
        print(
            f"other render: {sum(d <= MATCH_BITS for _, d, _ in other)}/{len(other)} matched, "
            f"nearest {min(d for _, d, _ in other):.2f} bits"
        )
        for name, distance, start in own:
            print(f"  {name:<22} {distance:5.2f} bits, placed at {start:.0f} s")
        drafts = [await _cost_per_minute(v, FPS) for v in videos]
        print(f"cost at 960x540: {sum(drafts) / len(drafts):.2f} s per output minute")
        big = root / "1080p.mp4"
        await run_ffmpeg(["-v", "error", "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=60",
                          "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                          str(big)])  # fmt: skip
        print(f"cost at 1920x1080: {await _cost_per_minute(big, FPS):.2f} s per output minute")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--renders", type=int, default=5, help="short draft renders to make")
    asyncio.run(main(parser.parse_args().renders))
