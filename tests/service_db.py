"""Ledger databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on the
server at 127.0.0.1:5432 (created for the test and dropped after it)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

PG_ADMIN = os.environ.get("REELROUTE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]


async def _pg_database() -> tuple[str, str]:
    name = "rr_test_" + secrets.token_hex(6)
    try:
        conn = await asyncpg.connect(PG_ADMIN, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(
            f"the API suite also runs on PostgreSQL, which is not reachable at {PG_ADMIN} "
            f"({exc}); start it (.ci/run does) or point REELROUTE_TEST_PG at one"
        )
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN.rsplit("/", 1)[0]
    return name, f"{base}/{name}"  # a plain postgresql:// URL: the app picks the driver


async def _drop(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of an empty ledger database, one per test, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    name, url = await _pg_database()
    try:
        yield url
    finally:
        await _drop(name)
