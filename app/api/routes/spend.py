"""/v1/spend: the tenant's budget (from its enforced policy) and what its renders spent."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import AuditDep, ServiceDep
from app.api.errors import documented
from app.api.schemas import AuditProvider
from app.store import policies as policy_store
from app.store import renders as render_store
from app.store.renders import AuditFilter
from app.store.spend import SpendLine, tenant_spend_breakdown
from routing.policy import Policy

router = APIRouter(prefix="/v1/spend", tags=["spend"])


class SpendGroup(BaseModel):
    group: str = Field(description="a month (YYYY-MM) or a key id")
    renders: int
    estimated_usd: float
    spent_usd: float


class SpendOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "enforced_policy": "acme-strict",
                    "per_tenant_usd": 500.0,
                    "per_video_usd": 20.0,
                    "spent_usd": 42.5,
                    "remaining_usd": 457.5,
                    "renders": 12,
                    "by_month": [
                        {
                            "group": "2026-12",
                            "renders": 12,
                            "estimated_usd": 44.0,
                            "spent_usd": 42.5,
                        }
                    ],
                    "by_key": [],
                    "by_provider": [
                        {"provider": "veo", "scenes": 9, "seconds": 54.0, "cost_usd": 40.5}
                    ],
                }
            ]
        }
    )
    enforced_policy: str | None = Field(description="the tenant's binding policy, if any")
    per_tenant_usd: float | None = Field(description="its budget over all the tenant's renders")
    per_video_usd: float | None = Field(description="its budget per render")
    spent_usd: float
    remaining_usd: float | None = Field(description="per_tenant_usd - spent_usd, when a budget")
    renders: int
    by_month: list[SpendGroup]
    by_key: list[SpendGroup] = Field(description="per API key that made the renders")
    by_provider: list[AuditProvider]


def _groups(lines: list[SpendLine]) -> list[SpendGroup]:
    return [SpendGroup(**vars(line)) for line in lines]


@router.get("", responses=documented(401, 403))
async def get_spend(service: ServiceDep, principal: AuditDep) -> SpendOut:
    """Spend per month, per key and per provider, against the enforced policy's budgets
    (`budget.per_tenant_usd` counts every render the tenant ever made)."""
    tenant = principal.tenant
    enforced = await policy_store.enforced_name(service.db, tenant)
    row = await policy_store.get_policy(service.db, tenant, enforced) if enforced else None
    budget = Policy.model_validate(row.body).budget if row is not None else None
    spend = await tenant_spend_breakdown(service.db, tenant)
    per_tenant = budget.per_tenant_usd if budget is not None else None
    providers = await render_store.audit_summary(service.db, tenant, AuditFilter())
    return SpendOut(
        enforced_policy=enforced,
        per_tenant_usd=per_tenant,
        per_video_usd=budget.per_video_usd if budget is not None else None,
        spent_usd=spend.spent_usd,
        remaining_usd=round(per_tenant - spend.spent_usd, 6) if per_tenant is not None else None,
        renders=spend.renders,
        by_month=_groups(spend.by_month),
        by_key=_groups(spend.by_key),
        by_provider=[
            AuditProvider(provider=p, scenes=n, seconds=round(sec, 3), cost_usd=round(c, 6))
            for p, n, sec, c in providers
        ],
    )
