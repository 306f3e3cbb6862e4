"""Issue 15 through the API: renders record their outputs' fingerprints in the ledger, per
tenant, and `POST /v1/verify` traces a stripped, re-encoded or trimmed copy back to its render
(with the manifest link and the matching time range) among the renders the caller may see;
another tenant's render of the very same picture is never named. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, select

from app.store.db import Database
from app.store.models import Base, FingerprintRow
from providers.media import run_ffmpeg
from tests.api_harness import FAKES_POLICY, Api, running_api
from tests.service_db import database_url  # noqa: F401  (fixture)
from tests.test_api_renders import create_body

# What a platform does to a video: (name, input options, output options); as bench.soft_binding.
COPIES: tuple[tuple[str, list[str], list[str]], ...] = (
    ("crf35-720p", [], ["-vf", "scale=-2:720", "-c:v", "libx264", "-crf", "35", "-an"]),
    ("stripped", [], ["-map_metadata", "-1", "-c", "copy"]),
    ("trimmed-3s", ["-ss", "3"], ["-c:v", "libx264", "-crf", "23"]),
)


async def _render(api: Api, headers: dict[str, str]) -> str:
    made = await api.client.post("/v1/renders", json=create_body(approve=True), headers=headers)
    assert made.status_code == 201, made.text
    rid = str(made.json()["id"])
    done = await api.wait_state(rid, headers, "succeeded", "failed")
    assert done["state"] == "succeeded", done["error"]
    return rid


async def _copy(src: Path, dest: Path, before: list[str], after: list[str]) -> bytes:
    await run_ffmpeg(["-v", "error", *before, "-i", str(src), *after, str(dest)])
    return dest.read_bytes()


async def _find(api: Api, headers: dict[str, str], name: str, data: bytes) -> dict[str, Any]:
    got = await api.client.post(
        "/v1/verify", files={"file": (name, data, "video/mp4")}, headers=headers
    )
    assert got.status_code == 200, got.text
    find: dict[str, Any] = got.json()["find"]
    return find


async def test_a_platform_copy_is_traced_to_its_render_within_the_tenant(
    tmp_path: Path,
    database_url: str,  # noqa: F811
) -> None:
    async with running_api(tmp_path, database_url) as api:
        for tenant in ("acme", "globex"):
            await api.policy(tenant, FAKES_POLICY)
        acme = await api.key("acme", "creator")
        globex = await api.key("globex", "creator")
        rid = await _render(api, acme)
        twin = await _render(api, globex)  # the same script and fake: the same picture

        async with api.service.db.session() as s:
            rows = (await s.execute(select(FingerprintRow))).scalars().all()
        assert sorted((r.render_id, r.tenant_id, r.aspect) for r in rows) == sorted(
            [(rid, "acme", "16:9"), (twin, "globex", "16:9")]
        )
        for row, headers in zip(
            sorted(rows, key=lambda r: r.tenant_id), (acme, globex), strict=True
        ):
            got = await api.client.get(f"/v1/renders/{row.render_id}/manifest", headers=headers)
            recorded = got.json()["outputs"][0]["fingerprint"]
            assert row.hashes.hex() == "".join(recorded["hashes"]), "the manifest's, in order"
            assert (row.alg, row.fps) == (recorded["alg"], recorded["fps"])
        assert not (api.service.settings.data_dir / "fingerprints.sqlite").exists()

        video = tmp_path / "original.mp4"
        got = await api.client.get(f"/v1/renders/{rid}/outputs/16x9", headers=acme)
        video.write_bytes(got.content)
        for name, before, after in COPIES:
            data = await _copy(video, tmp_path / f"{name}.mp4", before, after)
            if name == "stripped":
                assert b"c2pa" not in data, "the C2PA manifest box is gone"
            find = await _find(api, acme, f"{name}.mp4", data)
            assert find["status"] == "matched", (name, find)
            assert [m["render_id"] for m in find["matches"]] == [rid], (name, find)
            match = find["matches"][0]
            assert match["manifest"] == f"/v1/renders/{rid}/manifest"
            assert match["aspect"] == "16:9" and match["output"].endswith("-16x9.mp4")
            assert match["distance_bits"] <= 10
            start = 3.0 if name == "trimmed-3s" else 0.0
            # Samples are a second apart: a match is placed to the nearest second.
            assert match["start_s"] == start and match["copy_start_s"] < 1, (name, match)
            assert match["end_s"] >= start + 5, (name, match)
            manifest = await api.client.get(match["manifest"], headers=acme)
            assert manifest.status_code == 200 and manifest.json()["render_id"] == rid

        # globex holds a render of the same picture: it finds its own, never acme's.
        stripped = (tmp_path / "stripped.mp4").read_bytes()
        theirs = await _find(api, globex, "stripped.mp4", stripped)
        assert [m["render_id"] for m in theirs["matches"]] == [twin], theirs

        unrelated = await _copy(
            video, tmp_path / "unrelated.mp4",
            ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=24:duration=9"],
            ["-map", "0:v", "-c:v", "libx264"],
        )  # fmt: skip
        nothing = await _find(api, acme, "unrelated.mp4", unrelated)
        assert nothing["status"] == "no_match" and nothing["matches"] == [], nothing
        assert "none of the 1 outputs" in nothing["detail"]
        not_video = await _find(api, acme, "notes.mp4", b"not a video" * 64)
        assert not_video["status"] == "not_video"


def _schema_differences(conn: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(conn), Base.metadata))


async def test_the_migrations_build_the_ledger_the_models_describe(
    database_url: str,  # noqa: F811
) -> None:
    db = Database(database_url)
    try:
        await db.migrate()
        async with db.engine.connect() as conn:
            assert await conn.run_sync(_schema_differences) == []
    finally:
        await db.close()
