"""Article images → local reference images, fetched under the same rules as the page.

Each image URL goes through the guard and the fetcher (address rules, redirects, deadline,
`max_image_bytes`), must be served as `image/*`, and must really be one of the formats we
decode: its first bytes are checked (PNG, JPEG, GIF, WebP). SVG is refused on purpose: it is a
document that can carry scripts, and nothing from a page is ever executed. A refused image is
recorded with its reason and the article goes on without it.

Kept images are stored content-addressed (`<sha256>.<ext>`) in `<data dir>/url-images`, and
given to the scene that cites the paragraph nearest after the image in the same section: the
offline renderer does a Ken Burns move over it, image-to-video vendors animate it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from app.ingest.draft import SceneDraft
from app.ingest.source_record import ImageRecord
from app.ingest.url.article import ArticleImage
from app.ingest.url.errors import FetchRefused
from app.ingest.url.fetch import Fetcher

logger = logging.getLogger(__name__)

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


@dataclass(frozen=True)
class StoredImage:
    source: ArticleImage
    path: Path
    sha256: str
    media_type: str
    size: int


def sniff_image(body: bytes) -> str:
    """The file suffix for an image format we decode, or "" when the bytes are not one."""
    for magic, suffix in _SIGNATURES:
        if body.startswith(magic):
            return suffix
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "webp"
    return ""


async def fetch_images(
    images: tuple[ArticleImage, ...], fetcher: Fetcher, folder: Path
) -> tuple[list[StoredImage], list[ImageRecord]]:
    """(the images kept, a skipped record per image refused), at most `max_images` tried."""
    kept: list[StoredImage] = []
    skipped: list[ImageRecord] = []
    for image in images[: fetcher.settings.max_images]:
        try:
            kept.append(await _fetch_one(image, fetcher, folder))
        except FetchRefused as exc:
            logger.warning("Article image %s not used: %s", image.url, exc.problem)
            skipped.append(ImageRecord(url=image.url, skipped=exc.problem))
    return kept, skipped


async def _fetch_one(image: ArticleImage, fetcher: Fetcher, folder: Path) -> StoredImage:
    limit = fetcher.settings.max_image_bytes
    got = await fetcher.fetch(image.url, accept=("image/",), max_bytes=limit)
    suffix = sniff_image(got.body)
    if not suffix:
        raise FetchRefused(
            "image.format",
            f"served as {got.media_type} but its bytes are not a PNG, JPEG, GIF or WebP image",
            url=image.url,
        )
    digest = hashlib.sha256(got.body).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}.{suffix}"
    if not path.is_file():
        partial = path.with_suffix(".partial")
        partial.write_bytes(got.body)
        partial.replace(path)
    return StoredImage(image, path, "sha256:" + digest, got.media_type, len(got.body))


def place_images(
    drafts: list[SceneDraft], images: list[StoredImage]
) -> tuple[list[SceneDraft], list[ImageRecord]]:
    """Give each image to one scene without an image; (new drafts, a record per image)."""
    placed = list(drafts)
    records: list[ImageRecord] = []
    for image in images:
        index = _scene_for(placed, image.source)
        if index is None:
            records.append(ImageRecord(url=image.source.url, skipped="no scene left to show it"))
            continue
        placed[index] = replace(
            placed[index], image_hint=image.path, visual=placed[index].visual or image.source.alt
        )
        records.append(
            ImageRecord(image.source.url, image.sha256, image.media_type, image.size, (index,))
        )
    return placed, records


def _scene_for(drafts: list[SceneDraft], image: ArticleImage) -> int | None:
    """The free scene citing the first paragraph after the image, preferring its section."""
    free = [i for i, d in enumerate(drafts) if d.sources and d.image_hint is None]
    if not free:
        return None

    def distance(i: int) -> tuple[int, int, int]:
        first = min(drafts[i].sources)
        other_section = drafts[i].section != image.section
        return (int(other_section), int(first <= image.after), abs(first - image.after - 1))

    return min(free, key=distance)
