"""ffmpeg argv for one scene segment: decode the clip once, cut every aspect straight from it.

Each scene is its own ffmpeg process with at most two inputs (its clip, and the head of the next
clip for the crossfade), so memory stays flat however many scenes a video has. The segments of
one aspect share encoder settings and are joined later without re-encoding.

Every aspect is reframed from the clip at its own resolution, cropping *before* scaling, so each
output pixel is scaled once from the source: no master canvas in between. That is both the
cheapest graph (benchmark R1: a 9:16 cut of a 1080p master used to be computed by upscaling the
whole frame to 3413x1920 first) and the sharpest (a portrait clip keeps its full height in 9:16).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from app.render.quality import EncodeSettings
from app.render.reframe import cover_crop, even_floor, fit_size, tracked_crop
from app.render.timeline import (
    DrawnScene,
    OutputSpec,
    Reframe,
    SceneSlot,
    SubjectTrack,
    Timeline,
)
from providers.local.filtergraph import head_of, relabel

FADE_IN = 0.4  # from black at the very start of the video
FADE_OUT = 0.8  # to black at the very end
BLUR_SCALE = 8  # the pad's blurred background is made at 1/8 size: blurred, nobody can tell
BLUR_MIN_SIDE = 64  # but never smaller: boxblur's radius must fit the cropped chroma plane


@dataclass(frozen=True)
class SegmentJob:
    """Everything needed to render one scene into every aspect."""

    slot: SceneSlot
    next_slot: SceneSlot | None  # its clip's head is crossfaded into this slot's tail
    outputs: tuple[OutputSpec, ...]  # one per aspect; `path` is this segment's file
    caption_files: tuple[str, ...]  # ASS file per output, relative to the working folder
    is_first: bool
    is_last: bool
    # The crossfade head, made once (see `share_heads`), per output (None: not shared): this
    # segment writes its own first `transition` seconds to `head_out`, reframed, before fades
    # and captions; the segment before it reads them from its `head_in` instead of drawing
    # them again.
    head_out: tuple[Path | None, ...] = ()
    head_in: tuple[Path | None, ...] = ()


@dataclass(frozen=True)
class Feed:
    """One picture source of a segment (a clip it decodes, or a scene it draws), and which of
    its outputs are cut from it."""

    path: Path | None  # None: drawn by `graph`
    size: tuple[int, int]
    outputs: tuple[int, ...]  # indices into the segment's outputs
    native: bool  # made for those outputs' aspect: used whole, never reframed
    graph: str = ""  # for a drawn scene: its graph, without inputs, ending in `[out]`


def feeds(slot: SceneSlot, outputs: Sequence[OutputSpec]) -> list[Feed]:
    """The scene's clip for every output without a picture of its own, then each of those."""
    shared = [i for i, o in enumerate(outputs) if slot.native_for(o.aspect) is None]
    found = [Feed(slot.clip, slot.clip_size, tuple(shared), False)] if shared else []
    for i, out in enumerate(outputs):
        native = slot.native_for(out.aspect)
        if isinstance(native, DrawnScene):
            found.append(Feed(None, native.size, (i,), True, native.graph))
        elif native is not None:
            found.append(Feed(native.path, native.size, (i,), True))
    return found


def _sources(
    found: Sequence[Feed],
    first_input: int,
    stem: str,
    fps: int,
    start: float,
    length: float,
    head: float = 0.0,
    split: Sequence[bool] = (),
) -> tuple[list[str], list[str], list[str]]:
    """Graph parts that bring each feed in at the timeline's rate, trimmed, as `{stem}{k}`;
    their labels; and the labels of the first `head` seconds of each feed marked in `split`
    (`{stem}h{k}`, split off before the trim). A clip is input number `first_input` on; a
    drawn scene is drawn here, without the sprites that appear only after `start + length`
    (for a crossfade head, most of the scene: its frames are the same, its memory and drawing
    are not spent)."""
    parts: list[str] = []
    index = first_input
    for k, feed in enumerate(found):
        if feed.path is None:
            prefix = f"{stem}{k}_"
            parts.append(relabel(head_of(feed.graph, start + length), prefix))
            src = f"{prefix}out"
        else:
            src = f"{index}:v"
            index += 1
        if split and split[k]:
            parts.append(f"[{src}]split=2[{stem}{k}_body][{stem}{k}_head]")
            parts.append(_trimmed(f"{stem}{k}_head", f"{stem}h{k}", fps, 0.0, head))
            src = f"{stem}{k}_body"
        parts.append(_trimmed(src, f"{stem}{k}", fps, start, length))
    heads = [f"{stem}h{k}" for k in range(len(found)) if split and split[k]]
    return parts, [f"{stem}{k}" for k in range(len(found))], heads


def _decoded(found: Sequence[Feed]) -> list[Path]:
    return [f.path for f in found if f.path is not None]


def _resize(src: tuple[int, int], dst: tuple[int, int], flags: str) -> str:
    """A scale step, or a pass-through when the size already matches."""
    return "null" if src == dst else f"scale={dst[0]}:{dst[1]}:flags={flags}"


def _crop_to(
    src: tuple[int, int],
    out: tuple[int, int],
    flags: str,
    track: SubjectTrack | None = None,
    offset: float = 0.0,
) -> str:
    """Fill `out` from `src`: crop to the output's shape (around the subject when `track` is
    given, else the centre), then scale once."""
    cw, ch = cover_crop(src, out)
    steps = []
    if (cw, ch) != src:
        steps.append(tracked_crop(track, src, out, offset) if track else f"crop={cw}:{ch}")
    if (cw, ch) != out:
        steps.append(f"scale={out[0]}:{out[1]}:flags={flags}")
    return ",".join([*steps, "setsar=1"])


def _reframe(
    src_label: str,
    feed: Feed,
    slot: SceneSlot,
    outputs: Sequence[OutputSpec],
    prefix: str,
    flags: str,
    offset: float,
) -> list[str]:
    """Split `src_label` (the decoded `feed`, starting at clip time `offset`) into one stream
    per output it feeds, reframed to that output's size, as `{prefix}{i}`.

    CROP and TRACK fill each frame. PAD fits the whole picture over a blurred copy of itself;
    the small blur source is made once and the fitted foreground once per distinct size.
    A clip made for the output's aspect is only scaled, if at all.
    """
    src = feed.size
    sizes = [(o.width, o.height) for o in outputs]
    padded = [
        i for i in feed.outputs
        if not feed.native and slot.reframe is Reframe.PAD and fit_size(src, sizes[i]) != sizes[i]
    ]  # fmt: skip
    direct = [i for i in feed.outputs if i not in padded]
    track = slot.track if slot.reframe is Reframe.TRACK and not feed.native else None
    branches = [f"[{prefix}d{i}]" for i in direct] + ([f"[{prefix}pad]"] if padded else [])
    parts = [f"[{src_label}]split={len(branches)}" + "".join(branches)]
    for i in direct:
        crop = _crop_to(src, sizes[i], flags, track, offset)
        parts.append(f"[{prefix}d{i}]{crop}[{prefix}{i}]")
    if not padded:
        return parts
    shrink = min(BLUR_SCALE, min(src) / BLUR_MIN_SIDE)
    small = (even_floor(src[0] / shrink), even_floor(src[1] / shrink))
    fits = sorted({fit_size(src, sizes[i]) for i in padded})
    users = {f: [i for i in padded if fit_size(src, sizes[i]) == f] for f in fits}
    parts.append(f"[{prefix}pad]split=2[{prefix}bsrc][{prefix}fsrc]")
    parts.append(
        f"[{prefix}bsrc]scale={small[0]}:{small[1]}:flags=fast_bilinear,split={len(padded)}"
        + "".join(f"[{prefix}s{i}]" for i in padded)
    )
    parts.append(
        f"[{prefix}fsrc]split={len(fits)}" + "".join(f"[{prefix}f{k}]" for k in range(len(fits)))
    )
    for k, f in enumerate(fits):
        parts.append(
            f"[{prefix}f{k}]{_resize(src, f, flags)},setsar=1,split={len(users[f])}"
            + "".join(f"[{prefix}fg{i}]" for i in users[f])
        )
    for i in padded:
        w, h = sizes[i]
        cw, ch = cover_crop(small, (w, h))
        parts.append(
            f"[{prefix}s{i}]crop={cw}:{ch},boxblur=6:2,eq=brightness=-0.08:saturation=1.1,"
            f"scale={w}:{h}:flags=fast_bilinear,setsar=1[{prefix}bg{i}];"
            f"[{prefix}bg{i}][{prefix}fg{i}]overlay=(W-w)/2:(H-h)/2:repeatlast=0[{prefix}{i}]"
        )
    return parts


def _trimmed(label_in: str, label_out: str, fps: int, start: float, length: float) -> str:
    """The clip at the timeline's frame rate, exactly `length` seconds from `start`.

    `tpad` holds the last frame when a clip comes back shorter than asked."""
    return (
        f"[{label_in}]fps={fps},format=yuv420p,"
        f"trim=start={start:.4f},setpts=PTS-STARTPTS,"
        f"tpad=stop_mode=clone:stop_duration={length:.4f},trim=duration={length:.4f},"
        f"setpts=PTS-STARTPTS[{label_out}]"
    )


def _crossfades(job: SegmentJob, tl: Timeline) -> bool:
    t = tl.transition
    return job.next_slot is not None and t > 0 and job.slot.duration > 2 * t


def _only(found: Sequence[Feed], keep: Sequence[bool]) -> list[Feed]:
    """`found` feeding only the outputs marked in `keep`; feeds left with none are dropped."""
    cut = [replace(f, outputs=tuple(i for i in f.outputs if keep[i])) for f in found]
    return [f for f in cut if f.outputs]


def segment_filter(job: SegmentJob, tl: Timeline, fonts_dir: str, flags: str = "bicubic") -> str:
    """The graph: trim -> split and reframe per aspect -> crossfade -> fades -> captions.

    Inputs are the slot's feeds in order, then (when it crossfades) the next slot's feeds
    for every output whose head it makes itself, then the head files of `head_in`. Outputs
    `o{i}`, and `w{i}` for each file of `head_out`."""
    slot, nxt, t = job.slot, job.next_slot, tl.transition
    n = len(job.outputs)
    parts: list[str] = []
    current = feeds(slot, job.outputs)
    writes = [p is not None for p in job.head_out] or [False] * n
    split = [any(writes[i] for i in f.outputs) for f in current]
    made, labels, head_labels = _sources(
        current, 0, "cur", tl.fps, slot.clip_offset, slot.duration, t, split
    )
    parts += made
    for label, feed in zip(labels, current, strict=True):
        parts += _reframe(label, feed, slot, job.outputs, "v", flags, slot.clip_offset)
    for label, feed in zip(head_labels, _only(current, writes), strict=True):
        # The very filters the segment before would run on these frames to crossfade them in.
        parts += _reframe(label, feed, slot, job.outputs, "w", flags, 0.0)
    tails = [f"v{i}" for i in range(n)]
    if nxt is not None and _crossfades(job, tl):
        reads = [p is not None for p in job.head_in] or [False] * n
        here = _only(feeds(nxt, job.outputs), [not r for r in reads])
        first = len(_decoded(current))
        heads = _head_made_here(here, nxt, job, tl, first, flags, parts)
        files = iter(range(first + len(_decoded(here)), first + len(_decoded(here)) + n))
        heads = [f"{next(files)}:v" if reads[i] else heads[i] for i in range(n)]
        # It fades in as an alpha overlay on the tail: `xfade` would convert every frame of
        # the segment to 4:4:4 and back (measured: ~40% of this graph's cost).
        offset = slot.duration - t
        for i in range(n):
            parts.append(
                f"[{heads[i]}]format=yuva420p,fade=t=in:st=0:d={t:.4f}:alpha=1,"
                f"setpts=PTS+{offset:.4f}/TB[ha{i}];"
                f"[v{i}][ha{i}]overlay=0:0:eof_action=pass:format=yuv420[x{i}]"
            )
        tails = [f"x{i}" for i in range(n)]
    fades = []
    if job.is_first:
        fades.append(f"fade=t=in:st=0:d={FADE_IN}")
    if job.is_last:
        fades.append(f"fade=t=out:st={max(0.0, slot.duration - FADE_OUT):.4f}:d={FADE_OUT}")
    for i, subs in enumerate(job.caption_files):
        steps = [*fades, f"subtitles=filename={subs}:fontsdir={fonts_dir}"]
        parts.append(f"[{tails[i]}]{','.join(steps)}[o{i}]")
    return ";".join(parts)


def _head_made_here(
    here: Sequence[Feed],
    nxt: SceneSlot,
    job: SegmentJob,
    tl: Timeline,
    first_input: int,
    flags: str,
    parts: list[str],
) -> list[str]:
    """Make the next scene's first `transition` seconds from `here` in this graph (appended to
    `parts`), reframed the way the next segment frames it, so the crossfade lands exactly on
    the picture the cut then continues with; return the label per output (`h{i}`)."""
    made, labels, _ = _sources(here, first_input, "nxt", tl.fps, 0.0, tl.transition)
    parts += made
    for label, feed in zip(labels, here, strict=True):
        parts += _reframe(label, feed, nxt, job.outputs, "h", flags, 0.0)
    return [f"h{i}" for i in range(len(job.outputs))]


def segment_argv(job: SegmentJob, tl: Timeline, enc: EncodeSettings, fonts_dir: str) -> list[str]:
    """Complete ffmpeg arguments (without the binary) for one scene segment."""
    # Each input is read only as far as the graph uses it (a frame of margin for rounding).
    # ffmpeg already runs each decoder, the graph and each encoder in a thread of its own;
    # threads inside the decoder and the graph only add buffers (measured: -30 MB, -2% CPU).
    slot, frame = job.slot, 1.0 / tl.fps
    one = ["-threads", "1"]
    args = ["-filter_complex_threads", "1"]
    until = f"{slot.clip_offset + slot.duration + frame:.4f}"
    for path in _decoded(feeds(slot, job.outputs)):
        args += [*one, "-t", until, "-i", str(path)]
    if job.next_slot is not None and _crossfades(job, tl):
        reads = [p is not None for p in job.head_in] or [False] * len(job.outputs)
        for path in _decoded(_only(feeds(job.next_slot, job.outputs), [not r for r in reads])):
            args += [*one, "-t", f"{tl.transition + frame:.4f}", "-i", str(path)]
        args += [a for head in job.head_in if head is not None for a in [*one, "-i", str(head)]]
    args += ["-filter_complex", segment_filter(job, tl, fonts_dir, enc.scaler)]
    for i, out in enumerate(job.outputs):
        args += ["-map", f"[o{i}]", *enc.x264_args(), "-r", str(tl.fps), "-an", str(out.path)]
    for i, head in enumerate(job.head_out):
        if head is not None:  # raw frames: a dozen, read back once, bit for bit, no encoder
            args += ["-map", f"[w{i}]", "-c:v", "rawvideo", "-fps_mode", "passthrough", "-an",
                     "-f", "nut", str(head)]  # fmt: skip
    return args


def segment_jobs(tl: Timeline, outputs: Sequence[OutputSpec], workdir: Path) -> list[SegmentJob]:
    """One job per slot, its segment files and caption files named inside `workdir`."""
    jobs: list[SegmentJob] = []
    for i, slot in enumerate(tl.slots):
        nxt = tl.slots[i + 1] if i + 1 < len(tl.slots) else None
        seg_outputs = tuple(
            OutputSpec(o.aspect, o.width, o.height, workdir / f"seg_{i:04d}_{o.tag}.mp4")
            for o in outputs
        )
        captions = tuple(f"cap_{i:04d}_{o.tag}.ass" for o in outputs)
        jobs.append(SegmentJob(slot, nxt, seg_outputs, captions, i == 0, i == len(tl.slots) - 1))
    return jobs


def share_heads(jobs: Sequence[SegmentJob], tl: Timeline, lanes: int) -> list[list[SegmentJob]]:
    """`jobs` with the crossfade head made once between drawn scenes, in `lanes` runs of
    consecutive scenes to be rendered one after another in the order given (each run's last
    scene first).

    When two scenes in a row are both drawn for an output, the second one's segment writes its
    first `transition` seconds of that output and the first one's segment reads them, instead
    of building a second copy of the whole drawn graph for them (its still backdrop and frame
    pools: 40-100 MB per aspect at 1080p; the drawing CPU). Writing costs the writer memory
    too: its first frames wait in ffmpeg's graph until the frames its encoders start with are
    drawn (about 12 frames per aspect, 60-80 MB at 1080p), and the reader's raw input is
    queued ahead. Only a segment that draws its own scene is heavy enough for the saving to
    outweigh that (measured: docs/performance.md), so a clip's segment makes a drawn head
    itself as before. The first scene of each run is the boundary: the segment before it makes
    its head itself, so runs never wait for each other."""
    lanes = max(1, min(lanes, len(jobs)))
    bounds = [round(k * len(jobs) / lanes) for k in range(lanes + 1)]
    shared = list(jobs)
    for k in range(lanes):
        for i in range(bounds[k], bounds[k + 1] - 1):
            job, nxt = shared[i], shared[i + 1]
            both = [
                isinstance(job.slot.native_for(o.aspect), DrawnScene)
                and isinstance(nxt.slot.native_for(o.aspect), DrawnScene)
                for o in nxt.outputs
            ]
            if not _crossfades(job, tl) or not any(both):
                continue
            files = tuple(
                o.path.with_suffix(".head.nut") if b else None
                for o, b in zip(nxt.outputs, both, strict=True)
            )
            shared[i] = replace(job, head_in=files)
            shared[i + 1] = replace(nxt, head_out=files)
    return [shared[bounds[k] : bounds[k + 1]][::-1] for k in range(lanes)]
