"""Filter-graph text: escaping is checked as text and against ffmpeg itself."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from providers.local.filtergraph import (
    Graph,
    escape_value,
    even,
    filter_,
    hold_still,
    num,
    relabel,
)
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


def _two_words() -> str:
    """A backdrop with one word that appears at 0.2 s and one at 0.6 s."""
    graph = Graph([filter_("color", {"c": "navy", "s": "96x64", "d": 1})])
    for start, colour in ((0.2, "red"), (0.6, "yellow")):
        word = graph.source([filter_("color", {"c": colour, "s": "16x8", "d": 1})])
        graph.overlay(word, "8", "8", enable=f"gte(t,{num(start)})", streamed=True)
    return graph.text("out")


def test_head_of_leaves_out_the_sprites_that_appear_after_it() -> None:
    from providers.local.filtergraph import chains_of, head_of

    text = _two_words()
    head = head_of(text, 0.4)
    assert "c=red" in head and "c=yellow" not in head
    assert "[m3]null[m5]" in head  # the late word's overlay passes its main frame on
    assert len(chains_of(head)) == len(chains_of(text)) - 1
    assert head_of(text, 0.6) == head  # from its very start on, it is not shown
    assert head_of(text, 0.61) == text  # one frame of it shows: kept
    assert chains_of("a\\;b;c") == ["a\\;b", "c"]


def _frames(graph: str, seconds: float) -> str:
    trimmed = relabel(graph, "g_") + f";[g_out]trim=duration={seconds}[v]"
    cmd = [ffmpeg_exe(), "-v", "error", "-filter_complex", trimmed, "-map", "[v]"]
    return subprocess.run(
        [*cmd, "-f", "framemd5", "-"], capture_output=True, check=True, text=True
    ).stdout


def test_a_built_in_scenes_head_draws_the_same_frames_from_less() -> None:
    """A title scene's first 0.4 s, drawn from its cut-down graph, is the very same frames."""
    from providers.local.filtergraph import head_of
    from providers.local.recipe import recipe_of
    from providers.types import Aspect, ClipRequest, SceneKind

    request = ClipRequest(
        prompt="A quiet grinder built to last for a decade of mornings.", duration=3.0,
        aspect=Aspect.PORTRAIT, width=180, height=320, kind=SceneKind.TEXT,
        on_screen_text="A quiet grinder built to last", fps=30,
    )  # fmt: skip
    graph = recipe_of(request).graph
    head = head_of(graph, 0.4)
    assert len(head) < len(graph) / 2  # most words come later
    frames = _frames(head, 0.4)
    assert frames == _frames(graph, 0.4)
    assert frames.count("\n0,") == 12
