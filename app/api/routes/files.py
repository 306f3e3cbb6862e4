"""/v1/renders/{id}/…: the finished files (outputs with HTTP Range, manifest, report,
disclosure track, captions).

With a local store the API streams the file. With a bucket (REELROUTE_S3_BUCKET) it answers
307 with a presigned URL, made only after the tenant check, so the bytes come from the bucket
(Range works there too) and the URL expires after `s3_presign_expiry_s`."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse, RedirectResponse, Response

from app.api.deps import PrincipalDep, ServiceDep, visible_render
from app.api.errors import InvalidState, documented
from app.api.state import Service
from app.errors import NotFound
from app.store.keys import Principal
from app.store.models import RenderRow
from app.store.renders import RenderState
from providers.types import Aspect

router = APIRouter(prefix="/v1/renders", tags=["files"])
RenderId = Annotated[str, Path(max_length=64)]
_ERRORS = documented(401, 404, 409, 416, 422)


def _file_response(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    ok = {
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        "description": description,
    }
    return {
        200: ok,
        206: {**ok, "description": "the requested byte range"},
        307: {"description": "with S3 storage: a presigned, expiring URL of the file (Location)"},
        **_ERRORS,
    }


def _entry(row: RenderRow, match: str) -> dict[str, Any]:
    """The stored output whose aspect or file name matches (`.srt`: the captions)."""
    if row.state != RenderState.SUCCEEDED:
        raise InvalidState(f"render {row.id} is {row.state}; its files appear when it succeeded")
    for entry in row.outputs:
        name = str(entry.get("name") or "")
        if entry.get("aspect") == match or name == match:
            return dict(entry)
        if (
            match.startswith("captions")
            and name.endswith(match[len("captions") :])
            and (name != "disclosure.vtt")
        ):
            return dict(entry)
    raise NotFound(f"render {row.id} has no {match}", field="aspect")


async def _serve(
    service: Service, principal: Principal, render_id: str, match: str, media_type: str
) -> Response:
    row = await visible_render(service, principal, render_id)  # the tenant check comes first
    entry = _entry(row, match)
    key = str(entry["key"])
    filename = key.rsplit("/", 1)[-1]
    url = await asyncio.to_thread(service.blobs.download_url, key, filename, media_type)
    if url is not None:
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    path = service.blobs.local_path(key)
    if path is None:
        raise NotFound(f"the stored file for {match} of render {row.id} is missing")
    return FileResponse(
        path, media_type=media_type, filename=filename, content_disposition_type="inline"
    )


@router.get(
    "/{render_id}/outputs/{aspect}",
    response_class=FileResponse,
    responses=_file_response("video/mp4", "the MP4 (HTTP Range supported)"),
)
async def get_output(
    service: ServiceDep,
    principal: PrincipalDep,
    render_id: RenderId,
    aspect: Annotated[str, Path(pattern=r"^(16x9|9x16|1x1|4x5)$", description="e.g. 16x9")],
) -> Response:
    """One aspect's MP4; send `Range: bytes=…` to seek."""
    return await _serve(
        service, principal, render_id, Aspect(aspect.replace("x", ":")).value, "video/mp4"
    )


@router.get(
    "/{render_id}/manifest",
    response_class=FileResponse,
    responses=_file_response("application/json", "the signed manifest"),
)
async def get_manifest(
    service: ServiceDep, principal: PrincipalDep, render_id: RenderId
) -> Response:
    """The signed audit manifest (`reelroute.manifest/1`)."""
    return await _serve(service, principal, render_id, "manifest.json", "application/json")


@router.get(
    "/{render_id}/report",
    response_class=FileResponse,
    responses=_file_response("text/html", "the audit report"),
)
async def get_report(service: ServiceDep, principal: PrincipalDep, render_id: RenderId) -> Response:
    """The self-contained audit report for people."""
    return await _serve(service, principal, render_id, "report.html", "text/html")


@router.get(
    "/{render_id}/disclosure.vtt",
    response_class=FileResponse,
    responses=_file_response("text/vtt", "per-scene disclosure track"),
)
async def get_disclosure(
    service: ServiceDep, principal: PrincipalDep, render_id: RenderId
) -> Response:
    """A WebVTT track naming which model made each scene."""
    return await _serve(service, principal, render_id, "disclosure.vtt", "text/vtt")


@router.get(
    "/{render_id}/captions.srt",
    response_class=FileResponse,
    responses=_file_response("application/x-subrip", "captions (SubRip)"),
)
async def get_captions_srt(
    service: ServiceDep, principal: PrincipalDep, render_id: RenderId
) -> Response:
    """The narration captions as SubRip, for platforms that want them beside the video."""
    return await _serve(service, principal, render_id, "captions.srt", "application/x-subrip")


@router.get(
    "/{render_id}/captions.vtt",
    response_class=FileResponse,
    responses=_file_response("text/vtt", "captions (WebVTT)"),
)
async def get_captions_vtt(
    service: ServiceDep, principal: PrincipalDep, render_id: RenderId
) -> Response:
    """The narration captions as WebVTT."""
    return await _serve(service, principal, render_id, "captions.vtt", "text/vtt")
