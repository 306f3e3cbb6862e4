"""Bytes of an HTML page → text, honouring the charset the page declares.

In order: a byte-order mark, the Content-Type header's charset, a `<meta charset>` or
`<meta http-equiv="Content-Type">` in the first 2 KB, then UTF-8 if the bytes are valid UTF-8,
else windows-1252 (what browsers assume for an undeclared legacy page). A label Python does not
know is ignored rather than trusted. As browsers do, latin-1 and ASCII labels mean windows-1252.
"""

from __future__ import annotations

import codecs
import re

_META = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*(?P<label>[A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
_WINDOWS_1252_ALIASES = frozenset({"iso-8859-1", "latin-1", "latin1", "l1", "ascii", "us-ascii"})
SNIFF_BYTES = 2048


def decode_html(body: bytes, header_charset: str = "") -> tuple[str, str]:
    """(text, the charset used) for an HTML body."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    meta = _META.search(body[:SNIFF_BYTES])
    for label in (header_charset, meta["label"].decode("ascii") if meta else ""):
        if name := _known(label):
            return body.decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), "cp1252"


def _known(label: str) -> str:
    label = label.strip().lower()
    if not label:
        return ""
    if label in _WINDOWS_1252_ALIASES:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return ""
