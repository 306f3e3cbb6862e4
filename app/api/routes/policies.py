"""/v1/policies: tenant policies (YAML or JSON), their versions, the enforced policy, explain."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response, status
from pydantic import Field

from app.api.deps import AdminDep, PrincipalDep, ServiceDep
from app.api.errors import documented
from app.api.policy_preview import PreviewIn, PreviewOut, preview
from app.api.policy_source import parse_body
from app.api.schemas import EnforcedIn, EnforcedOut, PolicyOut, RenderSummary
from app.api.state import Service
from app.api.views import iso, render_summary
from app.errors import InputError, NotFound, PolicyInvalid
from app.store import policies as policy_store
from app.store.keys import Role
from app.store.models import PolicyVersionRow
from routing.explain import explain_policy
from routing.policy import Policy

router = APIRouter(prefix="/v1/policies", tags=["policies"])
PolicyName = Annotated[str, Path(max_length=128, description="the policy's id")]
_EXAMPLE_YAML = """id: acme-strict
name: ACME strict sourcing
allegations:
  exclude_topics: [unauthorized-distillation]
  min_status: alleged
sourcing:
  official_api: true
sort: quality
"""
_POLICY_BODY: dict[str, Any] = {
    "required": True,
    "description": "A policy document: YAML (`application/yaml`) or JSON (`application/json`). "
    "Errors name the field and the line.",
    "content": {
        "application/yaml": {"schema": {"type": "string"}, "example": _EXAMPLE_YAML},
        "application/json": {
            "schema": {"type": "object"},
            "example": {"id": "acme-strict", "sourcing": {"official_api": True}},
        },
    },
}
RESERVED = {"enforced", "preview"}


class PolicyVersionOut(PolicyOut):
    renders: list[RenderSummary] = Field(
        description="renders made under this version, newest first"
    )


def policy_out(row: PolicyVersionRow) -> PolicyOut:
    return PolicyOut(
        id=row.name,
        version=row.version,
        sha256=row.sha256,
        used=row.used,
        created_at=iso(row.created_at),
        body=row.body,
    )


async def _text(request: Request) -> str:
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("the policy must be UTF-8 text (YAML or JSON)") from exc
    if not text.strip():
        raise PolicyInvalid("the policy document is empty", field="id")
    return text


async def store_policy(service: Service, tenant: str, text: str) -> policy_store.SavedPolicy:
    """Validate policy text and store it under its `id` (the API's and the web editor's save)."""
    policy = parse_body(text, "policy", service.catalog)
    if policy.id in RESERVED:
        raise PolicyInvalid(f"{policy.id!r} is a reserved name; choose another id", field="id")
    body = json.loads(policy.canonical_json())
    return await policy_store.save_policy(service.db, tenant, policy.id, body, policy.sha256, text)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": _POLICY_BODY},
    responses={
        200: {"model": PolicyOut, "description": "unchanged, or an unused version replaced"},
        **documented(401, 403, 413, 422),
    },
)
async def save_policy(
    service: ServiceDep, principal: AdminDep, request: Request, response: Response
) -> PolicyOut:
    """Validate and store a policy under its `id`. A version a render used is immutable, so
    saving again then makes a new version."""
    saved = await store_policy(service, principal.tenant, await _text(request))
    if not saved.created:
        response.status_code = status.HTTP_200_OK
    return policy_out(saved.row)


@router.get("", responses=documented(401))
async def list_policies(service: ServiceDep, principal: PrincipalDep) -> list[PolicyOut]:
    """The tenant's policies (latest version of each)."""
    return [policy_out(r) for r in await policy_store.list_policies(service.db, principal.tenant)]


@router.post("/preview", responses=documented(401, 403, 413, 422))
async def preview_policy(service: ServiceDep, principal: AdminDep, body: PreviewIn) -> PreviewOut:
    """Check a draft policy without saving it: its issues (each with field and line), what it
    removes per scene kind, and, given a `script`, the plan it would make. Spends nothing; an
    invalid draft is `valid: false` with its issues, not an error."""
    return await preview(service, principal, body)


@router.get("/enforced", responses=documented(401))
async def get_enforced(service: ServiceDep, principal: PrincipalDep) -> EnforcedOut:
    """The agency's binding policy: every render of the tenant is routed within it."""
    return EnforcedOut(policy_id=await policy_store.enforced_name(service.db, principal.tenant))


@router.put("/enforced", responses=documented(401, 403, 404, 422))
async def set_enforced(service: ServiceDep, principal: AdminDep, body: EnforcedIn) -> EnforcedOut:
    """Bind the tenant's creators to a policy: what they pick can narrow it, never widen it."""
    if body.policy_id is not None:
        found = await policy_store.get_policy(service.db, principal.tenant, body.policy_id)
        if found is None:
            raise NotFound(f"no policy {body.policy_id!r} in this tenant", field="policy_id")
    await policy_store.set_enforced(service.db, principal.tenant, body.policy_id)
    return EnforcedOut(policy_id=body.policy_id)


async def _version(
    service: ServiceDep, tenant: str, name: str, version: int | None
) -> PolicyVersionRow:
    row = await policy_store.get_policy(service.db, tenant, name, version)
    if row is None:
        raise NotFound(
            f"no policy {name!r}" + (f" version {version}" if version else ""), field="policy_id"
        )
    return row


@router.get("/{policy_id}", responses=documented(401, 404, 422))
async def get_policy(
    service: ServiceDep,
    principal: PrincipalDep,
    policy_id: PolicyName,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> PolicyOut:
    """One policy (latest version unless `version` is given)."""
    return policy_out(await _version(service, principal.tenant, policy_id, version))


@router.get("/{policy_id}/versions", responses=documented(401, 404, 422))
async def policy_versions(
    service: ServiceDep, principal: PrincipalDep, policy_id: PolicyName
) -> list[PolicyVersionOut]:
    """Every version, oldest first, with the renders made under it; `used` ones are
    immutable. A creator sees only their own renders."""
    rows = await policy_store.list_versions(service.db, principal.tenant, policy_id)
    if not rows:
        raise NotFound(f"no policy {policy_id!r}", field="policy_id")
    using = await policy_store.renders_using(service.db, principal.tenant, policy_id)
    mine = principal.key_id if principal.role is Role.CREATOR else None
    return [
        PolicyVersionOut(
            **policy_out(r).model_dump(),
            renders=[
                render_summary(x)
                for x in using.get(r.version, [])
                if mine is None or x.created_by == mine
            ],
        )
        for r in rows
    ]


_EXPLAIN_EXAMPLE = {
    "policy": {"id": "acme-strict", "sha256": "sha256:9f2c…"},
    "based_on": [],
    "today": "2026-12-04",
    "sample_scene": {"duration": 5.0, "aspect": "16:9"},
    "rules": {"policy.ignore": {"kling/kling-v2-6": ["action", "landscape"]}},
    "scene_kinds": {
        "landscape": {
            "eligible": ["local/local-motion-1", "veo/veo-3.1-generate-preview"],
            "removed": {"kling/kling-v2-6": ["policy.ignore"]},
            "unavailable": {},
        }
    },
    "on_failure": {"allow_fallbacks": True, "rate_limit_wait_budget_s": 120},
}


@router.get(
    "/{policy_id}/explain",
    responses={
        200: {"content": {"application/json": {"example": _EXPLAIN_EXAMPLE}}},
        **documented(401, 404, 422),
    },
)
async def explain(
    service: ServiceDep,
    principal: PrincipalDep,
    policy_id: PolicyName,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> dict[str, Any]:
    """Which rule removes which provider/model, per scene kind."""
    row = await _version(service, principal.tenant, policy_id, version)
    today = dt.datetime.now(dt.UTC).date()
    result = explain_policy(Policy.model_validate(row.body), service.catalog.profiles, today)
    return result.to_dict()
