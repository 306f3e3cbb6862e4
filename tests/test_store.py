"""The ledger on SQLite and PostgreSQL: migrations, keys, policy versions, events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app.store import policies as policy_store
from app.store import renders as render_store
from app.store.db import Database, DatabaseUrlError, async_url
from app.store.keys import Role, authenticate, create_key, revoke_key
from app.store.models import RenderRow
from tests.service_db import database_url  # noqa: F401  (fixture)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:  # noqa: F811
    database = Database(database_url)
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()


def test_plain_urls_get_an_async_driver() -> None:
    assert async_url("postgresql://u@h:5432/db") == "postgresql+asyncpg://u@h:5432/db"
    assert async_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"
    with pytest.raises(DatabaseUrlError, match="mysql"):
        async_url("mysql://u@h/db")
    with pytest.raises(DatabaseUrlError, match="no scheme"):
        async_url("reelroute.db")


async def test_migrations_are_idempotent(db: Database) -> None:
    await db.migrate()  # a second start finds the schema current


async def test_keys_are_stored_hashed_and_revocable(db: Database) -> None:
    made = await create_key(db, "acme", Role.CREATOR)
    assert made.secret.startswith("rrk_") and len(made.secret) > 40
    found = await authenticate(db, made.secret)
    assert found == made.principal
    async with db.sessions() as s:
        from sqlalchemy import text

        stored = (await s.execute(text("select secret_sha256 from keys"))).scalar_one()
    assert made.secret not in stored
    assert await revoke_key(db, made.principal.key_id, tenant="other") is False
    assert await revoke_key(db, made.principal.key_id) is True
    assert await authenticate(db, made.secret) is None


async def test_a_used_policy_version_is_immutable(db: Database) -> None:
    await create_key(db, "acme", Role.AGENCY_ADMIN)
    first = await policy_store.save_policy(db, "acme", "p", {"id": "p"}, "sha256:1", "id: p")
    assert first.created and first.row.version == 1
    replaced = await policy_store.save_policy(
        db, "acme", "p", {"id": "p", "sort": "price"}, "sha256:2", "id: p\nsort: price"
    )
    assert not replaced.created and replaced.row.version == 1  # unused: replaced in place
    await policy_store.mark_used(db, "acme", "p", 1)
    newer = await policy_store.save_policy(db, "acme", "p", {"id": "p"}, "sha256:3", "id: p")
    assert newer.created and newer.row.version == 2
    old = await policy_store.get_policy(db, "acme", "p", 1)
    assert old is not None and old.sha256 == "sha256:2" and old.used


async def test_event_sequence_is_per_render(db: Database) -> None:
    await create_key(db, "acme", Role.CREATOR)
    now = render_store.now()
    for rid in ("r1", "r2"):
        await render_store.insert_render(
            db,
            RenderRow(
                id=rid,
                tenant_id="acme",
                created_by="k",
                state="planned",
                request={},
                plan={},
                request_sha256="x",
                outputs=[],
                created_at=now,
                updated_at=now,
            ),
        )
    assert [await render_store.append_event(db, "r1", "state", {}) for _ in range(3)] == [1, 2, 3]
    assert await render_store.append_event(db, "r2", "state", {}) == 1
    assert [e.seq for e in await render_store.events_after(db, "r1", 1)] == [2, 3]


async def test_two_writers_never_share_an_event_id(db: Database) -> None:
    other = Database(db.url)  # a second engine, as a second process would have
    try:
        await create_key(db, "acme", Role.CREATOR)
        now = render_store.now()
        await render_store.insert_render(db, RenderRow(
            id="r1", tenant_id="acme", created_by="k", state="planned", request={}, plan={},
            request_sha256="x", outputs=[], created_at=now, updated_at=now,
        ))  # fmt: skip

        async def write(database: Database) -> list[int]:
            return [await render_store.append_event(database, "r1", "t", {}) for _ in range(15)]

        first, second = await asyncio.gather(write(db), write(other))
        assert sorted(first + second) == list(range(1, 31))
    finally:
        await other.close()
