"""Compose a timeline into finished MP4s, one per aspect: segments, soundtrack, join, mux."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from app.render import audio
from app.render.captions import ass_document
from app.render.quality import EncodeSettings
from app.render.segments import SegmentJob, segment_argv, segment_jobs, share_heads
from app.render.timeline import AspectClip, OutputSpec, SceneSlot, Timeline, VisibleLabel
from providers.media import run_ffmpeg

ComposeProgress = Callable[[str, int, int], None]
"""Called with (stage, done, total) as work completes."""

MUSIC_GAIN_DB = -13.0  # music bed level before ducking, relative to its generated level
MAX_LOUDNESS_PASSES = 3


@dataclass(frozen=True)
class ComposeResult:
    outputs: tuple[OutputSpec, ...]
    loudness: audio.Loudness
    duration: float


def install_fonts(workdir: Path) -> str:
    """libass finds fonts by folder; give it the caption font next to the caption files."""
    fonts = workdir / "fonts"
    fonts.mkdir(exist_ok=True)
    src = resources.files("font_manrope").joinpath("files")
    for name in ("Manrope-Bold.ttf", "Manrope-ExtraBold.ttf"):
        with resources.as_file(src.joinpath(name)) as path:
            shutil.copyfile(path, fonts / name)
    return "fonts"


def _write_captions(job: SegmentJob, workdir: Path, label: VisibleLabel | None) -> None:
    for out, name in zip(job.outputs, job.caption_files, strict=True):
        doc = ass_document(
            job.slot.captions, out.aspect, out.width, out.height, label, job.slot.duration
        )
        (workdir / name).write_text(doc, encoding="utf-8")


async def render_segments(
    tl: Timeline,
    outputs: Sequence[OutputSpec],
    workdir: Path,
    enc: EncodeSettings,
    *,
    concurrency: int = 1,
    progress: ComposeProgress | None = None,
) -> list[SegmentJob]:
    """Render every scene segment (each its own bounded ffmpeg process), `concurrency` at once.

    Between drawn scenes the crossfade head is made once (`share_heads`): the segments run in
    `concurrency` lanes of consecutive scenes, each lane last scene first, so that a segment
    finds the head the one after it wrote."""
    fonts = install_fonts(workdir)
    jobs = segment_jobs(tl, outputs, workdir)
    done = 0

    async def lane(run: Sequence[SegmentJob]) -> None:
        nonlocal done
        for job in run:
            _write_captions(job, workdir, tl.label if tl.shows_label(job.slot.index) else None)
            await run_ffmpeg(segment_argv(job, tl, enc, fonts), cwd=workdir)
            for head in job.head_in:  # read: nothing else needs it
                if head is not None:
                    head.unlink(missing_ok=True)
            done += 1
            if progress:
                progress("compose", done, len(jobs))

    await asyncio.gather(*(lane(run) for run in share_heads(jobs, tl, concurrency)))
    return jobs


async def render_soundtrack(
    voices: Sequence[audio.VoicePlacement],
    music: Path,
    total: float,
    workdir: Path,
    bitrate: str,
) -> tuple[Path, audio.Loudness]:
    """Narration + ducked music, normalised, AAC-encoded and verified on the encoded file."""
    narration = workdir / "narration.wav"
    await asyncio.to_thread(audio.assemble_narration, voices, total, narration)
    mixed, encoded = workdir / "mix.wav", workdir / "audio.m4a"
    await run_ffmpeg(audio.mix_argv(narration, music, total, mixed, MUSIC_GAIN_DB))
    # Loudness is a constant gain plus the limiter, found on PCM (about 3 s a pass for ten
    # minutes) and only then AAC-encoded (about 30 s), measured and, rarely, corrected. Two
    # loudnorm passes and a second encode took 100 s of a 10-minute soundtrack (bench R4).
    level = workdir / "level.wav"
    gain = audio.TARGET_LUFS - (await _measure(mixed)).integrated
    gain, _ = await _settle(lambda g: audio.level_argv(mixed, level, g), level, gain,
                            audio.PCM_TOLERANCE)  # fmt: skip
    level.unlink(missing_ok=True)
    gain, loudness = await _settle(lambda g: audio.encode_argv(mixed, encoded, g, bitrate),
                                   encoded, gain, audio.LUFS_TOLERANCE)  # fmt: skip
    for scratch in (narration, mixed):
        scratch.unlink(missing_ok=True)
    return encoded, loudness


async def _measure(path: Path) -> audio.Loudness:
    return audio.parse_ebur128(await run_ffmpeg(audio.ebur128_argv(path)))


async def _settle(
    make: Callable[[float], list[str]], made: Path, gain: float, tolerance: float
) -> tuple[float, audio.Loudness]:
    """Run `make(gain)`, measure `made` and correct the gain until it reads on target (at most
    MAX_LOUDNESS_PASSES times): the limiter costs loudness when it works, so one pass may not do."""
    loudness = audio.Loudness(float("-inf"), float("-inf"))
    for _ in range(MAX_LOUDNESS_PASSES):
        await run_ffmpeg(make(gain))
        loudness = await _measure(made)
        if loudness.within_target(tolerance):
            break
        gain += audio.correction_db(loudness)
    return gain, loudness


def concat_list(paths: Sequence[Path]) -> str:
    """A concat-demuxer list; single quotes in names are escaped the way the demuxer expects."""
    lines = []
    for p in paths:
        quoted = str(p).replace("'", "'\\''")
        lines.append(f"file '{quoted}'")
    return "\n".join(lines) + "\n"


def mux_argv(list_file: Path, soundtrack: Path, dest: Path, title: str) -> list[str]:
    """Join one aspect's segments and add the soundtrack, both copied, no re-encode."""
    return [
        "-f", "concat", "-safe", "0", "-i", str(list_file), "-i", str(soundtrack),
        "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", "-movflags", "+faststart",
        "-metadata", f"title={title}", "-metadata", "comment=Made with reelroute; "
        "per-scene AI disclosure in manifest.json",
        str(dest),
    ]  # fmt: skip


def _absolute(slot: SceneSlot) -> SceneSlot:
    natives = tuple(
        replace(n, path=n.path.resolve()) if isinstance(n, AspectClip) else n for n in slot.natives
    )
    return replace(slot, clip=slot.clip.resolve(), natives=natives)


async def compose(
    tl: Timeline,
    outputs: Sequence[OutputSpec],
    voices: Sequence[audio.VoicePlacement],
    music: Path,
    workdir: Path,
    enc: EncodeSettings,
    *,
    title: str,
    concurrency: int = 1,
    progress: ComposeProgress | None = None,
) -> ComposeResult:
    """Render every aspect of the timeline; outputs land at each OutputSpec.path."""
    # Segments run with the work folder as cwd (for the caption files): paths must be absolute.
    workdir = workdir.resolve()
    enc = enc.for_encoders(len(outputs))
    tl = replace(tl, slots=tuple(_absolute(s) for s in tl.slots))
    workdir.mkdir(parents=True, exist_ok=True)
    # One after the other: alongside the segments the soundtrack saved ~5% of the time but
    # added ~30 MB to the peak (measured at 1080p), which would take R4 over its 600 MB.
    soundtrack, loudness = await render_soundtrack(
        voices, music, tl.duration, workdir, enc.audio_bitrate
    )
    jobs = await render_segments(
        tl, outputs, workdir, enc, concurrency=concurrency, progress=progress
    )
    for k, out in enumerate(outputs):
        list_file = workdir / f"segments_{out.tag}.txt"
        list_file.write_text(concat_list([j.outputs[k].path for j in jobs]), encoding="utf-8")
        out.path.parent.mkdir(parents=True, exist_ok=True)
        partial = out.path.with_name(out.path.stem + ".partial.mp4")
        await run_ffmpeg(mux_argv(list_file, soundtrack, partial, title))
        partial.replace(out.path)
        if progress:
            progress("mux", k + 1, len(outputs))
    return ComposeResult(tuple(outputs), loudness, tl.duration)
