"""Tenant policies and their versions. A version a render used is immutable: saving the same
name again then makes a new version; an unused latest version is replaced in place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from app.store.db import Database
from app.store.keys import now
from app.store.models import PolicyRow, PolicyVersionRow, RenderRow, TenantRow


@dataclass(frozen=True)
class SavedPolicy:
    row: PolicyVersionRow
    created: bool  # a new version (or a new policy) was made


async def save_policy(
    db: Database, tenant: str, name: str, body: dict[str, Any], sha256: str, source: str
) -> SavedPolicy:
    async with db.session() as s:
        head = await s.get(PolicyRow, (tenant, name))
        if head is None:
            head = PolicyRow(tenant_id=tenant, name=name, latest_version=0, created_at=now())
            s.add(head)
        latest = (
            await s.get(PolicyVersionRow, (tenant, name, head.latest_version))
            if head.latest_version
            else None
        )
        if latest is not None and latest.sha256 == sha256:
            return SavedPolicy(latest, created=False)
        if latest is not None and not latest.used:
            latest.body, latest.sha256, latest.source = body, sha256, source
            latest.created_at = now()
            return SavedPolicy(latest, created=False)
        head.latest_version += 1
        row = PolicyVersionRow(
            tenant_id=tenant,
            name=name,
            version=head.latest_version,
            body=body,
            sha256=sha256,
            source=source,
            used=False,
            created_at=now(),
        )
        s.add(row)
        return SavedPolicy(row, created=True)


async def get_policy(
    db: Database, tenant: str, name: str, version: int | None = None
) -> PolicyVersionRow | None:
    async with db.session() as s:
        if version is None:
            head = await s.get(PolicyRow, (tenant, name))
            if head is None:
                return None
            version = head.latest_version
        return await s.get(PolicyVersionRow, (tenant, name, version))


async def list_policies(db: Database, tenant: str) -> list[PolicyVersionRow]:
    """The latest version of each of the tenant's policies, by name."""
    async with db.session() as s:
        rows = await s.execute(
            select(PolicyVersionRow)
            .join(
                PolicyRow,
                (PolicyRow.tenant_id == PolicyVersionRow.tenant_id)
                & (PolicyRow.name == PolicyVersionRow.name)
                & (PolicyRow.latest_version == PolicyVersionRow.version),
            )
            .where(PolicyVersionRow.tenant_id == tenant)
            .order_by(PolicyVersionRow.name)
        )
        return list(rows.scalars())


async def list_versions(db: Database, tenant: str, name: str) -> list[PolicyVersionRow]:
    async with db.session() as s:
        rows = await s.execute(
            select(PolicyVersionRow)
            .where(PolicyVersionRow.tenant_id == tenant, PolicyVersionRow.name == name)
            .order_by(PolicyVersionRow.version)
        )
        return list(rows.scalars())


async def mark_used(db: Database, tenant: str, name: str, version: int) -> None:
    async with db.session() as s:
        await s.execute(
            update(PolicyVersionRow)
            .where(
                PolicyVersionRow.tenant_id == tenant,
                PolicyVersionRow.name == name,
                PolicyVersionRow.version == version,
            )
            .values(used=True)
        )


async def set_enforced(db: Database, tenant: str, name: str | None) -> None:
    async with db.session() as s:
        row = await s.get(TenantRow, tenant)
        if row is not None:
            row.enforced_policy = name


async def enforced_name(db: Database, tenant: str) -> str | None:
    async with db.session() as s:
        row = await s.get(TenantRow, tenant)
        return row.enforced_policy if row is not None else None


async def renders_using(db: Database, tenant: str, name: str) -> dict[int, list[RenderRow]]:
    """The tenant's renders made under each version of the policy `name`, newest first."""
    async with db.session() as s:
        rows = await s.execute(
            select(RenderRow)
            .where(RenderRow.tenant_id == tenant, RenderRow.policy_name == name)
            .order_by(RenderRow.created_at.desc(), RenderRow.id)
        )
        out: dict[int, list[RenderRow]] = {}
        for row in rows.scalars():
            if row.policy_version is not None:
                out.setdefault(row.policy_version, []).append(row)
        return out
