"""The crossfade head is made once: a segment writes its own first 0.4 s for the segment before
it, which fades those frames in instead of decoding or drawing the next scene again.

Proved on real renders: every segment's decoded frames (`framemd5`) are the same whether every
head is shared (one lane), some are (two lanes: the lanes' boundary makes its head itself), or
none is (a lane per segment, the way heads were made before). The timeline mixes the cases a
head can come from: scenes drawn in the graph for 9:16 and 1:1 (built-in, after one another),
a padded portrait clip at another frame rate and a clip cropped around a moving subject.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.render.compose import render_segments
from app.render.quality import SETTINGS, Quality
from app.render.segments import segment_argv, segment_jobs, share_heads
from app.render.timeline import (
    AspectClip,
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
from providers.media import ffmpeg_exe
from providers.types import Aspect, ClipRequest, SceneKind

pytestmark = pytest.mark.slow

SHORT = 180  # 320x180, 180x320, 180x180: small, so four segments three times stay quick
ASPECTS = (Aspect.LANDSCAPE, Aspect.PORTRAIT, Aspect.SQUARE)
SCENES = (
    (SceneKind.TEXT, "Do the simple things well"),
    (SceneKind.DATA, "Sales grew 42% to 1.7 million"),
    (SceneKind.PEOPLE, ""),
    (SceneKind.LANDSCAPE, "Morning over the harbour"),
)


def _request(k: int, aspect: Aspect, size: tuple[int, int], fps: int = 30) -> ClipRequest:
    kind, text = SCENES[k]
    return ClipRequest(
        prompt=f"scene {k}", duration=2.5, aspect=aspect, width=size[0], height=size[1],
        kind=kind, on_screen_text=text, seed=k, fps=fps,
    )  # fmt: skip


async def _timeline(folder: Path) -> Timeline:
    clips: list[Path] = []
    sizes: list[tuple[int, int]] = []
    reframes: list[Reframe] = []
    natives: list[tuple[AspectClip | DrawnScene, ...]] = []
    for k in range(2):  # built-in: a 16:9 clip, 9:16 and 1:1 drawn in the graph
        size = Aspect.LANDSCAPE.frame_size(SHORT)
        clip = folder / f"local_{k}.mp4"
        await LocalProvider().generate(_request(k, Aspect.LANDSCAPE, size), "local-motion-1", clip)
        drawn: list[AspectClip | DrawnScene] = []
        for aspect in ASPECTS[1:]:
            recipe = recipe_of(_request(k, aspect, aspect.frame_size(SHORT)))
            drawn.append(
                DrawnScene(aspect, recipe.graph, (recipe.width, recipe.height), 30, recipe.sha256)
            )
        clips.append(clip)
        sizes.append(size)
        reframes.append(Reframe.PAD)
        natives.append(tuple(drawn))
    portrait, wide = (216, 384), (400, 224)  # vendor-like clips: another size and frame rate
    for k, size, fps in ((2, portrait, 25), (3, wide, 30)):
        aspect = Aspect.PORTRAIT if size[1] > size[0] else Aspect.LANDSCAPE
        clip = folder / f"vendor_{k}.mp4"
        await LocalProvider().generate(_request(k, aspect, size, fps), "local-motion-1", clip)
        clips.append(clip)
        sizes.append(size)
        natives.append(())
    reframes += [Reframe.PAD, Reframe.TRACK]
    moving = SubjectTrack(
        times=(0.0, 1.0, 2.0), cx=(0.25, 0.5, 0.75), cy=(0.5, 0.5, 0.5),
        half_w=(0.1, 0.1, 0.1), half_h=(0.2, 0.2, 0.2),
    )  # fmt: skip
    captions: list[tuple[Caption, ...]] = [(Caption(0.1, 1.2, f"caption {k}"),) for k in range(4)]
    return build_timeline(
        [1.5] * 4, clips, sizes, reframes, captions, fps=30, transition=0.4,
        label=VisibleLabel("AI-generated", "top_right"), natives=natives,
        tracks=[None, None, None, moving],
    )  # fmt: skip


def _framemd5(video: Path) -> list[str]:
    """Each decoded frame's md5 (the lines after the header comments)."""
    out = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(video), "-f", "framemd5", "-"],
        capture_output=True, check=True, text=True,
    ).stdout  # fmt: skip
    return [line.split(",")[-1].strip() for line in out.splitlines() if not line.startswith("#")]


async def test_every_segment_has_the_same_frames_with_heads_made_once(tmp_path: Path) -> None:
    tl = await _timeline(tmp_path)
    enc = SETTINGS[Quality.DRAFT].for_encoders(3)
    frames: dict[int, list[list[str]]] = {}
    for lanes in (1, 2, 4):  # every head shared; one lane boundary; none shared (as before)
        work = tmp_path / f"lanes{lanes}"
        work.mkdir()
        outs = [OutputSpec(a, *a.frame_size(SHORT), work / f"v-{a.name}.mp4") for a in ASPECTS]
        jobs = await render_segments(tl, outs, work, enc, concurrency=lanes)
        frames[lanes] = [_framemd5(o.path) for j in jobs for o in j.outputs]
        assert not list(work.glob("*.head.nut"))  # each head file is removed once read
    assert all(len(f) == 45 for f in frames[1])  # 1.5 s at 30 fps, every segment and aspect
    assert frames[1] == frames[4]
    assert frames[2] == frames[4]


async def test_a_segment_reads_the_head_the_next_one_wrote(tmp_path: Path) -> None:
    tl = await _timeline(tmp_path)
    outs = [OutputSpec(a, *a.frame_size(SHORT), tmp_path / f"v-{a.name}.mp4") for a in ASPECTS]
    (run,) = share_heads(segment_jobs(tl, outs, tmp_path), tl, 1)
    assert [j.slot.index for j in run] == [3, 2, 1, 0]  # the last scene first
    enc = SETTINGS[Quality.DRAFT]
    first = next(j for j in run if j.slot.index == 0)
    argv = segment_argv(first, tl, enc, "fonts")
    inputs = [argv[k + 1] for k, a in enumerate(argv) if a == "-i"]
    # Its own clip, scene 1's clip for the 16:9 head, and the 9:16 and 1:1 heads scene 1
    # wrote: scene 1's recipe is not drawn here.
    assert first.head_in[0] is None and None not in first.head_in[1:]
    assert inputs == [str(tl.slots[0].clip), str(tl.slots[1].clip), *map(str, first.head_in[1:])]
    assert "nxt0" in argv[argv.index("-filter_complex") + 1]
    assert "nxt1" not in argv[argv.index("-filter_complex") + 1]
    writer = segment_argv(next(j for j in run if j.slot.index == 1), tl, enc, "fonts")
    for i, path in enumerate(first.head_in):  # raw frames of each drawn aspect, no captions
        if path is not None:
            k = writer.index(str(path))
            assert writer[k - 9 : k] == [
                "-map", f"[w{i}]", "-c:v", "rawvideo", "-fps_mode", "passthrough", "-an",
                "-f", "nut",
            ]  # fmt: skip
    # Clips' heads are not shared: scene 2 (a clip) writes none, scene 1 reads none from it.
    assert all(h is None for j in run if j.slot.index == 2 for h in j.head_out)
    assert all(h is None for j in run if j.slot.index == 1 for h in j.head_in)
