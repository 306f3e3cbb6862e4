"""The auditor's pages: audit search with CSV export, a render's disclosure (freshly
verified, with the manifest and report to download), and "Verify a video"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile

from app.api.deps import get_service
from app.api.routes import audit as audit_api
from app.api.routes import disclosure as disclosure_api
from app.api.routes import files as files_api
from app.api.routes import verify as verify_api
from app.api.schemas import AuditScenes
from app.errors import InputError
from app.web.auth import WebUser, acting, page_for
from app.web.nav import AUDITORS
from app.web.pages import render

router = APIRouter(include_in_schema=False)
AuditorsPage = Annotated[WebUser, Depends(page_for(*AUDITORS))]
AuditorsAction = Annotated[WebUser, Depends(acting(*AUDITORS))]
RESULTS = 500  # rows shown on the page; the CSV export has up to the API's 10,000
Text = Annotated[str, Query(max_length=128)]


@dataclass(frozen=True)
class Search:
    provider: str = ""
    model: str = ""
    topic: str = ""
    since: str = ""  # YYYY-MM-DD, inclusive
    until: str = ""  # YYYY-MM-DD, inclusive

    @property
    def given(self) -> bool:
        return any((self.provider, self.model, self.topic, self.since, self.until))

    def query(self) -> str:
        pairs = {"provider": self.provider, "model": self.model, "topic": self.topic,
                 "from": self.since, "to": self.until}  # fmt: skip
        return urlencode({k: v for k, v in pairs.items() if v})


def _day(value: str, *, end: bool = False) -> dt.datetime | None:
    """A date field as the start of that day (UTC), or of the next day for an inclusive end."""
    if not value:
        return None
    day = dt.date.fromisoformat(value)
    return dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time(), dt.UTC)


async def _scenes(
    request: Request, user: WebUser, s: Search, fmt: Literal["json", "csv"], limit: int
) -> Any:
    try:
        since, until = _day(s.since), _day(s.until, end=True)
    except ValueError as exc:
        raise InputError("dates are YYYY-MM-DD", field="from") from exc
    return await audit_api.audit_scenes(
        get_service(request), user.principal, provider=s.provider or None, model=s.model or None,
        allegation_topic=s.topic or None, from_=since, to=until, format=fmt, limit=limit,
        offset=0,
    )  # fmt: skip


def _search(
    provider: Text = "", model: Text = "", topic: Text = "",
    since: Annotated[str, Query(alias="from", max_length=10)] = "",
    until: Annotated[str, Query(alias="to", max_length=10)] = "",
) -> Search:  # fmt: skip
    return Search(provider.strip(), model.strip(), topic.strip(), since, until)


SearchDep = Annotated[Search, Depends(_search)]


@router.get("/audit")
async def audit_page(request: Request, user: AuditorsPage, search: SearchDep) -> Response:
    catalog = get_service(request).catalog
    topics = sorted({a.topic for p in catalog.profiles for a in p.sourcing.allegations})
    found: AuditScenes | None = None
    if search.given:
        found = await _scenes(request, user, search, "json", RESULTS)
    return render(
        request, "audit.html", user, search=search, found=found, limit=RESULTS,
        providers=[p.id for p in catalog.profiles], topics=topics,
    )  # fmt: skip


@router.get("/audit/export.csv")
async def audit_export(request: Request, user: AuditorsPage, search: SearchDep) -> Response:
    response: Response = await _scenes(request, user, search, "csv", 10_000)
    return response


@router.get("/audit/renders/{render_id}")
async def disclosure_page(request: Request, user: AuditorsPage, render_id: str) -> Response:
    record = await disclosure_api.get_disclosure_record(
        get_service(request), user.principal, render_id[:64]
    )
    signature = [c.verdict for c in record.checks if c.name == "manifest.signature"]
    c2pa = [c.verdict for c in record.checks if "c2pa" in c.name]
    return render(
        request, "disclosure.html", user, d=record,
        signature=summary_verdict(signature), c2pa=summary_verdict(c2pa),
    )  # fmt: skip


def summary_verdict(verdicts: Sequence[str]) -> str:
    """One verdict for a group of checks: any failure fails it; else a pass passes it."""
    for verdict in ("fail", "pass", "warn"):
        if verdict in verdicts:
            return verdict
    return "skip"


def _download(response: Response, name: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/audit/renders/{render_id}/manifest.json")
async def manifest_download(request: Request, user: AuditorsPage, render_id: str) -> Response:
    served = await files_api.get_manifest(get_service(request), user.principal, render_id[:64])
    return _download(served, f"{render_id[:64]}-manifest.json")


@router.get("/audit/renders/{render_id}/report.html")
async def report_download(request: Request, user: AuditorsPage, render_id: str) -> Response:
    served = await files_api.get_report(get_service(request), user.principal, render_id[:64])
    return _download(served, f"{render_id[:64]}-report.html")


@router.get("/verify")
async def verify_page(request: Request, user: AuditorsPage) -> Response:
    return render(request, "verify.html", user, result=None, filename=None)


@router.post("/verify")
async def verify_upload(
    request: Request, user: AuditorsAction, file: Annotated[UploadFile, File()]
) -> Response:
    result = await verify_api.verify_upload(get_service(request), user.principal, file)
    return render(request, "verify.html", user, result=result, filename=file.filename)
