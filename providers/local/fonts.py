"""The typefaces the offline renderer draws with, and just enough font metrics to lay text out.

ffmpeg's drawtext measures text only inside the filter graph, but word wrapping and per-word
animation need widths before the graph exists. So we read the two facts we need straight from
the TrueType tables: which characters the face has (`cmap`) and how wide each glyph is (`hmtx`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

FONT_PACKAGE = "font_manrope"


class Weight(StrEnum):
    EXTRA_BOLD = "ExtraBold"  # headlines and big numbers
    BOLD = "Bold"  # chart values, emphasis
    MEDIUM = "Medium"  # secondary lines and labels


@dataclass(frozen=True)
class FontFace:
    """One font file with the metrics layout needs. Sizes are in pixels at `size` px/em."""

    path: Path
    units_per_em: int
    ascender: int
    descender: int  # negative, as stored in the font
    advances: dict[int, int]  # code point -> advance width in font units

    def has(self, char: str) -> bool:
        return ord(char) in self.advances

    def width(self, text: str, size: float) -> float:
        """Advance width of `text` at `size` px, ignoring kerning (close enough to wrap by)."""
        fallback = self.advances.get(ord("n"), self.units_per_em // 2)
        units = sum(self.advances.get(ord(c), fallback) for c in text)
        return units * size / self.units_per_em

    def ascent(self, size: float) -> float:
        return self.ascender * size / self.units_per_em

    def descent(self, size: float) -> float:
        """Positive distance from the baseline down to the lowest descender."""
        return -self.descender * size / self.units_per_em


def font_path(weight: Weight) -> Path:
    """The installed Manrope TTF for `weight`. Raises FileNotFoundError when it is missing."""
    path = Path(str(resources.files(FONT_PACKAGE).joinpath("files", f"Manrope-{weight.value}.ttf")))
    if not path.is_file():
        raise FileNotFoundError(f"font file not found: {path}")
    return path


@cache
def load_face(weight: Weight) -> FontFace:
    return read_face(font_path(weight))


def read_face(path: Path) -> FontFace:
    """Parse `head`, `hhea`, `hmtx` and `cmap` of a TrueType/OpenType file."""
    data = path.read_bytes()
    tables = _table_offsets(data)
    units_per_em = struct.unpack_from(">H", data, tables["head"] + 18)[0]
    hhea = tables["hhea"]
    ascender, descender = struct.unpack_from(">hh", data, hhea + 4)
    metric_count = struct.unpack_from(">H", data, hhea + 34)[0]
    glyph_advances = _glyph_advances(data, tables["hmtx"], metric_count)
    last = glyph_advances[-1]
    advances = {
        code: glyph_advances[gid] if gid < len(glyph_advances) else last
        for code, gid in _cmap(data, tables["cmap"]).items()
        if gid != 0
    }
    return FontFace(path, units_per_em, ascender, descender, advances)


def _table_offsets(data: bytes) -> dict[str, int]:
    count = struct.unpack_from(">H", data, 4)[0]
    offsets = {}
    for i in range(count):
        tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        offsets[tag.decode("latin-1")] = offset
    return offsets


def _glyph_advances(data: bytes, hmtx: int, count: int) -> list[int]:
    return [struct.unpack_from(">H", data, hmtx + 4 * i)[0] for i in range(count)]


def _cmap(data: bytes, cmap: int) -> dict[int, int]:
    """Code point -> glyph id from the best Unicode subtable (format 12, else format 4)."""
    count = struct.unpack_from(">H", data, cmap + 2)[0]
    by_format: dict[int, int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        if (platform, encoding) in {(3, 1), (3, 10), (0, 3), (0, 4)}:
            fmt = struct.unpack_from(">H", data, cmap + offset)[0]
            by_format.setdefault(fmt, cmap + offset)
    if 12 in by_format:
        return _cmap_format12(data, by_format[12])
    if 4 in by_format:
        return _cmap_format4(data, by_format[4])
    raise ValueError("font has no Unicode cmap subtable")


def _cmap_format4(data: bytes, at: int) -> dict[int, int]:
    segments = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends_at = at + 14
    starts_at = ends_at + 2 * segments + 2
    deltas_at = starts_at + 2 * segments
    ranges_at = deltas_at + 2 * segments
    mapping: dict[int, int] = {}
    for s in range(segments):
        end, start = (
            struct.unpack_from(">H", data, base + 2 * s)[0] for base in (ends_at, starts_at)
        )
        delta = struct.unpack_from(">h", data, deltas_at + 2 * s)[0]
        range_offset = struct.unpack_from(">H", data, ranges_at + 2 * s)[0]
        for code in range(start, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                gid = (code + delta) & 0xFFFF
            else:
                where = ranges_at + 2 * s + range_offset + 2 * (code - start)
                gid = struct.unpack_from(">H", data, where)[0]
                gid = (gid + delta) & 0xFFFF if gid else 0
            mapping[code] = gid
    return mapping


def _cmap_format12(data: bytes, at: int) -> dict[int, int]:
    groups = struct.unpack_from(">I", data, at + 12)[0]
    mapping: dict[int, int] = {}
    for g in range(groups):
        start, end, first_gid = struct.unpack_from(">III", data, at + 16 + 12 * g)
        for code in range(start, end + 1):
            mapping[code] = first_gid + code - start
    return mapping
