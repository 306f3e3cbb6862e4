"""From a scene spec to the ffmpeg argv: the one pure entry point the provider runs.

Nothing here touches the disk or starts a process, so every graph can be checked as text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from providers.local.filtergraph import Graph
from providers.local.kenburns import ken_burns
from providers.local.looks_scenic import action, landscape, portrait, product
from providers.local.looks_typographic import data_scene, quote_card, stylized
from providers.local.spec import Encoding, SceneSpec
from providers.types import SceneKind

LOOKS: dict[SceneKind, Callable[[SceneSpec], Graph]] = {
    SceneKind.TEXT: quote_card,
    SceneKind.STYLIZED: stylized,
    SceneKind.DATA: data_scene,
    SceneKind.LANDSCAPE: landscape,
    SceneKind.ACTION: action,
    SceneKind.PRODUCT: product,
    SceneKind.TALKING_HEAD: portrait,
    SceneKind.PEOPLE: portrait,
}


def filter_graph(spec: SceneSpec) -> str:
    """The whole `-filter_complex` description for `spec`; its output label is `out`."""
    graph = ken_burns(spec) if spec.image is not None else LOOKS[spec.kind](spec)
    return graph.text("out")


def build_argv(spec: SceneSpec, output: Path, encoding: Encoding | None = None) -> list[str]:
    """ffmpeg arguments (without the executable) that render `spec` to the MP4 `output`."""
    encoding = encoding or Encoding()
    inputs = ["-i", f"file:{spec.image}"] if spec.image is not None else []
    frame = spec.frame
    return [
        *inputs,
        "-filter_complex",
        filter_graph(spec),
        "-map",
        "[out]",
        "-frames:v",
        str(frame.frames),
        "-r",
        str(frame.fps),
        "-an",
        "-sn",
        "-dn",
        "-c:v",
        "libx264",
        "-preset",
        encoding.preset,
        "-crf",
        str(encoding.crf),
        *(["-x264-params", encoding.x264_params] if encoding.x264_params else []),
        *(["-threads", str(encoding.threads)] if encoding.threads else []),
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        "-map_metadata",
        "-1",
        "-f",
        "mp4",
        f"file:{output}",
    ]
