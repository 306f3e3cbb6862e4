"""Step leases and worker heartbeats in the ledger (SQLite and PostgreSQL), the one-identity
check, and written scripts kept in the ledger across processes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from app.api.written import WrittenScripts, script_from_json, script_to_json
from app.config import Settings
from app.errors import SetupError
from app.ingest.model import Scene, Script, SourceKind
from app.ingest.source_record import FetchRecord, ImageRecord, SourceRecord, WriterRecord
from app.provenance.signing import load_or_create_key
from app.queue.identity import configured_fingerprint, fingerprint, key_mismatch
from app.service.request import RenderSource
from app.store import leases
from app.store.db import Database
from app.store.keys import now
from app.store.models import LeaseRow, RenderRow, TenantRow
from providers.types import SceneKind
from tests.service_db import database_url  # noqa: F401  (fixture)


@pytest.fixture
async def db(database_url: str) -> Database:  # noqa: F811
    found = Database(database_url)
    await found.migrate()
    async with found.session() as s:
        s.add(TenantRow(id="acme", created_at=now()))
    async with found.session() as s:
        s.add(RenderRow(id="r1", tenant_id="acme", created_by="k", state="generating",
                        request={}, plan={}, request_sha256="x", created_at=now(),
                        updated_at=now()))  # fmt: skip
    yield found  # type: ignore[misc]
    await found.close()


async def _run_out(db: Database, render_id: str, step: int) -> None:
    """Step `step`'s lease ran out a second ago."""
    async with db.session() as s:
        await s.execute(
            update(LeaseRow)
            .where(LeaseRow.render_id == render_id, LeaseRow.step == step)
            .values(expires_at=now() - timedelta(seconds=1))
        )


async def test_a_step_has_one_holder_until_its_lease_expires(db: Database) -> None:
    await leases.create_steps(db, "r1", 2)
    await leases.create_steps(db, "r1", 2)  # a second start changes nothing
    assert [s.step for s in await leases.steps_of(db, "r1")] == [-1, 0, 1]
    mine = await leases.acquire(db, "r1", 0, "w1", lease_s=30)
    assert mine is not None and mine.generation == 1
    assert await leases.acquire(db, "r1", 0, "w2", lease_s=30) is None  # held
    assert await leases.renew(db, mine, 30)
    assert await leases.expired(db) == []
    await _run_out(db, "r1", 0)  # the holder stops beating (a slow commit can't fake it)
    assert [(e.render_id, e.step) for e in await leases.expired(db)] == [("r1", 0)]
    theirs = await leases.acquire(db, "r1", 0, "w2", lease_s=5)  # taken over
    assert theirs is not None and theirs.generation == 2
    assert not await leases.renew(db, mine, 5)  # the old holder learns it lost the step
    assert not await leases.finish(db, mine, "k")
    assert await leases.finish(db, theirs, "cache-key")
    assert await leases.scenes_left(db, "r1") == 1
    assert await leases.acquire(db, "r1", 0, "w3", lease_s=5) is None  # done


async def test_a_handed_back_step_is_queued_for_the_next_worker(db: Database) -> None:
    await leases.create_steps(db, "r1", 1)
    held = await leases.acquire(db, "r1", 0, "w1", lease_s=30)
    assert held is not None and await leases.hand_back(db, held)
    (step,) = [s for s in await leases.steps_of(db, "r1") if s.step == 0]
    assert (step.state, step.worker_id) == ("queued", None)
    again = await leases.acquire(db, "r1", 0, "w2", lease_s=30)
    assert again is not None and again.generation == 2


async def test_a_draft_step_is_never_a_scene_the_render_waits_for(db: Database) -> None:
    await leases.create_steps(db, "r1", 2, draft=True)
    await leases.create_steps(db, "r1", 2, draft=True)  # a second start changes nothing
    assert [s.step for s in await leases.steps_of(db, "r1")] == [-2, -1, 0, 1]
    draft = await leases.acquire(db, "r1", leases.DRAFT_STEP, "w1", lease_s=30)
    assert draft is not None  # held, then its worker dies: the lease runs out
    for i in (0, 1):
        held = await leases.acquire(db, "r1", i, "w2", lease_s=30)
        assert held is not None and await leases.finish(db, held, f"key-{i}")
    assert await leases.scenes_left(db, "r1") == 0  # the running draft is not a scene
    async with db.session() as s:  # the render stayed generating a while after its scenes
        row = await s.get(RenderRow, "r1")
        assert row is not None
        row.updated_at = now() - timedelta(seconds=60)
    assert await leases.all_scenes_done(db, 30) == ["r1"]
    await _run_out(db, "r1", leases.DRAFT_STEP)
    assert [(e.step, e.generation) for e in await leases.expired(db)] == [(-2, 1)]
    again = await leases.acquire(db, "r1", leases.DRAFT_STEP, "w3", lease_s=30)
    assert again is not None and again.generation == 2  # taken over: the draft is remade
    assert not await leases.finish(db, draft)  # the dead holder's lease is gone
    assert await leases.finish(db, again)


def _identity(tmp_path: Path, name: str) -> Settings:
    keys = tmp_path / name
    load_or_create_key(None, keys)
    return Settings(
        data_dir=tmp_path / "data", signing_key_path=keys / "manifest-ed25519.pem",
        c2pa_cert_path=keys / "chain.pem", c2pa_key_path=keys / "key.pem",
    )  # fmt: skip


async def test_readiness_fails_when_a_live_worker_signs_with_another_key(
    db: Database, tmp_path: Path
) -> None:
    api, same, other = (_identity(tmp_path, n) for n in ("api", "api", "other"))
    assert await key_mismatch(db, api) is None  # no worker yet
    await leases.beat(db, "w-same", configured_fingerprint(same))
    assert await key_mismatch(db, api) is None
    await leases.beat(db, "w-other", configured_fingerprint(other))
    reason = await key_mismatch(db, api)
    assert reason is not None and "w-other" in reason and fingerprint(other) in reason
    await leases.beat(db, "w-other", fingerprint(other), stopped=True)  # it stopped cleanly
    assert await key_mismatch(db, api) is None


def test_a_worker_never_makes_a_key_of_its_own(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="REELROUTE_SIGNING_KEY_PATH"):
        configured_fingerprint(Settings(data_dir=tmp_path))
    assert not (tmp_path / "keys").exists()


async def test_written_scripts_are_kept_in_the_ledger_across_processes(
    db: Database, tmp_path: Path
) -> None:
    script = Script(
        "Harbour", SourceKind.URL, "sha256:abc",
        (Scene(0, "Boats rest.", "Dawn", "boats at dawn", SceneKind.LANDSCAPE, 3.2,
               image_hint=tmp_path / "a.png", sources=(1, 2)),),
        SourceRecord(WriterRecord("extractive"),
                     FetchRecord("u", "u2", "t", "sha256:f", 10, "text/html", "utf-8", ("r",)),
                     images=(ImageRecord("i", scenes=(0,)),), minutes_asked=1.0),
    )  # fmt: skip
    assert script_from_json(script_to_json(script)) == script
    calls: list[RenderSource] = []

    async def write(source: RenderSource) -> tuple[Script, tuple[str, ...]]:
        calls.append(source)
        return script, ("written once",)

    settings = Settings(data_dir=tmp_path)
    source = RenderSource(kind="url", url="https://example.org/a")
    api, worker = WrittenScripts(settings, db, write), WrittenScripts(settings, db, write)
    assert await api(source) == (script, ("written once",))
    assert await worker(source) == (script, ("written once",))  # another process: the ledger
    assert len(calls) == 1


async def test_the_reaper_finds_renders_a_dead_worker_left_between_steps(db: Database) -> None:
    # r1 is generating with no steps: its start job died with its worker
    assert await leases.unstarted(db, 0.0) == ["r1"]
    assert await leases.unstarted(db, 3600) == []  # only once it has waited a lease
    await leases.create_steps(db, "r1", 1)
    assert await leases.unstarted(db, 0.0) == []
    held = await leases.acquire(db, "r1", 0, "w1", lease_s=30)
    assert held is not None and await leases.all_scenes_done(db, 0.0) == []
    await leases.finish(db, held, "key")  # ... and its worker died before moving r1 on
    assert await leases.all_scenes_done(db, 0.0) == ["r1"]
