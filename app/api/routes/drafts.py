"""/v1/renders/{id}/draft: the draft of a draft-first render, to its tenant only.

`GET …/draft` is the draft's manifest (each scene placeholder or final); `GET …/draft/{file}`
serves `draft.m3u8` (HLS: video + soundtrack rendition), its media playlists and segments, and
`draft.mp4` (the whole draft, with HTTP Range). Playlists and draft.mp4 change
when a scene is swapped in, so they are never cached; a segment's name changes with it, so a
segment is immutable. The draft lives in the data folder of the process that rendered it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from app.api.deps import PrincipalDep, ServiceDep, visible_render
from app.api.errors import documented
from app.api.schemas import DraftOut
from app.api.state import Service
from app.errors import NotFound
from app.provenance.draft_manifest import is_draft

router = APIRouter(prefix="/v1/renders", tags=["drafts"])
RenderId = Annotated[str, Path(max_length=64)]
FILE_PATTERN = (
    r"^(draft\.m3u8|video\.m3u8|audio\.m3u8|audio\.ts|draft\.mp4|seg_\d{4}\.r\d{1,6}\.ts)$"
)
_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t", ".mp4": "video/mp4"}
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def draft_folder(service: Service, render_id: str) -> FsPath:
    return service.settings.drafts_dir / render_id


def _manifest(folder: FsPath, render_id: str) -> dict[str, Any]:
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NotFound(
            f"render {render_id} has no draft (create it with draft: true; the draft appears "
            "seconds after approval)",
            field="id",
        ) from exc
    if not is_draft(data):
        raise NotFound(f"render {render_id} has no draft", field="id")
    return dict(data)


@router.get("/{render_id}/draft", response_model=DraftOut, responses=documented(401, 404, 422))
async def get_draft(service: ServiceDep, principal: PrincipalDep, render_id: RenderId) -> Any:
    """The draft's state: which scenes are placeholders and which final, and its files."""
    row = await visible_render(service, principal, render_id)
    return _manifest(draft_folder(service, row.id), row.id)


@router.get(
    "/{render_id}/draft/{name}",
    response_class=FileResponse,
    responses={
        200: {
            "content": {t: _BINARY for t in _TYPES.values()},
            "description": "an HLS playlist, an MPEG-TS segment, or draft.mp4",
        },
        206: {"content": {"video/mp4": _BINARY}, "description": "a byte range of draft.mp4"},
        **documented(401, 404, 416, 422),
    },
)
async def get_draft_file(
    service: ServiceDep,
    principal: PrincipalDep,
    render_id: RenderId,
    name: Annotated[str, Path(pattern=FILE_PATTERN, description="e.g. draft.m3u8, draft.mp4")],
) -> FileResponse:
    """One file of the draft; `draft.m3u8` plays it while the later scenes are still encoded."""
    row = await visible_render(service, principal, render_id)
    folder = draft_folder(service, row.id)
    path = folder / name
    if not re.fullmatch(FILE_PATTERN, name) or not path.is_file():
        raise NotFound(f"render {row.id}'s draft has no {name} (yet)", field="name")
    media = _TYPES[path.suffix]
    fresh = path.suffix == ".ts" and name.startswith("seg_")
    cache = "private, max-age=86400, immutable" if fresh else "no-store"
    return FileResponse(path, media_type=media, headers={"Cache-Control": cache})
