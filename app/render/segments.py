"""ffmpeg argv for one scene segment: decode the clip once, write every aspect from that decode.

Each scene is its own ffmpeg process with at most two inputs (its clip, and the head of the next
clip for the crossfade), so memory stays flat however many scenes a video has. The segments of
one aspect share encoder settings and are joined later without re-encoding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.render.quality import EncodeSettings
from app.render.timeline import OutputSpec, Reframe, SceneSlot, Timeline

FADE_IN = 0.4  # from black at the very start of the video
FADE_OUT = 0.8  # to black at the very end


@dataclass(frozen=True)
class SegmentJob:
    """Everything needed to render one scene into every aspect."""

    slot: SceneSlot
    next_clip: Path | None  # head of the following clip, crossfaded into this slot's tail
    outputs: tuple[OutputSpec, ...]  # one per aspect; `path` is this segment's file
    caption_files: tuple[str, ...]  # ASS file per output, relative to the working folder
    is_first: bool
    is_last: bool


def _fit_clip(label_in: str, label_out: str, tl: Timeline, start: float, length: float) -> str:
    """Normalise any clip to the master canvas and exactly `length` seconds from `start`."""
    w, h, fps = tl.master_width, tl.master_height, tl.fps
    return (
        f"[{label_in}]fps={fps},scale={w}:{h}:force_original_aspect_ratio=increase,"
        f"crop={w}:{h},setsar=1,format=yuv420p,"
        f"trim=start={start:.4f},setpts=PTS-STARTPTS,"
        f"tpad=stop_mode=clone:stop_duration={length:.4f},trim=duration={length:.4f},"
        f"setpts=PTS-STARTPTS[{label_out}]"
    )


def _reframe(label_in: str, label_out: str, mode: Reframe, width: int, height: int) -> str:
    """Fill (crop) or fit over a blurred copy of itself (pad) into width x height."""
    if mode is Reframe.CROP:
        return (
            f"[{label_in}]scale={width}:{height}:force_original_aspect_ratio=increase,"
            f"crop={width}:{height},setsar=1[{label_out}]"
        )
    bw, bh = max(2, width // 8), max(2, height // 8)
    return (
        f"[{label_in}]split=2[{label_out}_bg][{label_out}_fg];"
        f"[{label_out}_bg]scale={bw}:{bh}:force_original_aspect_ratio=increase,crop={bw}:{bh},"
        # The background is a blur: a cheap bilinear upscale is indistinguishable and much faster.
        f"boxblur=6:2,eq=brightness=-0.08:saturation=1.1,"
        f"scale={width}:{height}:flags=fast_bilinear[{label_out}_bb];"
        f"[{label_out}_fg]scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"setsar=1[{label_out}_ff];"
        f"[{label_out}_bb][{label_out}_ff]overlay=(W-w)/2:(H-h)/2,setsar=1[{label_out}]"
    )


def segment_filter(job: SegmentJob, tl: Timeline, fonts_dir: str) -> str:
    """The filter graph: fit -> optional crossfade -> fades -> split -> reframe -> captions."""
    slot, t = job.slot, tl.transition
    parts = [_fit_clip("0:v", "cur", tl, slot.clip_offset, slot.duration)]
    base = "cur"
    if job.next_clip is not None and t > 0 and slot.duration > 2 * t:
        parts.append(_fit_clip("1:v", "nxt", tl, 0.0, t))
        parts.append(
            f"[cur][nxt]xfade=transition=fade:duration={t:.4f}:offset={slot.duration - t:.4f}[mix]"
        )
        base = "mix"
    fades = []
    if job.is_first:
        fades.append(f"fade=t=in:st=0:d={FADE_IN}")
    if job.is_last:
        fades.append(f"fade=t=out:st={max(0.0, slot.duration - FADE_OUT):.4f}:d={FADE_OUT}")
    n = len(job.outputs)
    head = f"[{base}]" + ",".join([*fades, f"split={n}"] if fades else [f"split={n}"])
    parts.append(head + "".join(f"[s{i}]" for i in range(n)))
    for i, (out, subs) in enumerate(zip(job.outputs, job.caption_files, strict=True)):
        parts.append(_reframe(f"s{i}", f"r{i}", slot.reframe, out.width, out.height))
        parts.append(f"[r{i}]subtitles=filename={subs}:fontsdir={fonts_dir}[o{i}]")
    return ";".join(parts)


def segment_argv(job: SegmentJob, tl: Timeline, enc: EncodeSettings, fonts_dir: str) -> list[str]:
    """Complete ffmpeg arguments (without the binary) for one scene segment."""
    args: list[str] = ["-i", str(job.slot.clip)]
    if job.next_clip is not None:
        args += ["-i", str(job.next_clip)]
    args += ["-filter_complex", segment_filter(job, tl, fonts_dir)]
    for i, out in enumerate(job.outputs):
        args += ["-map", f"[o{i}]", *enc.x264_args(), "-r", str(tl.fps), "-an", str(out.path)]
    return args


def segment_jobs(tl: Timeline, outputs: Sequence[OutputSpec], workdir: Path) -> list[SegmentJob]:
    """One job per slot, its segment files and caption files named inside `workdir`."""
    jobs: list[SegmentJob] = []
    for i, slot in enumerate(tl.slots):
        nxt = tl.slots[i + 1].clip if i + 1 < len(tl.slots) else None
        seg_outputs = tuple(
            OutputSpec(o.aspect, o.width, o.height, workdir / f"seg_{i:04d}_{o.tag}.mp4")
            for o in outputs
        )
        captions = tuple(f"cap_{i:04d}_{o.tag}.ass" for o in outputs)
        jobs.append(SegmentJob(slot, nxt, seg_outputs, captions, i == 0, i == len(tl.slots) - 1))
    return jobs
