"""What the browser loads beside a render page: its live events (SSE), its files (with HTTP
Range, so the players can seek) and a thumbnail per scene.

Each delegates to the API's own handler with the session's principal, so what a role may read
is the API's rule (a creator their own renders, admins and auditors the tenant's), and another
tenant's render is the API's 404 here too. Auditors' pages link to these files as well."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse

from app.api.deps import ANY_ROLE, get_service, visible_render
from app.api.errors import DraftReplaced
from app.api.routes import drafts as api_drafts
from app.api.routes import events as api_events
from app.api.routes import files as api_files
from app.errors import NotFound
from app.web.auth import WebUser, page_for
from app.web.thumbnails import scene_thumbnail

router = APIRouter(include_in_schema=False)
Viewer = Annotated[WebUser, Depends(page_for(*ANY_ROLE))]
RenderId = Annotated[str, Path(max_length=64)]
# the report is one self-contained page with inline styles and data: thumbnails, no script
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
FILES = {
    "manifest.json": api_files.get_manifest,
    "report.html": api_files.get_report,
    "disclosure.vtt": api_files.get_disclosure,
    "captions.srt": api_files.get_captions_srt,
    "captions.vtt": api_files.get_captions_vtt,
}
ASPECT_SLUGS = ("16x9", "9x16", "1x1", "4x5")


@router.get("/renders/{render_id}/events")
async def render_events(
    request: Request,
    user: Viewer,
    render_id: RenderId,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
) -> StreamingResponse:
    return await api_events.render_events(
        get_service(request), user.principal, render_id, last_event_id=last_event_id
    )


@router.get("/renders/{render_id}/files/{name}")
async def render_file(
    request: Request,
    user: Viewer,
    render_id: RenderId,
    name: Annotated[str, Path(max_length=40)],
    download: bool = False,
) -> Response:  # a file, or a redirect to a presigned URL under S3
    service = get_service(request)
    if name in ASPECT_SLUGS:
        response = await api_files.get_output(service, user.principal, render_id, name)
    elif name in FILES:
        response = await FILES[name](service, user.principal, render_id)
    else:
        raise NotFound(f"render {render_id} has no file {name}")
    if name == "report.html":
        response.headers["Content-Security-Policy"] = REPORT_CSP
    if download:
        filename = f"{render_id}-{name}.mp4" if name in ASPECT_SLUGS else f"{render_id}-{name}"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/renders/{render_id}/draft/{name}")
async def draft_file(
    request: Request,
    user: Viewer,
    render_id: RenderId,
    name: Annotated[str, Path(pattern=api_drafts.FILE_PATTERN)],
) -> Response:
    """The render's draft (its manifest and fragments for the MSE player, draft.mp4 where
    MSE is missing), as the API serves it.

    The page polls the manifest while the draft is written. Once the render is final its draft
    is deleted, and a poll in the moment before the page hears so from its event stream would
    get the API's 410, which a browser logs as a failed load: here that manifest answers 200
    with `replaced: true`, and the player stops and shows the final videos."""
    try:
        return await api_drafts.get_draft_file(
            get_service(request), user.principal, render_id, name
        )
    except DraftReplaced:
        if name != "manifest.json":
            raise
        return JSONResponse(
            {"draft": False, "replaced": True, "render": render_id},
            headers={"Cache-Control": "no-store"},
        )


@router.get("/renders/{render_id}/scenes/{n}/thumbnail.jpg")
async def thumbnail(
    request: Request,
    user: Viewer,
    render_id: RenderId,
    n: Annotated[int, Path(ge=0, le=100_000)],
    aspect: Annotated[str | None, Query(pattern=r"^(16x9|9x16|1x1|4x5)$")] = None,
) -> Response:
    service = get_service(request)
    row = await visible_render(service, user.principal, render_id)
    path = await scene_thumbnail(service, row, n, aspect.replace("x", ":") if aspect else None)
    if path is None:
        raise NotFound(f"render {render_id} has no picture of scene {n + 1}")
    return FileResponse(
        path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"}
    )
