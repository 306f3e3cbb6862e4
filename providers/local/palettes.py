"""Colour palettes: a few tasteful sets per scene kind, picked deterministically from the seed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from providers.types import SceneKind


@dataclass(frozen=True)
class Palette:
    """Every colour a scene uses, as `#rrggbb`."""

    name: str
    background: tuple[str, ...]  # gradient stops, 2..4 (for landscapes: sky to ground)
    glow: tuple[str, ...]  # light blobs, sun, streaks, bokeh
    accent: str  # rules, bars, quote marks
    text: str
    muted: str  # secondary text, labels, grid lines
    shade: str  # solid shapes: ridges, pedestals, panels
    series: tuple[str, ...] = ()  # chart bars; defaults to accent + glow
    dark: bool = True  # dark background: light text with a dark shadow

    @property
    def bars(self) -> tuple[str, ...]:
        return self.series or (self.accent, *self.glow)

    @property
    def shadow(self) -> str:
        return "#000000" if self.dark else "#ffffff"


_EDITORIAL = (
    Palette(
        "ink",
        ("#0f1222", "#1c2340", "#2b3a67"),
        ("#6c8cff", "#b48cff"),
        "#ffcf5c",
        "#f7f4ee",
        "#b8c0d8",
        "#0a0c18",
    ),
    Palette(
        "plum",
        ("#1a0f1f", "#3a1740", "#5e2a5c"),
        ("#ff7aa2", "#ffb86b"),
        "#ffb86b",
        "#fff6f0",
        "#e0c3d0",
        "#12091a",
    ),
    Palette(
        "forest",
        ("#0b1a17", "#12352e", "#1f5a4a"),
        ("#7fe0b5", "#d7f27a"),
        "#d7f27a",
        "#f2fbf6",
        "#a9d3c3",
        "#07110f",
    ),
    Palette(
        "paper",
        ("#f6f1e7", "#efe4d2", "#e6d3b8"),
        ("#ffffff", "#f2c6a0"),
        "#d9583b",
        "#1d1a16",
        "#6b6157",
        "#d8c6ab",
        dark=False,
    ),
)

_BOLD = (
    Palette(
        "sunset-pop",
        ("#2b1055", "#d53a9d", "#ff9a44"),
        ("#ffd86b", "#4de1ff", "#ff5e9c"),
        "#ffd86b",
        "#ffffff",
        "#ffe6f2",
        "#1a0833",
    ),
    Palette(
        "electric",
        ("#0b0c3c", "#3a1cff", "#00d4ff"),
        ("#ff4fd8", "#7dffb2", "#ffffff"),
        "#ff4fd8",
        "#ffffff",
        "#d6e6ff",
        "#070826",
    ),
    Palette(
        "citrus",
        ("#0d3b3a", "#0f8b8d", "#ec9a29"),
        ("#ffe066", "#ff6b6b", "#c2f970"),
        "#ffe066",
        "#ffffff",
        "#e6fff8",
        "#072726",
    ),
    Palette(
        "candy",
        ("#40128b", "#9b2fb5", "#ff6f91"),
        ("#ffc75f", "#00c9a7", "#f9f871"),
        "#ffc75f",
        "#ffffff",
        "#ffe9f5",
        "#240a52",
    ),
)

_ACTION = (
    Palette(
        "neon-rush",
        ("#05060f", "#111a4a", "#e0115f"),
        ("#ffffff", "#ff3d7f", "#3dd9ff"),
        "#ffe14d",
        "#ffffff",
        "#c9d3ff",
        "#030309",
    ),
    Palette(
        "deep-speed",
        ("#07090e", "#0f3057", "#00a8cc"),
        ("#ffffff", "#ffd400", "#7ef9ff"),
        "#ffd400",
        "#ffffff",
        "#cfe9f2",
        "#04060a",
    ),
    Palette(
        "ember",
        ("#120907", "#5c1a0b", "#ff6b1a"),
        ("#fff2d6", "#ffb347", "#ffe66d"),
        "#ffe66d",
        "#ffffff",
        "#ffd9c2",
        "#0a0504",
    ),
)

_LANDSCAPE = (
    Palette(
        "dusk",
        ("#1b2a4e", "#51488f", "#f08a5d", "#f9c784"),
        ("#ffe3b0", "#ffb38a"),
        "#ffe3b0",
        "#ffffff",
        "#f3e6ff",
        "#231a33",
    ),
    Palette(
        "dawn",
        ("#2e4a7d", "#7fa7d6", "#ffd6a5", "#ffe8c9"),
        ("#fff4d6", "#ffc9a3"),
        "#ffd6a5",
        "#ffffff",
        "#eef4ff",
        "#22303b",
    ),
    Palette(
        "alpine",
        ("#1f5fbf", "#5fa4e8", "#bfe0ff", "#eaf6ff"),
        ("#ffffff", "#fff7d6"),
        "#ffffff",
        "#ffffff",
        "#e8f3ff",
        "#1d3b36",
    ),
    Palette(
        "night",
        ("#060a18", "#121d45", "#2f4a8a", "#5f74b8"),
        ("#e6edff", "#a9b8ff"),
        "#e6edff",
        "#ffffff",
        "#c8d2f0",
        "#05070f",
    ),
)

_STUDIO = (
    Palette(
        "graphite",
        ("#2c2f38", "#15171c", "#08090b"),
        ("#fff4e0", "#ffe1b0"),
        "#e8c07d",
        "#ffffff",
        "#c9ccd6",
        "#3a3d47",
    ),
    Palette(
        "walnut",
        ("#3b2a20", "#1d140f", "#0b0705"),
        ("#ffe8c7", "#ffc98a"),
        "#f0b46b",
        "#fff8ee",
        "#e0cdb8",
        "#4a3628",
    ),
    Palette(
        "steel-blue",
        ("#243447", "#121b26", "#070b10"),
        ("#e8f4ff", "#bfe3ff"),
        "#7cc4ff",
        "#ffffff",
        "#c3d3e6",
        "#2d4157",
    ),
)

_WARM = (
    Palette(
        "golden-hour",
        ("#2a1a14", "#6b3f2a", "#c98b5a"),
        ("#ffd8a8", "#ffb3a7", "#fff1c1"),
        "#ff8a5b",
        "#ffffff",
        "#ffe4cc",
        "#1a100c",
    ),
    Palette(
        "harbour",
        ("#0f1c2e", "#22415f", "#5d89a8"),
        ("#cfe8ff", "#ffe3b3", "#a7f3eb"),
        "#4fd1c5",
        "#ffffff",
        "#d3e6f5",
        "#0a1320",
    ),
    Palette(
        "rosewood",
        ("#2b1422", "#6e2f4f", "#d07a8f"),
        ("#ffd1dc", "#ffe8b8", "#ffb3c6"),
        "#ffb3c6",
        "#ffffff",
        "#f7dbe6",
        "#1c0c16",
    ),
    Palette(
        "sage",
        ("#13221b", "#2f5141", "#89a87a"),
        ("#f1ffd9", "#ffe9b8", "#d4f5c8"),
        "#e9c46a",
        "#ffffff",
        "#e3efdc",
        "#0c1711",
    ),
)

_DATA = (
    Palette(
        "midnight-data",
        ("#0b1020", "#121a33", "#1d2a50"),
        ("#4fd1c5", "#63b3ed"),
        "#4fd1c5",
        "#ffffff",
        "#9fb0d0",
        "#0a0f1e",
        series=("#4fd1c5", "#63b3ed", "#f6ad55", "#f687b3", "#9f7aea", "#68d391"),
    ),
    Palette(
        "clean-paper",
        ("#f7f7f2", "#eceee6", "#dfe3d8"),
        ("#ffffff", "#fca311"),
        "#fca311",
        "#14213d",
        "#5c6784",
        "#d5d9cc",
        series=("#14213d", "#fca311", "#2a9d8f", "#e76f51", "#457b9d", "#8d6cab"),
        dark=False,
    ),
    Palette(
        "aubergine",
        ("#1a1025", "#2d1b45", "#45306b"),
        ("#ffb86b", "#7ee8fa"),
        "#ffb86b",
        "#ffffff",
        "#c7b8e0",
        "#120a1c",
        series=("#ffb86b", "#7ee8fa", "#ff7eb6", "#b8f27c", "#c3a6ff", "#ffe17a"),
    ),
)

PALETTES: dict[SceneKind, tuple[Palette, ...]] = {
    SceneKind.TEXT: _EDITORIAL,
    SceneKind.STYLIZED: _BOLD,
    SceneKind.ACTION: _ACTION,
    SceneKind.LANDSCAPE: _LANDSCAPE,
    SceneKind.PRODUCT: _STUDIO,
    SceneKind.TALKING_HEAD: _WARM,
    SceneKind.PEOPLE: _WARM,
    SceneKind.DATA: _DATA,
}


def choose_palette(seed: int, kind: SceneKind) -> Palette:
    """The same (seed, kind) always gets the same palette; neighbouring seeds spread out."""
    choices = PALETTES[kind]
    digest = hashlib.sha256(f"palette:{kind.value}:{seed}".encode()).digest()
    return choices[int.from_bytes(digest[:4], "big") % len(choices)]


def mix(a: str, b: str, share: float) -> str:
    """The colour `share` of the way from `a` to `b`."""
    ca, cb = (tuple(int(c.removeprefix("#")[i : i + 2], 16) for i in (0, 2, 4)) for c in (a, b))
    mixed = (round(x + (y - x) * share) for x, y in zip(ca, cb, strict=True))
    return "#" + "".join(f"{v:02x}" for v in mixed)
