"""/v1/renders/{id}/disclosure: a finished render, scene by scene, freshly verified."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.api.deps import PrincipalDep, ServiceDep, visible_render
from app.api.disclosure import DisclosureOut, disclose
from app.api.errors import InvalidState, documented
from app.store.renders import RenderState

router = APIRouter(prefix="/v1/renders", tags=["files"])


@router.get("/{render_id}/disclosure", responses=documented(401, 404, 409, 422))
async def get_disclosure_record(
    service: ServiceDep, principal: PrincipalDep, render_id: Annotated[str, Path(max_length=64)]
) -> DisclosureOut:
    """Per scene: provider → model → the policy's verdict and why → cost; and the verification
    of the stored files (manifest signature, C2PA credentials, hashes) as `verify` makes it."""
    row = await visible_render(service, principal, render_id)
    if row.state != RenderState.SUCCEEDED:
        raise InvalidState(
            f"render {row.id} is {row.state}; its disclosure exists once it succeeded"
        )
    return await disclose(service, row)
