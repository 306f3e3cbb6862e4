"""Tenant webhooks and the record of every delivery attempt."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from app.store.db import Database
from app.store.keys import now
from app.store.models import DeliveryRow, WebhookRow


async def create_webhook(db: Database, tenant: str, url: str, events: list[str]) -> WebhookRow:
    row = WebhookRow(
        id="whk_" + secrets.token_hex(8),
        tenant_id=tenant,
        url=url,
        secret="whsec_" + secrets.token_urlsafe(32),
        events=events,
        created_at=now(),
    )
    async with db.session() as s:
        s.add(row)
    return row


async def list_webhooks(db: Database, tenant: str) -> list[WebhookRow]:
    async with db.session() as s:
        rows = await s.execute(
            select(WebhookRow).where(WebhookRow.tenant_id == tenant).order_by(WebhookRow.created_at)
        )
        return list(rows.scalars())


async def get_webhook(db: Database, webhook_id: str) -> WebhookRow | None:
    async with db.session() as s:
        return await s.get(WebhookRow, webhook_id)


async def delete_webhook(db: Database, webhook_id: str) -> None:
    async with db.session() as s:
        row = await s.get(WebhookRow, webhook_id)
        if row is not None:
            await s.delete(row)


async def record_delivery(db: Database, row: DeliveryRow) -> None:
    async with db.session() as s:
        s.add(row)


async def deliveries(db: Database, webhook_id: str, limit: int = 100) -> list[DeliveryRow]:
    async with db.session() as s:
        rows = await s.execute(
            select(DeliveryRow)
            .where(DeliveryRow.webhook_id == webhook_id)
            .order_by(DeliveryRow.id.desc())
            .limit(limit)
        )
        return list(rows.scalars())
