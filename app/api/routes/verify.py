"""/v1/verify: check any uploaded MP4 the way `reelroute verify` does, and find its render.

An upload is checked against the manifest of the render its C2PA credentials name, when that
render is the caller's tenant's (so an altered copy fails its hash and credential checks);
otherwise against its own credentials alone.

Whatever its credentials say (a platform may have stripped them), its picture's fingerprint is
matched against the fingerprints the ledger holds for the renders the caller may see (their
tenant's; a creator's own), as `reelroute verify --find` does locally: `find` names the render,
its manifest link and the matching time range, or says nothing matched.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

from app.api.deps import PrincipalDep, ServiceDep, visible_render
from app.api.errors import documented
from app.api.schemas import FindOut, FoundRender, VerifyCheck, VerifyOut
from app.api.state import Service
from app.errors import LimitExceeded, NotFound
from app.provenance.credentials import CredentialError, load_trust_anchors, read_credentials
from app.provenance.fingerprint import QUERY_FPS, video_hashes
from app.provenance.fingerprint_index import matching
from app.provenance.verify import VerifyInputs, failed, verify_path
from app.store.fingerprints import visible_fingerprints
from app.store.keys import Principal, Role
from providers.media import RenderError

router = APIRouter(prefix="/v1/verify", tags=["verify"])
_CHUNK = 1 << 20


async def _save(upload: UploadFile, dest: Path, cap: int) -> None:
    size = 0
    with dest.open("wb") as fh:
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > cap:
                raise LimitExceeded(f"the upload is larger than the {cap}-byte limit", field="file")
            fh.write(chunk)


def _size_of(path: Path) -> tuple[int, int] | None:
    import av

    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            return int(stream.width), int(stream.height)
    except (av.FFmpegError, IndexError, OSError):
        return None


async def _render_folder(
    service: Service, principal: Principal, upload: Path, work: Path, anchors: str | None
) -> Path:
    """Lay the upload beside its render's manifest when the credentials name one we may see;
    returns the path to verify."""
    readout = None
    if anchors is not None:
        try:
            readout = await asyncio.to_thread(read_credentials, upload, anchors)
        except CredentialError:
            readout = None
    render_id = (readout.disclosure or {}).get("render_id") if readout else None
    if not render_id:
        return upload
    try:
        row = await visible_render(service, principal, str(render_id))
    except NotFound:
        return upload
    manifest_key = next((o["key"] for o in row.outputs if o.get("name") == "manifest.json"), None)
    manifest_path = service.blobs.local_path(manifest_key) if manifest_key else None
    if manifest_path is None:
        return upload
    folder = work / "render"
    folder.mkdir()
    for entry in row.outputs:  # the manifest and the files beside it that it vouches for
        stored = service.blobs.local_path(str(entry["key"])) if entry.get("name") else None
        if stored is not None and entry["name"] in (
            "manifest.json",
            "disclosure.vtt",
            "report.html",
        ):
            shutil.copy(stored, folder / str(entry["name"]))
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    size = _size_of(upload)
    outputs = manifest.get("outputs", [])
    entry = next((o for o in outputs if (o.get("width"), o.get("height")) == size), None)
    entry = entry or (outputs[0] if outputs else {"file": "upload.mp4"})
    target = folder / str(entry["file"])
    shutil.move(upload, target)
    return target


def _scenes(target: Path) -> list[dict[str, Any]]:
    manifest = target.parent / "manifest.json"
    if not manifest.is_file():
        return []
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return [
        {
            "index": s.get("index"),
            "start": s.get("timeline", {}).get("start"),
            "end": s.get("timeline", {}).get("end"),
            "provider": s.get("clip", {}).get("provider"),
            "model": s.get("clip", {}).get("model"),
        }
        for s in data.get("scenes", [])
    ]


async def _find(service: Service, principal: Principal, copy: Path) -> FindOut:
    """The renders the caller may see whose output the copy's picture matches."""
    try:
        query = await video_hashes(copy, QUERY_FPS)
    except RenderError:
        query = None
    if query is None or len(query) == 0:
        return FindOut(status="not_video", detail="the upload has no readable video", matches=[])
    own = principal.key_id if principal.role is Role.CREATOR else None
    known = await visible_fingerprints(service.db, principal.tenant, own)
    found = await asyncio.to_thread(matching, known, query)
    matches = [
        FoundRender(
            render_id=entry.render_id,
            aspect=entry.aspect,
            output=entry.file,
            manifest=f"/v1/renders/{entry.render_id}/manifest",
            start_s=a.start_s,
            end_s=a.end_s,
            copy_start_s=round(a.copy_start_s, 2),
            distance_bits=round(a.distance, 2),
        )
        for entry, a in found
    ]
    if not matches:
        detail = f"matches none of the {len(known)} outputs of the renders you can see"
        return FindOut(status="no_match", detail=detail, matches=[])
    detail = f"matches {len(matches)} output(s) of the renders you can see"
    return FindOut(status="matched", detail=detail, matches=matches)


_UPLOAD = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "example": {"file": "(the bytes of lisbon-trams-16x9.mp4)"},
            }
        }
    }
}


@router.post("", responses=documented(401, 413, 422), openapi_extra=_UPLOAD)
async def verify_upload(
    service: ServiceDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="an MP4 made by reelroute (or anything)")],
) -> VerifyOut:
    """The checks `reelroute verify` makes, the per-scene disclosure, and which of your
    renders the file is a copy of (`find`: by its picture, even when stripped of metadata,
    re-encoded, scaled or trimmed)."""
    anchors = load_trust_anchors(service.settings)
    with tempfile.TemporaryDirectory(prefix="reelroute-verify-") as tmp:
        work = Path(tmp)
        upload = work / "upload.mp4"
        await _save(file, upload, service.settings.max_upload_bytes)
        target = await _render_folder(service, principal, upload, work, anchors.pem)
        inputs = VerifyInputs(anchors, service.settings.clip_cache_dir, service.catalog)
        checks = await asyncio.to_thread(verify_path, target, inputs)
        scenes = _scenes(target)
        find = await _find(service, principal, target)
    # The checks name files by their path: the server's scratch folder is nobody's business.
    inside = f"{target.parent}{os.sep}"
    return VerifyOut(
        ok=not failed(checks),
        checks=[
            VerifyCheck(name=c.name, verdict=c.verdict.value, detail=c.detail.replace(inside, ""))
            for c in checks
        ],
        scenes=scenes,
        find=find,
    )
