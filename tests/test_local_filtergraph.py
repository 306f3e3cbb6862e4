"""Filter-graph text: escaping is checked as text and against ffmpeg itself."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from providers.local.filtergraph import Graph, escape_value, even, filter_, hold_still, num
from providers.local.fonts import Weight, font_path
from providers.media import ffmpeg_exe


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("plain", "plain"),
        ("a:b", r"a\\:b"),
        ("it's", r"it\\\'s"),
        ("back\\slash", r"back\\\\slash"),
        ("[x], y; z", r"\[x\]\, y\; z"),
        ("min(t,1)", r"min(t\,1)"),
        ("50%", "50%"),
        (" pad ", r"\\ pad\\\ "),
    ],
)
def test_escape_value(value: str, escaped: str) -> None:
    assert escape_value(value) == escaped


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (2.0, "2"), (0.5, "0.5"), (1 / 3, "0.3333"), (-0.00001, "0"), (1920, "1920")],
)
def test_num(value: float, text: str) -> None:
    assert num(value) == text


def test_even() -> None:
    assert [even(v) for v in (0, 1, 2.9, 3.1, 1079.0)] == [2, 2, 2, 4, 1080]


def test_filter_escapes_every_value() -> None:
    assert filter_("crop", {"w": 100, "x": "min(t,1)"}) == r"crop=w=100:x=min(t\,1)"
    assert filter_("null") == "null"


def test_graph_chains_sprites_into_the_main_chain() -> None:
    graph = Graph(["color=c=black:s=64x64"])
    sprite = graph.source(["color=c=red:s=8x8"])
    graph.overlay(sprite, "t*10", "5", streamed=True)
    graph.apply(["format=yuv420p"])
    assert graph.text() == (
        "color=c=black:s=64x64[s1];color=c=red:s=8x8[s2];"
        "[s1][s2]overlay=x=t*10:y=5:eval=frame:repeatlast=0[m3];"
        "[m3]format=yuv420p[m4];[m4]null[out]"
    )


def test_hold_still_resets_time_base_rate_and_timestamps() -> None:
    assert hold_still(150, 30) == [
        "loop=loop=150:size=1:start=0",
        "settb=expr=1/30",
        "setpts=expr=N",
        "fps=fps=30",
    ]


HOSTILE = [
    "it's 50% off: \\ back\\slash [x], y; z",
    "%{eif:1+1:d} %{pts} %%",
    " lead & trail ",
    "'''",
    "\\",
    "a\\'b:c\\:d",
    "é ü “quote” — dash",
]


def _render_gray(drawtext_options: dict[str, str | int]) -> bytes:
    options: dict[str, str | int] = {
        "fontfile": str(font_path(Weight.BOLD)),
        "fontsize": 28,
        "fontcolor": "white",
        "x": 4,
        "y": 30,
        "expansion": "none",
        **drawtext_options,
    }
    graph = "color=black:s=640x48:d=0.04," + filter_("drawtext", options)
    cmd = [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", graph, "-frames:v", "1"]
    result = subprocess.run(
        [*cmd, "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True
    )
    return result.stdout


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_reaches_drawtext_byte_for_byte(text: str, tmp_path: Path) -> None:
    """Drawing the escaped `text=` must give the very pixels of reading it from a file."""
    source = tmp_path / "line.txt"
    source.write_text(text, encoding="utf-8")
    inline = _render_gray({"text": text})
    from_file = _render_gray({"textfile": str(source)})
    assert hashlib.sha256(inline).digest() == hashlib.sha256(from_file).digest()
    assert inline.strip(b"\x00")  # something was drawn


def test_relabel_prefixes_links_but_not_escaped_brackets_in_values() -> None:
    from providers.local.filtergraph import Graph, filter_, relabel

    graph = Graph([filter_("color", {"c": "black", "s": "64x64", "d": 1})])
    graph.apply([filter_("drawtext", {"text": "[s1] x\\[out]", "fontsize": 9})])
    text = graph.text("out")
    moved = relabel(text, "p_")
    assert "[p_out]" in moved and "[out]" not in moved.replace("\\[out\\]", "")
    # the words inside the drawtext value are untouched
    assert moved.count("\\[s1\\]") == text.count("\\[s1\\]") == 1
    assert moved.count("[p_") == text.count("[") - text.count("\\[")
