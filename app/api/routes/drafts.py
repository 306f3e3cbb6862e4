"""/v1/renders/{id}/draft: the draft of a draft-first render, to its tenant only.

`GET …/draft` is the draft's manifest (each scene placeholder or final, its files and start);
`GET …/draft/{file}` serves `draft.m3u8` (HLS: video + soundtrack rendition), its media
playlists and MPEG-TS segments, the same segments and soundtrack as fragmented MP4 (for a
Media Source Extensions player), `manifest.json` and `draft.mp4` (the whole draft, with HTTP
Range). Playlists, the manifest and draft.mp4 change when a scene is swapped in, so they are
never cached; a segment's name changes with it, so a segment is immutable.

A draft is served from the data folder of the process that renders it, or else from the blob
store, where a render with a shared bucket copies each file as it is written (an API process
on another machine than the worker). Once the final outputs are stored the draft is deleted:
its routes then answer 410 and point to the outputs.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse, RedirectResponse, Response

from app.api.deps import PrincipalDep, ServiceDep, visible_render
from app.api.errors import DraftReplaced, documented
from app.api.pinned_file import PinnedFileResponse
from app.api.schemas import DraftOut
from app.api.state import Service
from app.errors import NotFound
from app.pipeline.draft_outbox import draft_prefix
from app.provenance.draft_manifest import is_draft
from app.store.models import RenderRow
from app.store.renders import RenderState

router = APIRouter(prefix="/v1/renders", tags=["drafts"])
RenderId = Annotated[str, Path(max_length=64)]
FILE_PATTERN = (
    r"^(draft\.m3u8|video\.m3u8|audio\.m3u8|audio\.ts|audio\.mp4|draft\.mp4|manifest\.json"
    r"|seg_\d{4}\.r\d{1,6}\.(ts|mp4))$"
)
_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".json": "application/json",
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def draft_folder(service: Service, render_id: str) -> FsPath:
    return service.settings.drafts_dir / render_id


def _replaced(row: RenderRow) -> None:
    """A final render's draft is gone on purpose: say so, and where the outputs are."""
    if row.state == RenderState.SUCCEEDED:
        raise DraftReplaced(
            f"render {row.id} is final: its draft was deleted once the final outputs were "
            f"stored; they are listed by GET /v1/renders/{row.id} and served by "
            f"GET /v1/renders/{row.id}/outputs/{{aspect}}",
            field="id",
        )


async def _read(service: Service, render_id: str, name: str) -> bytes | None:
    """A draft file from the local drafts folder, else from the blob store."""
    path = draft_folder(service, render_id) / name
    try:
        return path.read_bytes()
    except OSError:
        return await asyncio.to_thread(service.blobs.read, f"{draft_prefix(render_id)}/{name}")


async def _manifest(service: Service, row: RenderRow) -> dict[str, Any]:
    raw = await _read(service, row.id, "manifest.json")
    try:
        data = json.loads(raw or b"")
    except ValueError as exc:
        _replaced(row)
        raise NotFound(
            f"render {row.id} has no draft (create it with draft: true; the draft appears "
            "seconds after approval)",
            field="id",
        ) from exc
    if not is_draft(data):
        raise NotFound(f"render {row.id} has no draft", field="id")
    return dict(data)


@router.get("/{render_id}/draft", response_model=DraftOut, responses=documented(401, 404, 410, 422))
async def get_draft(service: ServiceDep, principal: PrincipalDep, render_id: RenderId) -> Any:
    """The draft's state: which scenes are placeholders and which final, and its files."""
    row = await visible_render(service, principal, render_id)
    return await _manifest(service, row)


@router.get(
    "/{render_id}/draft/{name}",
    response_class=FileResponse,
    responses={
        200: {
            "content": {t: _BINARY for t in _TYPES.values()},
            "description": "an HLS playlist, an MPEG-TS or fragmented MP4 segment, the "
            "manifest, or draft.mp4",
        },
        206: {"content": {"video/mp4": _BINARY}, "description": "a byte range of draft.mp4"},
        307: {"description": "draft.mp4 from a shared bucket: a presigned URL (Location)"},
        **documented(401, 404, 410, 416, 422),
    },
)
async def get_draft_file(
    service: ServiceDep,
    principal: PrincipalDep,
    render_id: RenderId,
    name: Annotated[str, Path(pattern=FILE_PATTERN, description="e.g. draft.m3u8, draft.mp4")],
) -> Response:
    """One file of the draft; `draft.m3u8` (HLS) or the fragmented MP4s (MSE) play it while
    the later scenes are still encoded."""
    row = await visible_render(service, principal, render_id)
    if not re.fullmatch(FILE_PATTERN, name):
        raise NotFound(f"render {row.id}'s draft has no {name}", field="name")
    media = _TYPES[FsPath(name).suffix]
    fresh = name.startswith("seg_")
    headers = {"Cache-Control": "private, max-age=86400, immutable" if fresh else "no-store"}
    local = PinnedFileResponse.open(
        draft_folder(service, row.id) / name, media_type=media, headers=headers
    )
    if local is not None:
        return local
    stored = await _from_store(service, row.id, name, media, headers)
    if stored is None:
        _replaced(row)
        raise NotFound(f"render {row.id}'s draft has no {name} (yet)", field="name")
    return stored


async def _from_store(
    service: Service, render_id: str, name: str, media: str, headers: dict[str, str]
) -> Response | None:
    """The file as the render's machine copied it to the blob store; draft.mp4 (large, read
    with Range) by a presigned URL where the store gives one."""
    key = f"{draft_prefix(render_id)}/{name}"
    manifest = f"{draft_prefix(render_id)}/manifest.json"
    # a presigned URL is made without looking: the small manifest says the draft is there
    if name == "draft.mp4" and await asyncio.to_thread(service.blobs.read, manifest) is not None:
        filename = f"{render_id}-draft.mp4"
        url = await asyncio.to_thread(service.blobs.download_url, key, filename, media)
        if url is not None:
            return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    data = await asyncio.to_thread(service.blobs.read, key)
    return None if data is None else Response(data, media_type=media, headers=headers)
