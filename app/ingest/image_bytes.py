"""Reference images identified by their bytes, and capped, before any decoder or upload.

A file's suffix says nothing: a `.png` may be an SVG, HTML, or a 60,000 x 60,000 pixel bomb.
`sniff_image` reads at most the first `HEADER_BYTES` of the file and returns its real type and
size in pixels from the format's own header (PNG IHDR, JPEG SOFn, GIF screen, WebP VP8/VP8L/
VP8X), or says why it cannot be used. Nothing here decodes pixels.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

MAX_IMAGE_BYTES = 20_000_000  # larger than any vendor accepts as a reference image
MAX_IMAGE_PIXELS = 40_000_000  # e.g. 8000 x 5000; decoders allocate per pixel
MAX_IMAGE_SIDE = 16_384
HEADER_BYTES = 256 * 1024  # JPEG may put EXIF before the frame header


@dataclass(frozen=True)
class ImageInfo:
    kind: str  # png | jpeg | gif | webp
    width: int
    height: int


def sniff_image(path: Path) -> ImageInfo | str:
    """The image's real type and size, or the reason it is refused."""
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return f"it is {size / 1e6:.1f} MB, over the {MAX_IMAGE_BYTES // 1_000_000} MB cap"
        with path.open("rb") as handle:
            head = handle.read(HEADER_BYTES)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    info = _identify(head)
    if info is None:
        return "its bytes are not a PNG, JPEG, GIF or WebP image"
    if info.width <= 0 or info.height <= 0:
        return "its header gives no size"
    if max(info.width, info.height) > MAX_IMAGE_SIDE or info.width * info.height > MAX_IMAGE_PIXELS:
        return (
            f"it is {info.width}x{info.height} pixels, over the cap of "
            f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels ({MAX_IMAGE_SIDE} per side)"
        )
    return info


def _identify(head: bytes) -> ImageInfo | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        w, h = struct.unpack(">II", head[16:24])
        return ImageInfo("png", w, h)
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        w, h = struct.unpack("<HH", head[6:10])
        return ImageInfo("gif", w, h)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp(head)
    if head[:3] == b"\xff\xd8\xff":
        return _jpeg(head)
    return None


def _webp(head: bytes) -> ImageInfo | None:
    chunk = head[12:16]
    if chunk == b"VP8 " and len(head) >= 30:
        w, h = struct.unpack("<HH", head[26:30])
        return ImageInfo("webp", w & 0x3FFF, h & 0x3FFF)
    if chunk == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return ImageInfo("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X" and len(head) >= 30:
        w = int.from_bytes(head[24:27], "little") + 1
        h = int.from_bytes(head[27:30], "little") + 1
        return ImageInfo("webp", w, h)
    return None


_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg(head: bytes) -> ImageInfo | None:
    """Walk the marker segments to the first frame header (SOFn)."""
    i = 2
    while i + 4 <= len(head):
        if head[i] != 0xFF:
            return None
        marker = head[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        (length,) = struct.unpack(">H", head[i + 2 : i + 4])
        if marker in _SOF and i + 9 <= len(head):
            h, w = struct.unpack(">HH", head[i + 5 : i + 9])
            return ImageInfo("jpeg", w, h)
        if length < 2:
            return None
        i += 2 + length
    return None
