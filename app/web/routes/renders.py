"""The creator's renders list (state, length, cost, date)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app.api.deps import get_service
from app.api.routes import renders as api
from app.web.auth import WebUser, page_for
from app.web.nav import CREATORS
from app.web.pages import render

router = APIRouter(include_in_schema=False)
CreatorPage = Annotated[WebUser, Depends(page_for(*CREATORS))]
PAGE_SIZE = 25

STATE_BADGES = {
    "planned": ("Planned", "badge--muted"),
    "approved": ("Queued", ""),
    "generating": ("Generating", ""),
    "composing": ("Composing", ""),
    "succeeded": ("Ready", "badge--ok"),
    "failed": ("Failed", "badge--bad"),
    "cancelled": ("Cancelled", "badge--warn"),
}


@router.get("/renders")
async def renders_list(
    request: Request,
    user: CreatorPage,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    page = await api.list_renders(
        get_service(request), user.principal, state=None, limit=PAGE_SIZE, offset=offset
    )
    return render(
        request,
        "renders.html",
        user,
        page=page,
        badges=STATE_BADGES,
        newer=max(offset - PAGE_SIZE, 0) if offset > 0 else None,
        older=offset + PAGE_SIZE if offset + PAGE_SIZE < page.total else None,
    )
