"""Writing ffmpeg filter-graph text: quoting option values and joining filters into chains.

A value inside `-filter_complex` is unescaped twice by ffmpeg: once when the graph is split into
filters (where `[ ] , ;` and the escapes `\\ '` are special) and once when a filter's options
are split (where `:` and the escapes are special). `escape_value` undoes both, so any text —
user script, file path, expression — reaches the filter byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

OptionValue = str | int | float

_OPTION_SPECIAL = re.compile(r"([\\':])")
_GRAPH_SPECIAL = re.compile(r"([\\'\[\],;])")


def escape_value(value: str) -> str:
    """Escape one option value for use inside a filter graph description."""
    option_level = _protect_ends(_OPTION_SPECIAL.sub(r"\\\1", value))
    return _protect_ends(_GRAPH_SPECIAL.sub(r"\\\1", option_level))


def _protect_ends(text: str) -> str:
    # Each level trims unescaped whitespace at both ends of a token; escape it instead.
    if len(text) > 1 and text[-1].isspace():
        text = text[:-1] + "\\" + text[-1]
    if text[:1].isspace():
        text = "\\" + text
    return text


def num(value: float) -> str:
    """A number as ffmpeg expressions like it: plain decimal, no exponent, no trailing zeros."""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def even(value: float) -> int:
    """The nearest even integer, at least 2: what yuv420p frames and crops need."""
    return max(2, round(value / 2) * 2)


def hold_still(frames: int, fps: int) -> list[str]:
    """Filters that repeat a single frame `frames` times at `fps`, with proper timestamps.

    A still from a 1 fps source carries a one-second time base, frame rate and frame duration;
    all three are reset, or timestamps round together and the output stage repeats frames.
    """
    return [
        filter_("loop", {"loop": frames, "size": 1, "start": 0}),
        filter_("settb", {"expr": f"1/{fps}"}),
        filter_("setpts", {"expr": "N"}),
        filter_("fps", {"fps": fps}),
    ]


def color(hex_rgb: str, alpha: float = 1.0) -> str:
    """`#rrggbb` plus opacity as an ffmpeg colour (`0xrrggbb@0.5`)."""
    base = "0x" + hex_rgb.removeprefix("#")
    return base if alpha >= 1.0 else f"{base}@{num(max(alpha, 0.0))}"


def filter_(name: str, options: Mapping[str, OptionValue] | None = None) -> str:
    """`name=key=value:key=value` with every value escaped."""
    if not options:
        return name
    parts = (
        f"{key}={escape_value(value if isinstance(value, str) else num(value))}"
        for key, value in options.items()
    )
    return f"{name}=" + ":".join(parts)


def chain(inputs: Iterable[str], filters: Iterable[str], output: str) -> str:
    """`[in1][in2]f1,f2[out]`: one linear chain of a filter graph."""
    labels = "".join(f"[{label}]" for label in inputs)
    return f"{labels}{','.join(filters)}[{output}]"


def graph(chains: Iterable[str]) -> str:
    return ";".join(chains)


class Graph:
    """Builds one filter graph around a single main video chain.

    Sprites and other side inputs are added as their own chains and merged into the main chain
    with `overlay`; `text()` gives the finished description ending in the label `out`.
    """

    def __init__(self, main_source: Iterable[str], inputs: Iterable[str] = ()) -> None:
        self._chains: list[str] = []
        self._count = 0
        self._main = self.source(main_source, inputs)

    def _label(self, stem: str) -> str:
        self._count += 1
        return f"{stem}{self._count}"

    def source(self, filters: Iterable[str], inputs: Iterable[str] = ()) -> str:
        """Add a side chain (a source filter first, or `inputs` labels); return its label."""
        label = self._label("s")
        self._chains.append(chain(inputs, filters, label))
        return label

    def apply(self, filters: Iterable[str]) -> None:
        """Append filters to the main chain."""
        steps = list(filters)
        if steps:
            label = self._label("m")
            self._chains.append(chain([self._main], steps, label))
            self._main = label

    def overlay(
        self, sprite: str, x: str, y: str, *, enable: str = "", streamed: bool = False
    ) -> None:
        """Composite the `sprite` chain onto the main chain at expressions `x`, `y`.

        A sprite is a single still frame (reused to the end) unless `streamed`: a stream of
        frames lasting the whole clip. Only then is `repeatlast` off, which spares ffmpeg a copy
        of the whole main frame per overlay per frame (several times the cost of the blend).
        """
        label = self._label("m")
        options: dict[str, OptionValue] = {"x": x, "y": y, "eval": "frame"}
        if enable:
            options["enable"] = enable
        if streamed:
            options["repeatlast"] = 0
        step = filter_("overlay", options)
        self._chains.append(chain([self._main, sprite], [step], label))
        self._main = label

    def text(self, out: str = "out") -> str:
        return graph([*self._chains, chain([self._main], ["null"], out)])


def relabel(text: str, prefix: str) -> str:
    """`text` (a graph without inputs) with every link label prefixed by `prefix`, so it can be
    embedded in a larger graph. Escaped characters inside option values are left alone."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            out.append(text[i : i + 2])
            i += 2
        elif char == "[":
            end = text.index("]", i)
            out.append(f"[{prefix}{text[i + 1 : end]}]")
            i = end + 1
        else:
            out.append(char)
            i += 1
    return "".join(out)


# `[main][sprite]overlay=...:enable=gte(t\,START)...[out]`, as `Graph.overlay` writes a sprite
# that appears at START. Values with escaped brackets don't match and are simply kept.
_LATE_OVERLAY = re.compile(
    r"\[(?P<main>\w+)\]\[(?P<sprite>\w+)\]overlay=[^\[\];]*?"
    r":enable=gte\(t\\,(?P<start>[0-9.]+)\)[^\[\];]*\[(?P<out>\w+)\]"
)
_CHAIN_END = re.compile(r"\[(\w+)\]$")


def chains_of(text: str) -> list[str]:
    """The chains of a graph description: split at `;` outside escapes."""
    chains, start, i = [], 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ";":
            chains.append(text[start:i])
            start = i + 1
        i += 1
    chains.append(text[start:])
    return chains


def head_of(text: str, seconds: float) -> str:
    """`text` (a graph without inputs) cut down to what its first `seconds` show.

    A sprite that appears only at or after `seconds` is left out with the source chain that
    draws it, its overlay becoming a pass-through: over those frames the overlay is disabled
    and passes its main frame on untouched, so the frames are the same, but ffmpeg no longer
    builds and holds the sprite's layers (a crossfade head is a scene's first 0.4 s; most of
    a scene's words appear later)."""
    chains = chains_of(text)
    sources: dict[str, int] = {}  # sprite label -> index of the input-less chain that draws it
    for k, c in enumerate(chains):
        end = _CHAIN_END.search(c)
        if end and not c.startswith("["):
            sources[end.group(1)] = k
    dropped: set[int] = set()
    for k, c in enumerate(chains):
        late = _LATE_OVERLAY.fullmatch(c)
        if late and float(late["start"]) >= seconds and late["sprite"] in sources:
            dropped.add(sources[late["sprite"]])
            chains[k] = f"[{late['main']}]null[{late['out']}]"
    return ";".join(c for k, c in enumerate(chains) if k not in dropped)
