"""`reelroute serve` and `reelroute keys create|revoke`."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from app.cli.common import fail, load_settings, out
from app.config import Settings
from app.logs import configure_logging
from app.store.db import Database, DatabaseUrlError, default_url
from app.store.keys import NewKey, Role, any_key, create_key, revoke_key

T = TypeVar("T")

keys_app = typer.Typer(
    help="API keys: random, shown once, stored only as a hash.", no_args_is_help=True
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _database(settings: Settings) -> Database:
    try:
        return Database(settings.database_url or default_url(settings.data_dir))
    except DatabaseUrlError as exc:
        fail(f"invalid setting: REELROUTE_DATABASE_URL: {exc}")


async def _with_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on the migrated ledger, then close it."""
    db = _database(settings)
    try:
        await db.migrate()
        return await work(db)
    finally:
        await db.close()


def serve(
    host: Annotated[str, typer.Option(help="Address to bind; loopback unless keys exist.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Run the HTTP API (SQLite, local files and an in-process queue by default)."""
    import uvicorn

    from app.api.app import create_app

    settings = load_settings()
    if not is_loopback(host) and not asyncio.run(_with_db(settings, any_key)):
        fail(
            f"refusing to listen on {host}: no API key exists yet, so anyone who can reach "
            "it could use it. Create one first: reelroute keys create --tenant T --role "
            "agency_admin (or bind to 127.0.0.1)"
        )
    configure_logging(settings.log_format or "json", settings.log_level)
    # log_config=None: uvicorn's own lines (access log included) go through our handler too.
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", log_config=None)


def migrate() -> None:
    """Bring the ledger's schema to this version's (run once per upgrade, before the API and
    the workers start; `serve` does it too, for a single machine)."""
    settings = load_settings()

    async def work(_db: Database) -> None:
        return None

    asyncio.run(_with_db(settings, work))
    out.print("the ledger's schema is up to date")


@keys_app.command("create")
def keys_create(
    tenant: Annotated[str, typer.Option(help="The tenant (agency) the key belongs to.")],
    role: Annotated[Role, typer.Option(help="creator, agency_admin or auditor.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create a key and print it once (it is stored only as a hash)."""
    if not tenant.strip() or len(tenant) > 64:
        fail("--tenant needs 1-64 characters")
    settings = load_settings()

    async def work(db: Database) -> NewKey:
        return await create_key(db, tenant, role)

    made = asyncio.run(_with_db(settings, work))
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "key": made.secret,
                    "id": made.principal.key_id,
                    "tenant": tenant,
                    "role": role.value,
                }
            )
        )
        return
    out.print(f"{made.secret}\n", highlight=False, soft_wrap=True)
    out.print(
        f"id {made.principal.key_id}, tenant {tenant}, role {role.value}. "
        "Store the key now: it is not shown again.",
        highlight=False,
    )


@keys_app.command("revoke")
def keys_revoke(
    key: Annotated[str, typer.Argument(help="The key's id (key_…) or the key itself.")],
) -> None:
    """Revoke a key at once."""
    settings = load_settings()

    async def work(db: Database) -> bool:
        return await revoke_key(db, key)

    if not asyncio.run(_with_db(settings, work)):
        fail(f"no live key {key}")
    out.print(f"revoked {key}")
