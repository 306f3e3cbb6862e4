"""Image references in a source → a local reference image for a scene, or nothing.

An image hint may be uploaded to a video provider as a reference image, so the rules are strict
on purpose: a source must not be able to send arbitrary local files to a third party.

- Remote images (`http:`, `https:`, `data:`, `//host/...`) are ignored; ingestion is offline.
- A local path is resolved against the source's folder (`base_dir`) and used only if it stays
  inside that folder after resolving `..` and symbolic links, is an existing file, and its
  bytes (not its suffix) are a PNG, JPEG, GIF or WebP image within the byte and pixel caps of
  `app.ingest.image_bytes`. Without a `base_dir` (pasted text) no image can be resolved.

Every ignored reference is logged at WARNING level on the `app.ingest.images` logger with the
reason, so the user can see why a picture they referenced is not used.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from urllib.parse import unquote

from app.ingest.image_bytes import sniff_image
from app.ingest.markdown_inline import ImageRef

logger = logging.getLogger(__name__)

_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_WINDOWS_DRIVE = re.compile(r"^[a-z]:[\\/]", re.IGNORECASE)


def resolve_image(ref: ImageRef, base_dir: Path | None) -> Path | None:
    """The local file `ref` points to, if it may be used (see the module docstring)."""
    usable = _usable_path(unquote(ref.target), base_dir)
    if isinstance(usable, Path):
        return usable
    logger.warning("Image %r ignored: %s.", ref.target, usable)
    return None


def _usable_path(target: str, base_dir: Path | None) -> Path | str:
    """The resolved path, or the reason it cannot be used."""
    if not target:
        return "it has no path"
    if _REMOTE.match(target) and not _WINDOWS_DRIVE.match(target):
        return "remote images are not fetched; download it next to the source"
    if base_dir is None:
        return "pasted text has no folder to find it in; ingest the file instead"
    folder = base_dir.resolve()
    path = (folder / target).resolve()
    if not path.is_relative_to(folder):
        return f"it is outside the source's folder {folder}"
    if not path.is_file():
        return f"{path} does not exist"
    info = sniff_image(path)
    return info if isinstance(info, str) else path
