"""`verify`: the visible label is on screen exactly where the manifest says, seen in the pixels.

    manifest.label_ranges   the recorded ranges are the ones the scope and the scenes' makers
                            give (`app.provenance.label_scope`)
    output[A].label         at every scene's midpoint, the label is seen in the decoded frame
                            when that time is inside a recorded range, and not seen otherwise

How the label is seen: the label is drawn once, alone, on a black and on a white frame of the
output's size (the same ASS document and font the composer uses). Its glyphs are the pixels
lit on black; its box is the pixels the translucent box darkens on white. In a frame that
shows the label, glyph pixels are far brighter than the rest of the box; in one that does not,
both sample the same picture and differ little.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from app.provenance.checks import Check, fail, ok, skip
from app.provenance.label_scope import label_ranges, labelled_scenes
from app.provenance.manifest_model import Manifest, OutputRecord
from app.render.captions import ass_document
from app.render.timeline import VisibleLabel
from providers.media import run_ffmpeg
from providers.types import Aspect

CONTRAST = 60.0  # grey levels: glyphs over box at or above this means the label is shown
FONTS = ("Manrope-Bold.ttf", "Manrope-ExtraBold.ttf")

Gray = npt.NDArray[np.float64]


def _sync(coro: Any) -> Any:
    """Run a coroutine to its end from sync code, whether or not an event loop is running."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _fonts(folder: Path) -> None:
    src = resources.files("font_manrope").joinpath("files")
    for name in FONTS:
        with resources.as_file(src.joinpath(name)) as path:
            shutil.copyfile(path, folder / name)


async def _gray(args: list[str], dest: Path, width: int, height: int, cwd: Path) -> Gray:
    await run_ffmpeg([*args, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray",
                      str(dest)], cwd=cwd)  # fmt: skip
    data = np.fromfile(dest, dtype=np.uint8)
    if data.size != width * height:
        raise ValueError(f"decoded {data.size} pixels, expected {width}x{height}")
    return data.reshape(height, width).astype(np.float64)


async def label_masks(
    label: VisibleLabel, aspect: Aspect, width: int, height: int
) -> tuple[Any, Any]:
    """(glyph mask, box-without-glyphs mask) of the label on a frame of this size."""
    with tempfile.TemporaryDirectory(prefix="reelroute-label-") as tmp:
        work = Path(tmp)
        _fonts(work)
        (work / "label.ass").write_text(
            ass_document((), aspect, width, height, label, 1.0), encoding="utf-8"
        )
        drawn = []
        for colour in ("black", "white"):
            src = ["-v", "error", "-f", "lavfi", "-i", f"color=c={colour}:s={width}x{height}:d=1",
                   "-vf", "subtitles=filename=label.ass:fontsdir=."]  # fmt: skip
            drawn.append(await _gray(src, work / f"{colour}.gray", width, height, work))
    on_black, on_white = drawn
    glyphs = on_black > 128
    box = (on_white < 200) & ~glyphs
    return glyphs, box


async def decode_frame(video: Path, at: float, width: int, height: int) -> Gray:
    with tempfile.TemporaryDirectory(prefix="reelroute-frame-") as tmp:
        args = ["-v", "error", "-ss", f"{at:.3f}", "-i", str(video.resolve())]
        return await _gray(args, Path(tmp) / "frame.gray", width, height, Path(tmp))


def label_contrast(frame: Gray, glyphs: Any, box: Any) -> float:
    """Mean grey of the glyph pixels minus that of the rest of the label's box."""
    return float(frame[glyphs].mean() - frame[box].mean())


def _recorded(manifest: Manifest) -> list[tuple[float, float]]:
    ranges = manifest.disclosure.label_ranges or []
    return [(float(r.start), float(r.end)) for r in ranges]


def check_label_ranges(manifest: Manifest) -> Check:
    name = "manifest.label_ranges"
    scope = manifest.disclosure.label_scope
    if scope is None:
        return skip(name, "no visible label, or the manifest predates label scopes")
    shown = labelled_scenes([s.clip.provider for s in manifest.scenes], scope)
    spans = [(float(s.timeline.start), float(s.timeline.end)) for s in manifest.scenes]
    want = label_ranges(spans, shown)
    if _recorded(manifest) != want:
        return fail(name, f"recorded label ranges {_recorded(manifest)} != {want} ({scope})")
    return ok(name, f"{scope}: {len(want)} range(s) over {len(shown)} scene(s)")


def _inside(t: float, ranges: list[tuple[float, float]]) -> bool:
    return any(a <= t < b for a, b in ranges)


async def _coverage(video: Path, entry: OutputRecord, manifest: Manifest) -> list[str]:
    label = manifest.disclosure.visible_label
    assert label is not None
    glyphs, box = await label_masks(
        VisibleLabel(label.text, label.position), Aspect(entry.aspect), entry.width, entry.height
    )
    wrong = []
    for s in manifest.scenes:
        mid = (float(s.timeline.start) + float(s.timeline.end)) / 2
        seen = label_contrast(
            await decode_frame(video, mid, entry.width, entry.height), glyphs, box
        )
        want = _inside(mid, _recorded(manifest))
        if (seen >= CONTRAST) != want:
            wrong.append(f"scene {s.number} at {mid:.1f} s: label {'missing' if want else 'shown'}"
                         f" (contrast {seen:.0f})")  # fmt: skip
    return wrong


def check_label_coverage(
    prefix: str, video: Path, entry: OutputRecord, manifest: Manifest
) -> Check:
    name = f"{prefix}.label"
    if manifest.disclosure.label_scope is None or manifest.disclosure.visible_label is None:
        return skip(name, "no visible label, or the manifest predates label scopes")
    try:
        wrong = _sync(_coverage(video, entry, manifest))
    except (OSError, ValueError) as exc:
        return fail(name, f"could not decode frames to look for the label: {exc}")
    if wrong:
        return fail(name, "; ".join(wrong))
    return ok(name, f"seen at the midpoint of every labelled scene, absent elsewhere "
              f"({len(manifest.scenes)} scenes)")  # fmt: skip
