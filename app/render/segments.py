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


def _even(n: float) -> int:
    return max(2, int(n) - int(n) % 2)


def _fit(src: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """Largest even size with the source's shape that fits inside `box`."""
    scale = min(box[0] / src[0], box[1] / src[1])
    return _even(src[0] * scale), _even(src[1] * scale)


def _cover_crop(src: tuple[int, int], shape: tuple[int, int]) -> tuple[int, int]:
    """Largest even centre crop of `src` with the aspect of `shape`."""
    if shape[0] / shape[1] < src[0] / src[1]:
        return _even(src[1] * shape[0] / shape[1]), src[1]
    return src[0], _even(src[0] * shape[1] / shape[0])


def _reframe_crop(label: str, out_label: str, width: int, height: int) -> str:
    return (
        f"[{label}]scale={width}:{height}:force_original_aspect_ratio=increase,"
        f"crop={width}:{height},setsar=1[{out_label}]"
    )


def _reframe_pad(
    base: str, outputs: Sequence[tuple[int, int, str]], master: tuple[int, int]
) -> list[str]:
    """Fit the master over a blurred copy of itself, for every (width, height, label).

    The blurred source is made once at an eighth of the master's size and the fitted
    foreground once per distinct size, then shared by every aspect that needs it.
    """
    small = (_even(master[0] / 8), _even(master[1] / 8))
    fg_sizes = sorted({_fit(master, (w, h)) for w, h, _ in outputs})
    parts = [f"[{base}]split=2[pad_src][pad_fgsrc]"]
    parts.append(
        f"[pad_src]scale={small[0]}:{small[1]}:flags=fast_bilinear,"
        f"split={len(outputs)}" + "".join(f"[pad_s{i}]" for i in range(len(outputs)))
    )
    users = {size: [i for i, (w, h, _) in enumerate(outputs) if _fit(master, (w, h)) == size]
             for size in fg_sizes}  # fmt: skip
    parts.append(
        f"[pad_fgsrc]split={len(fg_sizes)}" + "".join(f"[pad_f{k}]" for k in range(len(fg_sizes)))
    )
    for k, size in enumerate(fg_sizes):
        scaled = "null" if size == master else f"scale={size[0]}:{size[1]}:flags=bicubic"
        parts.append(
            f"[pad_f{k}]{scaled},setsar=1,split={len(users[size])}"
            + "".join(f"[pad_fg{i}]" for i in users[size])
        )
    for i, (w, h, out_label) in enumerate(outputs):
        cw, ch = _cover_crop(small, (w, h))
        parts.append(
            f"[pad_s{i}]crop={cw}:{ch},boxblur=6:2,eq=brightness=-0.08:saturation=1.1,"
            # A blurred background: a cheap bilinear upscale is indistinguishable.
            f"scale={w}:{h}:flags=fast_bilinear,setsar=1[pad_bg{i}];"
            f"[pad_bg{i}][pad_fg{i}]overlay=(W-w)/2:(H-h)/2:repeatlast=0[{out_label}]"
        )
    return parts


def _reframe_all(base: str, job: SegmentJob, tl: Timeline) -> list[str]:
    """Split the scene into one stream per output, each reframed to its size as `r{i}`."""
    master = (tl.master_width, tl.master_height)
    direct = [i for i, o in enumerate(job.outputs) if (o.width, o.height) == master]
    if job.slot.reframe is Reframe.CROP:
        direct = list(range(len(job.outputs)))
    padded = [i for i in range(len(job.outputs)) if i not in direct]
    branches = [f"[b{i}]" for i in direct] + (["[pad]"] if padded else [])
    parts = [f"[{base}]split={len(branches)}" + "".join(branches)]
    for i in direct:
        out = job.outputs[i]
        if (out.width, out.height) == master:
            parts.append(f"[b{i}]null[r{i}]")
        else:
            parts.append(_reframe_crop(f"b{i}", f"r{i}", out.width, out.height))
    if padded:
        specs = [(job.outputs[i].width, job.outputs[i].height, f"r{i}") for i in padded]
        parts += _reframe_pad("pad", specs, master)
    return parts


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
    if fades:
        parts.append(f"[{base}]{','.join(fades)}[faded]")
        base = "faded"
    parts += _reframe_all(base, job, tl)
    for i, subs in enumerate(job.caption_files):
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
