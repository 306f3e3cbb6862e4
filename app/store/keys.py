"""Tenants and API keys. A key is random, shown once, and stored only as its sha256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select

from app.store.db import Database
from app.store.models import KeyRow, TenantRow

KEY_PREFIX = "rrk_"


class Role(StrEnum):
    CREATOR = "creator"  # creates renders and sees their own
    AGENCY_ADMIN = "agency_admin"  # policies, webhooks, keys and every render of the tenant
    AUDITOR = "auditor"  # read-only: manifests, reports, audit queries, verify


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, its tenant and its role."""

    key_id: str
    tenant: str
    role: Role


@dataclass(frozen=True)
class NewKey:
    secret: str  # shown once
    principal: Principal


def now() -> datetime:
    return datetime.now(UTC)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def ensure_tenant(db: Database, tenant: str) -> None:
    async with db.session() as s:
        if await s.get(TenantRow, tenant) is None:
            s.add(TenantRow(id=tenant, created_at=now()))


async def create_key(db: Database, tenant: str, role: Role) -> NewKey:
    await ensure_tenant(db, tenant)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key_id = "key_" + secrets.token_hex(8)
    async with db.session() as s:
        s.add(
            KeyRow(
                id=key_id,
                tenant_id=tenant,
                role=role.value,
                secret_sha256=secret_hash(secret),
                created_at=now(),
            )
        )
    return NewKey(secret=secret, principal=Principal(key_id, tenant, role))


async def authenticate(db: Database, secret: str) -> Principal | None:
    """The principal for a live key, or None (unknown or revoked)."""
    async with db.session() as s:
        row = (
            await s.execute(select(KeyRow).where(KeyRow.secret_sha256 == secret_hash(secret)))
        ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return Principal(row.id, row.tenant_id, Role(row.role))


async def revoke_key(db: Database, key: str, tenant: str | None = None) -> bool:
    """Revoke by key id or by the secret itself; `tenant` limits it to one tenant's keys.
    False when no such live key exists."""
    column = KeyRow.secret_sha256 if key.startswith(KEY_PREFIX) else KeyRow.id
    value = secret_hash(key) if key.startswith(KEY_PREFIX) else key
    async with db.session() as s:
        row = (await s.execute(select(KeyRow).where(column == value))).scalar_one_or_none()
        if row is None or row.revoked_at is not None or (tenant and row.tenant_id != tenant):
            return False
        row.revoked_at = now()
    return True


async def any_key(db: Database) -> bool:
    """True when at least one live key exists (serve refuses public binds without one)."""
    async with db.session() as s:
        found = await s.execute(select(KeyRow.id).where(KeyRow.revoked_at.is_(None)).limit(1))
        return found.first() is not None


async def list_keys(db: Database, tenant: str) -> list[KeyRow]:
    async with db.session() as s:
        rows = await s.execute(
            select(KeyRow).where(KeyRow.tenant_id == tenant).order_by(KeyRow.created_at)
        )
        return list(rows.scalars())


async def get_key(db: Database, key_id: str) -> KeyRow | None:
    async with db.session() as s:
        return await s.get(KeyRow, key_id)
