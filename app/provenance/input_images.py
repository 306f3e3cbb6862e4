"""The image a scene's clip was made from, recorded as that scene's input (issue 15).

When a vendor's image-to-video model animates a scene's reference image (an article image from
a URL source, or a picture the source referenced locally), or the built-in renderer moves over
it, the provider says so on the clip (`Clip.image_sha256`). The manifest then records the
image's sha256, its media type (from its bytes) and where it came from: the article image's URL
when the URL source fetched it, else the local file's name. The C2PA credentials carry it as an
`inputTo` ingredient of the scene (`app.provenance.credentials`).

A designed still that reelroute draws for an image-to-video-only model (when the scene brings
no image) is not a scene input: the provider leaves `image_sha256` empty for it.
"""

from __future__ import annotations

from pathlib import Path

from app.ingest.image_bytes import sniff_image
from app.ingest.source_record import SourceRecord
from app.provenance.manifest_model import InputImage
from providers.media import sha256_file

MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


class InputImageError(Exception):
    """The image a clip was made from is no longer the scene's image file."""


def _article_url(source: SourceRecord | None, digest: str, scene: int) -> str | None:
    """The URL of the article image with this sha256 that the URL source gave to `scene`."""
    for image in source.images if source else ():
        if image.sha256 == digest and not image.skipped and scene in image.scenes:
            return image.url
    return None


def input_image(
    scene: int, clip_image_sha256: str, path: Path | None, source: SourceRecord | None
) -> InputImage | None:
    """The scene's input image record; None when its clip was not made from an image."""
    if not clip_image_sha256:
        return None
    if path is None or not path.is_file() or sha256_file(path) != clip_image_sha256:
        shown = path.name if path is not None else "(none)"
        raise InputImageError(
            f"scene {scene + 1}: its clip was made from an image (sha256:{clip_image_sha256}) "
            f"that is no longer its reference image file {shown}"
        )
    info = sniff_image(path)
    if isinstance(info, str):
        raise InputImageError(f"scene {scene + 1}: reference image {path.name}: {info}")
    digest = "sha256:" + clip_image_sha256
    url = _article_url(source, digest, scene)
    return InputImage(
        sha256=digest,
        media_type=MEDIA_TYPES[info.kind],
        origin="article" if url else "file",
        ref=url or path.name,
    )
