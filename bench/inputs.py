"""Generated, deterministic bench inputs: a pool of clips, narration, music, captions, timelines.

The clips come from the offline renderer at mixed sizes and frame rates, then are re-encoded the
way vendors deliver them (x264 with CABAC and B-frames), because a clip that is cheap to decode
would flatter the render. A timeline of any length reuses the pool round-robin: decoding cost per
scene is what matters, not novelty.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.render.audio import VoicePlacement
from app.render.captions import time_captions
from app.render.quality import EncodeSettings
from app.render.subject import subject_track
from app.render.timeline import (
    Caption,
    DrawnScene,
    OutputSpec,
    Reframe,
    SubjectTrack,
    Timeline,
    VisibleLabel,
    build_timeline,
)
from providers.local import LocalProvider
from providers.local.recipe import recipe_of
from providers.media import probe, run_ffmpeg, sha256_file
from providers.music import Mood, generate_music
from providers.types import Aspect, ClipRequest, SceneKind
from providers.voice import get_voice

SCENE_SECONDS = 5.0
TRANSITION = 0.4  # as app.pipeline.run
LEAD_IN = 0.3  # narration starts this far into its scene
ASPECTS = (Aspect.LANDSCAPE, Aspect.PORTRAIT, Aspect.SQUARE)


@dataclass(frozen=True)
class PoolSpec:
    kind: SceneKind
    width: int
    height: int
    fps: int
    text: str
    reframe: Reframe


# Mixed sizes and frame rates, as a multi-vendor render really receives them.
POOL: tuple[PoolSpec, ...] = (
    PoolSpec(SceneKind.LANDSCAPE, 1920, 1080, 30, "", Reframe.CROP),
    PoolSpec(SceneKind.DATA, 1280, 720, 24, "Sales grew 42% to 1.7 million", Reframe.PAD),
    PoolSpec(SceneKind.PEOPLE, 1080, 1920, 30, "", Reframe.CROP),
    PoolSpec(SceneKind.PRODUCT, 1080, 1080, 25, "", Reframe.CROP),
    PoolSpec(SceneKind.TEXT, 1920, 1080, 60, "Do the simple things well", Reframe.PAD),
    PoolSpec(SceneKind.ACTION, 960, 540, 30, "", Reframe.CROP),
)

SENTENCES = (
    "Morning light spills over the harbour as the first boats head out to sea.",
    "Sales grew forty two percent last year, to one point seven million cups.",
    "A small team gathers around the roaster, checking the colour of every batch.",
    "The new grinder is quiet, compact and built to last for a decade.",
    "Do the simple things well, and do them every day.",
    "Trucks race down the mountain road before the afternoon rain arrives.",
)


class Layout(StrEnum):
    """How the timeline's scenes reach the three aspects."""

    POOL = "pool"  # the vendor-style pool as is: text and data padded, the rest centre-cropped
    # The text and data scenes as the built-in renderer delivers them (16:9 at the output's
    # size, ultrafast), before and after issue 16:
    LETTERBOX = "letterbox"  # their 16:9 clip padded into 9:16 and 1:1; the rest centre-cropped
    NATIVE = "native"  # 9:16 and 1:1 drawn in the graph; the rest cropped around their subject


@dataclass(frozen=True)
class Inputs:
    """Everything a compose needs, for a timeline of `scenes` scenes."""

    timeline: Timeline
    voices: tuple[VoicePlacement, ...]
    music: Path
    analysis_s: float = 0.0  # subject analysis for tracked crops, when it ran

    def outputs(self, enc: EncodeSettings, out_dir: Path) -> list[OutputSpec]:
        return [
            OutputSpec(
                a, *a.frame_size(enc.short_side), out_dir / f"bench-{a.value.replace(':', 'x')}.mp4"
            )
            for a in ASPECTS
        ]


def pool_specs(quick: bool) -> tuple[PoolSpec, ...]:
    """The pool; `quick` shrinks every clip sixfold (smoke tests), keeping the mix of shapes."""
    if not quick:
        return POOL
    return tuple(replace(p, width=_even(p.width // 6), height=_even(p.height // 6)) for p in POOL)


def _even(n: int) -> int:
    return max(2, n - n % 2)


async def _pool_clip(spec: PoolSpec, index: int, folder: Path) -> Path:
    dest = folder / f"pool_{index}_{spec.width}x{spec.height}_{spec.fps}.mp4"
    if dest.is_file():
        return dest
    aspect = Aspect.LANDSCAPE if spec.width > spec.height else Aspect.PORTRAIT
    if spec.width == spec.height:
        aspect = Aspect.SQUARE
    request = ClipRequest(
        prompt=SENTENCES[index % len(SENTENCES)],
        duration=SCENE_SECONDS + 1.0,  # room for the crossfade offset
        aspect=aspect, width=spec.width, height=spec.height, kind=spec.kind,
        on_screen_text=spec.text, seed=index, fps=spec.fps,
    )  # fmt: skip
    raw = folder / f"raw_{index}.mp4"
    await LocalProvider().generate(request, "local-motion-1", raw)
    await run_ffmpeg(
        ["-i", str(raw), "-c:v", "libx264", "-preset", "fast", "-crf", "18",
         "-pix_fmt", "yuv420p", "-an", str(dest)]
    )  # fmt: skip
    raw.unlink()
    return dest


async def _narration(index: int, folder: Path) -> tuple[Path, tuple[Caption, ...]]:
    """One espeak narration per sentence, with captions timed from its word timings."""
    wav, meta = folder / f"voice_{index}.wav", folder / f"voice_{index}.json"
    text = SENTENCES[index]
    if not meta.is_file():
        said = await get_voice("espeak").synthesize(text, wav)
        words = [(w.start, w.end) for w in said.words]
        meta.write_text(json.dumps({"duration": said.duration, "words": words}), encoding="utf-8")
    data = json.loads(meta.read_text(encoding="utf-8"))
    words = [(float(a), float(b)) for a, b in data["words"]]
    return wav, time_captions(text, LEAD_IN, float(data["duration"]), words)


async def prepare_pool(folder: Path, *, quick: bool = False) -> None:
    """Make the clip pool and the narrations once; later calls reuse them."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = pool_specs(quick)
    # One clip at a time: each encode already uses both cores.
    clips = [await _pool_clip(spec, i, folder) for i, spec in enumerate(specs)]
    await asyncio.gather(*(_narration(i, folder) for i in range(len(SENTENCES))))
    record = [
        {"path": c.name, "width": p.width, "height": p.height, "reframe": p.reframe.value}
        for c, p in zip(clips, specs, strict=True)
    ]
    (folder / "pool.json").write_text(json.dumps(record), encoding="utf-8")


def _local_path(folder: Path, index: int, short_side: int) -> Path:
    return folder / f"local_{index}_{short_side}_16x9.mp4"


def _local_request(index: int, aspect: Aspect, short_side: int, fps: int) -> ClipRequest:
    spec = POOL[index]
    w, h = aspect.frame_size(short_side)
    return ClipRequest(
        prompt=SENTENCES[index], duration=SCENE_SECONDS + 1.0, aspect=aspect, width=w, height=h,
        kind=spec.kind, on_screen_text=spec.text, seed=index, fps=fps,
    )  # fmt: skip


async def prepare_natives(folder: Path, short_side: int, fps: int) -> float:
    """The built-in renderer's 16:9 clips of the pool's text and data scenes, at the output
    size, as the pipeline makes them; made once. Returns the seconds they took this time."""
    t0 = time.perf_counter()
    for index, spec in enumerate(POOL):
        dest = _local_path(folder, index, short_side)
        if spec.reframe is Reframe.PAD and not dest.is_file():
            request = _local_request(index, Aspect.LANDSCAPE, short_side, fps)
            await LocalProvider().generate(request, "local-motion-1", dest)
    return round(time.perf_counter() - t0, 2)


def _drawn(index: int, aspect: Aspect, short_side: int, fps: int) -> DrawnScene:
    recipe = recipe_of(_local_request(index, aspect, short_side, fps))
    size = (recipe.width, recipe.height)
    return DrawnScene(aspect, recipe.graph, size, recipe.fps, recipe.sha256)


async def _laid_out(
    folder: Path, entry: dict[str, Any], index: int, layout: Layout, short_side: int, fps: int
) -> tuple[Path, tuple[int, int], Reframe, tuple[DrawnScene, ...], SubjectTrack | None]:
    """One pool entry as `layout` places it: clip, size, reframe, scenes drawn per aspect,
    subject track."""
    clip, size = folder / entry["path"], (int(entry["width"]), int(entry["height"]))
    reframe = Reframe(entry["reframe"])
    if layout is Layout.POOL:
        return clip, size, reframe, (), None
    if reframe is Reframe.PAD:
        main = _local_path(folder, index, short_side)
        main_size = Aspect.LANDSCAPE.frame_size(short_side)
        drawn = tuple(_drawn(index, a, short_side, fps) for a in ASPECTS[1:])
        return main, main_size, Reframe.PAD, drawn if layout is Layout.NATIVE else (), None
    if layout is Layout.LETTERBOX:
        return clip, size, Reframe.CROP, (), None
    track = await subject_track(clip, size, sha256_file(clip))
    return clip, size, Reframe.TRACK, (), track


async def build_inputs(
    folder: Path, scenes: int, fps: int, layout: Layout = Layout.POOL, short_side: int = 0
) -> Inputs:
    """A timeline of `scenes` five-second scenes over the pool (prepare_pool must have run,
    and prepare_natives at `short_side` for the letterbox and native layouts)."""
    pool = json.loads((folder / "pool.json").read_text(encoding="utf-8"))
    said = [await _narration(i, folder) for i in range(len(SENTENCES))]
    t0 = time.perf_counter()
    placed = [await _laid_out(folder, e, i, layout, short_side, fps) for i, e in enumerate(pool)]
    analysis_s = round(time.perf_counter() - t0, 2)
    picks = [placed[i % len(pool)] for i in range(scenes)]
    tl = build_timeline(
        [SCENE_SECONDS] * scenes,
        [p[0] for p in picks],
        [p[1] for p in picks],
        [p[2] for p in picks],
        [said[i % len(said)][1] for i in range(scenes)],
        fps=fps,
        transition=TRANSITION,
        label=VisibleLabel("AI-generated", "top_right"),
        natives=[p[3] for p in picks],
        tracks=[p[4] for p in picks],
    )
    voices = tuple(
        VoicePlacement(said[i % len(said)][0], slot.start + LEAD_IN)
        for i, slot in enumerate(tl.slots)
    )
    music = folder / f"music_{scenes}.wav"
    if not music.is_file():
        await generate_music(Mood.CORPORATE, tl.duration + 1.0, 7, music)
    return Inputs(tl, voices, music, analysis_s)


def check_pool(folder: Path) -> list[tuple[str, int, int, float]]:
    """(name, width, height, fps) of every pool clip, as probed: proves the mix is real."""
    pool = json.loads((folder / "pool.json").read_text(encoding="utf-8"))
    rows = []
    for p in pool:
        info = probe(folder / p["path"])
        rows.append((str(p["path"]), info.width, info.height, info.fps))
    return rows
