"""A draft-first render over the API: its draft and files to its tenant (404 to anyone else)
while the clips are held back, its events saying when the draft plays and which scenes are
final; once the final outputs are stored the draft is deleted (local and in the bucket) and
its routes say the render is final. With a shared bucket the draft is served from it when the
API process does not hold the files (a worker on another machine)."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from providers.media import probe
from tests.api_harness import FAKES, FAKES_POLICY, Api, running_api
from tests.fakes import Gates, HeldProvider, ScriptedProvider
from tests.s3_server import S3, s3, s3_endpoint
from tests.service_db import database_url  # noqa: F401  (fixture)
from tests.test_api_renders import create_body

__all__ = ["s3", "s3_endpoint"]  # the fixtures, used by name below
pytestmark = pytest.mark.slow


@pytest.fixture
def gates() -> Iterator[Gates]:
    shared = Gates([threading.Event() for _ in range(8)])
    yield shared
    shared.open_all()


def held(gates: Gates) -> list[Any]:
    return [HeldProvider(ScriptedProvider(pid, real_video=True), gates) for pid in FAKES]


async def start_held_render(api: Api) -> tuple[str, dict[str, str]]:
    await api.policy("acme", FAKES_POLICY)
    creator = await api.key("acme", "creator")
    made = await api.client.post(
        "/v1/renders", json=create_body(draft=True, approve=True), headers=creator
    )
    assert made.status_code == 201, made.text
    return made.json()["id"], creator


async def whole_draft(api: Api, rid: str, headers: dict[str, str]) -> dict[str, Any]:
    """The draft's manifest once every scene has a segment (the clips are still held)."""
    for _ in range(1200):
        got = await api.client.get(f"/v1/renders/{rid}/draft", headers=headers)
        if got.status_code == 200 and got.json()["complete"]:
            return dict(got.json())
        await asyncio.sleep(0.2)
    raise AssertionError(f"the draft of {rid} was not whole in time")


async def finish(api: Api, rid: str, headers: dict[str, str], gates: Gates) -> None:
    """Let the clips land; return once the render succeeded and its draft was deleted (just
    after the state moved: a reader meanwhile gets the draft's files or the 410)."""
    gates.open_all()
    done = await api.wait_state(rid, headers, "succeeded", "failed")
    assert done["state"] == "succeeded", done["error"]
    for _ in range(100):
        got = await api.client.get(f"/v1/renders/{rid}/draft", headers=headers)
        if got.status_code == 410:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the draft of {rid} was not deleted")


async def assert_replaced(api: Api, rid: str, headers: dict[str, str], name: str) -> None:
    """A final render's draft answers 410 and points to the outputs."""
    base = f"/v1/renders/{rid}/draft"
    for path in (base, f"{base}/manifest.json", f"{base}/{name}", f"{base}/draft.mp4"):
        gone = await api.client.get(path, headers=headers)
        assert gone.status_code == 410, (path, gone.text)
        error = gone.json()["error"]
        assert error["code"] == "draft_replaced"
        assert "is final" in error["message"] and f"/v1/renders/{rid}/outputs/" in error["message"]


async def test_the_draft_is_served_to_its_tenant_then_deleted_once_final(
    tmp_path: Path,
    database_url: str,  # noqa: F811
    gates: Gates,
) -> None:
    async with running_api(tmp_path, database_url, replace=held(gates)) as api:
        rid, creator = await start_held_render(api)
        base = f"/v1/renders/{rid}/draft"
        state = await whole_draft(api, rid, creator)
        assert state["draft"] is True and state["publishable"] is False
        assert [s["state"] for s in state["scenes"]] == ["placeholder", "placeholder"]
        assert state["soundtrack"] == "audio.mp4"
        assert state["codecs"] == {"video": "avc1.42c01f", "audio": "mp4a.40.2"}
        playlist = await api.client.get(f"{base}/draft.m3u8", headers=creator)
        assert playlist.status_code == 200 and playlist.headers["cache-control"] == "no-store"
        assert playlist.headers["content-type"].startswith("application/vnd.apple.mpegurl")
        assert 'URI="audio.m3u8"' in playlist.text
        segment, fragment = state["scenes"][1]["segment"], state["scenes"][1]["fragment"]
        assert fragment == segment.removesuffix(".ts") + ".mp4"
        got = await api.client.get(f"{base}/{segment}", headers=creator)
        assert got.status_code == 200 and got.headers["content-type"] == "video/mp2t"
        assert "immutable" in got.headers["cache-control"]
        frag = await api.client.get(f"{base}/{fragment}", headers=creator)
        assert frag.status_code == 200 and frag.headers["content-type"] == "video/mp4"
        assert "immutable" in frag.headers["cache-control"]
        assert frag.content[4:8] == b"ftyp" and b"moof" in frag.content  # fragmented
        (tmp_path / "frag.mp4").write_bytes(frag.content)
        info = probe(tmp_path / "frag.mp4")  # from 0, the scene's own length
        assert abs(info.duration - state["scenes"][1]["duration"]) < 0.1
        manifest = await api.client.get(f"{base}/manifest.json", headers=creator)
        assert manifest.json()["scenes"][1]["fragment"] == fragment
        assert manifest.headers["cache-control"] == "no-store"
        audio = await api.client.get(f"{base}/audio.mp4", headers=creator)
        assert audio.status_code == 200 and b"moof" in audio.content
        ranged = await api.client.get(
            f"{base}/draft.mp4", headers={**creator, "Range": "bytes=0-99"}
        )
        assert ranged.status_code == 206 and len(ranged.content) == 100

        # anyone who may not see the render gets the same 404, for the draft and every file
        others = [await api.key("globex", "agency_admin"), await api.key("acme", "creator", "2")]
        for headers in others:
            for path in (base, f"{base}/draft.m3u8", f"{base}/{fragment}", f"{base}/draft.mp4"):
                assert (await api.client.get(path, headers=headers)).status_code == 404, path
        for name in (".work", "..%2Fmanifest.json", "seg_1.ts", "seg_0001.r0.mkv"):
            assert (await api.client.get(f"{base}/{name}", headers=creator)).status_code in (
                404,
                422,
            ), name
        admin = await api.key("acme", "agency_admin")
        assert (await api.client.get(base, headers=admin)).status_code == 200

        # the clips land, the render succeeds: its draft is deleted and says why
        await finish(api, rid, creator, gates)
        assert not (api.service.settings.drafts_dir / rid).exists()
        await assert_replaced(api, rid, creator, fragment)

        # the events: the draft plays, is whole, and which scenes are final, as API paths
        stream = await api.client.get(f"/v1/renders/{rid}/events", headers=creator)
        news = [
            json.loads(block.split("data: ", 1)[1])["draft"]
            for block in stream.text.split("\n\n")
            if block.startswith("id:") and "event: draft" in block
        ]
        states = [n["state"] for n in news]
        assert states[:2] == ["playable", "ready"]
        assert news[0]["playlist"] == f"{base}/draft.m3u8" and "folder" not in news[0]
        assert news[1]["video"] == f"{base}/draft.mp4"
        assert sorted(news[-1]["final_scenes"]) == [0, 1]

        # a render made without a draft has none
        plain = await api.client.post("/v1/renders", json=create_body(), headers=creator)
        missing = await api.client.get(f"/v1/renders/{plain.json()['id']}/draft", headers=creator)
        assert missing.status_code == 404 and "draft: true" in missing.json()["error"]["message"]


def bucket_keys(s3: S3, prefix: str) -> list[str]:
    listed = s3.client().list_objects_v2(Bucket=s3.bucket, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


async def stored_whole(s3: S3, rid: str) -> dict[str, Any]:
    """The bucket's copy of the draft's manifest once it names every scene's fragment."""
    for _ in range(600):
        try:
            body = s3.client().get_object(Bucket=s3.bucket, Key=f"drafts/{rid}/manifest.json")
            data = json.loads(body["Body"].read())
            if data["complete"] and f"drafts/{rid}/draft.mp4" in bucket_keys(s3, "drafts/"):
                return dict(data)
        except s3.client().exceptions.NoSuchKey:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"the draft of {rid} did not reach the bucket in time")


async def test_a_draft_in_the_bucket_is_served_by_an_api_without_its_files(
    tmp_path: Path,
    database_url: str,  # noqa: F811
    gates: Gates,
    s3: S3,
) -> None:
    async with running_api(tmp_path, database_url, replace=held(gates), **s3.settings()) as api:
        rid, creator = await start_held_render(api)
        base = f"/v1/renders/{rid}/draft"
        stored = await stored_whole(s3, rid)
        fragments = [s["fragment"] for s in stored["scenes"]]
        keys = bucket_keys(s3, f"drafts/{rid}/")
        for name in ("manifest.json", "draft.m3u8", "audio.mp4", "draft.mp4", *fragments):
            assert f"drafts/{rid}/{name}" in keys, name

        # this process stops holding the files, as an API on another machine than the worker
        local = api.service.settings.drafts_dir / rid
        aside = tmp_path / "aside"
        shutil.move(local, aside)
        try:
            state = await api.client.get(base, headers=creator)
            assert state.status_code == 200 and state.json()["complete"], state.text
            frag = await api.client.get(f"{base}/{fragments[0]}", headers=creator)
            assert frag.status_code == 200 and frag.headers["content-type"] == "video/mp4"
            assert frag.content == (aside / fragments[0]).read_bytes()
            assert "immutable" in frag.headers["cache-control"]
            playlist = await api.client.get(f"{base}/video.m3u8", headers=creator)
            assert playlist.status_code == 200 and "#EXT-X-ENDLIST" in playlist.text
            assert playlist.headers["cache-control"] == "no-store"
            whole = await api.client.get(f"{base}/draft.mp4", headers=creator)
            assert whole.status_code == 307  # a presigned URL: the video bytes skip the API
            direct = httpx.get(whole.headers["location"], headers={"Range": "bytes=0-99"})
            assert direct.status_code == 206 and len(direct.content) == 100
            missing = await api.client.get(f"{base}/seg_0000.r9.mp4", headers=creator)
            assert missing.status_code == 404
        finally:
            shutil.move(aside, local)

        # final: the bucket's draft is deleted with the local one
        await finish(api, rid, creator, gates)
        assert bucket_keys(s3, f"drafts/{rid}/") == []
        assert any(k.startswith(f"renders/{rid}/") for k in bucket_keys(s3, "renders/"))
        assert not local.exists()
        await assert_replaced(api, rid, creator, fragments[0])
