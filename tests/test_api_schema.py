"""schemathesis against the API's own OpenAPI schema, in-process through ASGI: no server
error, and every response matches its documented status, content type and schema.

The queue is a recording fake at the queue seam, so a generated `approve: true` queues a job
without rendering video for minutes."""

from __future__ import annotations

import asyncio
import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from app.api.app import Overrides, create_app
from app.store.db import Database
from app.store.keys import Role, create_key
from tests.api_harness import RecordingQueue, api_settings

_HOME = Path(tempfile.mkdtemp(prefix="reelroute-schema-"))
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)
_SETTINGS = api_settings(_HOME, f"sqlite:///{_HOME / 'ledger.db'}", max_in_flight=1000)


async def _admin_key() -> str:
    db = Database(_SETTINGS.database_url or "")
    await db.migrate()
    try:
        return (await create_key(db, "acme", Role.AGENCY_ADMIN)).secret
    finally:
        await db.close()


AUTH = {"Authorization": f"Bearer {asyncio.run(_admin_key())}"}
app = create_app(_SETTINGS, Overrides(queue=RecordingQueue()))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
INPUT_STRICTNESS = [positive_data_acceptance, negative_data_rejection]


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case: Any) -> None:
    # Input strictness (ST201/ST202) is not what this suite asserts: a schema-valid policy
    # document can still name providers the catalog lacks, which is a 422 by design.
    case.call_and_validate(headers=AUTH, excluded_checks=INPUT_STRICTNESS)


def _has_example(media: dict[str, Any], components: dict[str, Any]) -> bool:
    if "example" in media or "examples" in media:
        return True
    ref = media.get("schema", {}).get("$ref", "")
    target = components.get(ref.rsplit("/", 1)[-1], {}) if ref else media.get("schema", {})
    return bool(target.get("examples") or target.get("example") or target.get("format"))


def test_every_request_body_has_an_example() -> None:
    spec = app.openapi()
    components = spec["components"]["schemas"]
    missing = [
        f"{method.upper()} {path} {media_type}"
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        for media_type, media in op.get("requestBody", {}).get("content", {}).items()
        if not _has_example(media, components)
    ]
    assert missing == []
