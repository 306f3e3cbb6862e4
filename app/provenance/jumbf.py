"""Just enough of ISO BMFF, JUMBF (ISO 19566-5) and CBOR to find the parts of an embedded C2PA
manifest store: where the store sits in an MP4, each manifest, its assertion boxes with their
salts, its claim and its COSE signature. Read-only: `app.provenance.reseal` rewrites bytes at
the places found here.

A C2PA store in an MP4 is a top-level `uuid` box (C2PA's UUID, a full-box header, the purpose
`manifest`, an 8-byte offset) holding one JUMBF superbox: `jumb` boxes, each opening with a
`jumd` description box (a 16-byte type, toggles, a label, and an optional private box, where
c2pa keeps an assertion's salt as a `c2sh` box).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")
_LABEL, _ID, _HASH, _PRIVATE = 0x02, 0x04, 0x08, 0x10  # jumd toggles


class JumbfError(Exception):
    """The bytes are not the C2PA store layout this module reads."""


@dataclass(frozen=True)
class Box:
    start: int  # offset of the box's first byte (its size field)
    size: int
    kind: bytes  # the 4-character type
    header: int  # 8, or 16 with a 64-bit size

    @property
    def end(self) -> int:
        return self.start + self.size

    @property
    def body(self) -> int:
        return self.start + self.header


def boxes(buf: bytes | bytearray, start: int, end: int) -> Iterator[Box]:
    """The boxes laid end to end in buf[start:end]."""
    at = start
    while at < end:
        if end - at < 8:
            raise JumbfError(f"a truncated box header at {at}")
        size, kind = struct.unpack_from(">I4s", buf, at)
        header = 8
        if size == 1:
            if end - at < 16:
                raise JumbfError(f"a truncated box header at {at}")
            (size,) = struct.unpack_from(">Q", buf, at + 8)
            header = 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            raise JumbfError(f"a box at {at} overruns its container")
        yield Box(at, size, kind, header)
        at += size


def find_store(stream: BinaryIO) -> tuple[int, int]:
    """(offset, size) of the JUMBF superbox inside the MP4's C2PA `uuid` box."""
    stream.seek(0, 2)
    length = stream.tell()
    at = 0
    while at + 8 <= length:
        stream.seek(at)
        head = stream.read(32)
        size, kind = struct.unpack_from(">I4s", head)
        header = 8
        if size == 1:
            (size,) = struct.unpack_from(">Q", head, 8)
            header = 16
        elif size == 0:
            size = length - at
        if size < header:
            raise JumbfError(f"a malformed top-level box at {at}")
        if kind == b"uuid" and head[header : header + 16] == C2PA_UUID:
            stream.seek(at + header + 16)
            rest = stream.read(min(size - header - 16, 64))
            purpose_end = rest.find(b"\0", 4)  # after the full-box version and flags
            if rest[:4] != b"\0\0\0\0" or rest[4:purpose_end] != b"manifest":
                raise JumbfError("the C2PA box is not an embedded manifest store")
            store = at + header + 16 + purpose_end + 1 + 8  # the 8-byte offset field
            return store, at + size - store
        at += size
    raise JumbfError("the file has no C2PA manifest store")


@dataclass(frozen=True)
class Description:
    kind: bytes  # the first 4 bytes of the JUMBF type UUID: c2pa, c2ma, c2as, c2cl, cbor, ...
    label: str
    salt: tuple[int, int] | None  # (offset, length) of the salt in its `c2sh` box


@dataclass(frozen=True)
class Superbox:
    box: Box
    description: Description
    children: tuple[Box, ...]  # the boxes after the description


def superbox(buf: bytes | bytearray, box: Box) -> Superbox:
    """A `jumb` box read: its description and its other boxes."""
    if box.kind != b"jumb":
        raise JumbfError(f"expected a jumb box at {box.start}")
    inner = list(boxes(buf, box.body, box.end))
    if not inner or inner[0].kind != b"jumd":
        raise JumbfError(f"the jumb box at {box.start} has no description")
    return Superbox(box, _description(buf, inner[0]), tuple(inner[1:]))


def _description(buf: bytes | bytearray, box: Box) -> Description:
    at, end = box.body, box.end
    if end - at < 17:
        raise JumbfError(f"a truncated jumd box at {box.start}")
    kind, toggles = bytes(buf[at : at + 4]), buf[at + 16]
    at += 17
    label = ""
    if toggles & _LABEL:
        stop = buf.find(b"\0", at, end)
        if stop < 0:
            raise JumbfError(f"an unterminated label at {at}")
        label = bytes(buf[at:stop]).decode("utf-8")
        at = stop + 1
    at += 4 if toggles & _ID else 0
    at += 32 if toggles & _HASH else 0
    salt = None
    if toggles & _PRIVATE:
        private = next(boxes(buf, at, end))
        if private.kind == b"c2sh":
            salt = (private.body, private.end - private.body)
    return Description(kind, label, salt)


def children(buf: bytes | bytearray, parent: Superbox) -> list[Superbox]:
    """The `jumb` boxes inside `parent`, read."""
    return [superbox(buf, b) for b in parent.children if b.kind == b"jumb"]


def content(parent: Superbox, kind: bytes) -> Box:
    """The one content box of type `kind` (`cbor`, `json`, ...) in a superbox."""
    found = [b for b in parent.children if b.kind == kind]
    if len(found) != 1:
        raise JumbfError(f"{parent.description.label}: expected one {kind!r} box")
    return found[0]


# --- CBOR: only the item lengths (the rest is read by c2pa) -------------------------------


def cbor_head(buf: bytes | bytearray, at: int) -> tuple[int, int, int]:
    """(major type, argument, offset after the head) of the CBOR item at `at`."""
    first = buf[at]
    major, info = first >> 5, first & 0x1F
    if info < 24:
        return major, info, at + 1
    if info > 27:
        raise JumbfError(f"an indefinite or reserved CBOR length at {at}")
    width = 1 << (info - 24)
    return major, int.from_bytes(buf[at + 1 : at + 1 + width], "big"), at + 1 + width


def cbor_end(buf: bytes | bytearray, at: int) -> int:
    """The offset just after the CBOR item that starts at `at`."""
    major, arg, at = cbor_head(buf, at)
    if major in (2, 3):  # byte and text strings
        return at + arg
    if major == 4:
        for _ in range(arg):
            at = cbor_end(buf, at)
    elif major == 5:
        for _ in range(2 * arg):
            at = cbor_end(buf, at)
    elif major == 6:  # a tag: its item follows
        at = cbor_end(buf, at)
    return at  # integers and simple values end with their head


def bstr_head(length: int) -> bytes:
    """The head of a CBOR byte string of `length` bytes."""
    if length < 24:
        return bytes([0x40 | length])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * width):
            return bytes([0x40 | info]) + length.to_bytes(width, "big")
    raise JumbfError("a byte string too long for CBOR")
