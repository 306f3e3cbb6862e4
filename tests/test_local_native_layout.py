"""The offline renderer lays every look out for each aspect's own frame.

Measured on decoded frames: a 9:16 title fills the narrow width. Every look is also rendered in
every aspect and its last frame saved under `test-artefacts/looks/` for people to look at.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from providers.local import LocalProvider
from providers.local.graphs import build_argv
from providers.local.spec import load_fonts, spec_of
from providers.media import run_ffmpeg
from providers.types import Aspect, ClipRequest, SceneKind

ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artefacts" / "looks"
WORDS = {
    SceneKind.TEXT: "Do the simple things well, every single day",
    SceneKind.DATA: "Sales by region: North 42%, South 28%, East 18%, West 12%",
    SceneKind.STYLIZED: "Coffee, reimagined",
    SceneKind.LANDSCAPE: "Morning over the harbour",
    SceneKind.ACTION: "Race to the summit",
    SceneKind.PRODUCT: "The new grinder",
    SceneKind.PEOPLE: "The team behind every batch",
}
ASPECTS = (Aspect.LANDSCAPE, Aspect.PORTRAIT, Aspect.SQUARE)


def request(kind: SceneKind, aspect: Aspect, short: int, image: Path | None = None) -> ClipRequest:
    w, h = aspect.frame_size(short)
    text = WORDS[kind]
    return ClipRequest(
        prompt=text, duration=2.5, aspect=aspect, width=w, height=h, kind=kind,
        on_screen_text=text, seed=3, reference_image=image,
    )  # fmt: skip


async def last_frame_gray(video: Path, size: tuple[int, int]) -> np.ndarray:
    raw = video.with_suffix(".gray")
    await run_ffmpeg(
        ["-sseof", "-0.05", "-i", str(video), "-frames:v", "1", "-f", "rawvideo",
         "-pix_fmt", "gray", str(raw)]
    )  # fmt: skip
    return np.fromfile(raw, dtype=np.uint8).reshape(size[1], size[0]).astype(np.int16)


async def text_width_share(kind: SceneKind, aspect: Aspect, work: Path) -> float:
    """The width of what the words add to the frame, against the frame's width: the same
    scene drawn with and without its words, differenced on the decoded last frame."""
    spec = spec_of(request(kind, aspect, 540), load_fonts())
    frames = []
    for name, text in (("with", spec.text), ("without", "")):
        out = work / f"{kind.value}-{name}.mp4"
        await run_ffmpeg(build_argv(dataclasses.replace(spec, text=text), out))
        frames.append(await last_frame_gray(out, (spec.frame.width, spec.frame.height)))
    changed = np.abs(frames[0] - frames[1]) > 40
    cols = np.flatnonzero(changed.sum(axis=0) > 2)
    return float(cols[-1] - cols[0] + 1) / spec.frame.width if cols.size else 0.0


@pytest.mark.parametrize("kind", [SceneKind.TEXT, SceneKind.STYLIZED, SceneKind.ACTION])
async def test_a_tall_title_fills_the_narrow_width(kind: SceneKind, tmp_path: Path) -> None:
    share = await text_width_share(kind, Aspect.PORTRAIT, tmp_path)
    assert share >= 0.70, f"{kind.value}: text spans {share:.0%} of the 9:16 width"


async def test_every_look_in_every_aspect_is_drawn_for_its_frame(tmp_path: Path) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    image = tmp_path / "photo.png"
    await run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=640x360:d=1", "-frames:v", "1", str(image)])
    looks = [(k.value, k, None) for k in WORDS] + [("kenburns", SceneKind.LANDSCAPE, image)]
    provider = LocalProvider()
    for name, kind, picture in looks:
        for aspect in ASPECTS:
            tag = aspect.value.replace(":", "x")
            clip = await provider.generate(
                request(kind, aspect, 270, picture), "local-motion-1", tmp_path / f"{name}.mp4"
            )
            assert (clip.width, clip.height) == aspect.frame_size(270)
            shot = ARTEFACTS / f"{name}-{tag}.png"
            await run_ffmpeg(["-sseof", "-0.05", "-i", str(clip.path), "-frames:v", "1", str(shot)])
            assert shot.stat().st_size > 0


def test_ken_burns_pans_across_the_picture_in_tall_and_square_frames(tmp_path: Path) -> None:
    from providers.local.graphs import filter_graph

    image = tmp_path / "photo.png"
    image.write_bytes(b"not read: the graph is only built")
    graphs = {
        a: filter_graph(spec_of(request(SceneKind.LANDSCAPE, a, 540, image), load_fonts()))
        for a in ASPECTS
    }
    # wide: the camera zooms (a per-frame rescale of a frame-sized still)
    assert "scale=w=2*trunc" in graphs[Aspect.LANDSCAPE]
    for aspect in (Aspect.PORTRAIT, Aspect.SQUARE):
        w, h = aspect.frame_size(540)
        # tall and square: the whole covered picture is kept and only a window travels over it
        assert "scale=w=2*trunc" not in graphs[aspect]
        assert f"crop=w={w}:h={h}:x=(iw-{w})" in graphs[aspect]
        assert "force_original_aspect_ratio=increase" in graphs[aspect]
