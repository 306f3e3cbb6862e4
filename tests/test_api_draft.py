"""A draft-first render over the API: its draft and files to its tenant (404 to anyone else),
its events saying when the draft plays and which scenes are final."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.api_harness import FAKES_POLICY, running_api
from tests.service_db import database_url  # noqa: F401  (fixture)
from tests.test_api_renders import create_body

pytestmark = pytest.mark.slow


async def test_the_draft_is_served_to_its_tenant_and_announced(
    tmp_path: Path,
    database_url: str,  # noqa: F811
) -> None:
    async with running_api(tmp_path, database_url) as api:
        await api.policy("acme", FAKES_POLICY)
        creator = await api.key("acme", "creator")
        body = create_body(draft=True, approve=True)
        made = await api.client.post("/v1/renders", json=body, headers=creator)
        assert made.status_code == 201, made.text
        rid = made.json()["id"]
        done = await api.wait_state(rid, creator, "succeeded", "failed")
        assert done["state"] == "succeeded", done["error"]
        base = f"/v1/renders/{rid}/draft"

        draft = await api.client.get(base, headers=creator)
        assert draft.status_code == 200, draft.text
        state = draft.json()
        assert state["draft"] is True and state["publishable"] is False and state["complete"]
        assert [s["state"] for s in state["scenes"]] == ["final", "final"]
        playlist = await api.client.get(f"{base}/draft.m3u8", headers=creator)
        assert playlist.status_code == 200 and playlist.headers["cache-control"] == "no-store"
        assert playlist.headers["content-type"].startswith("application/vnd.apple.mpegurl")
        assert 'URI="audio.m3u8"' in playlist.text
        segment = state["scenes"][1]["segment"]
        got = await api.client.get(f"{base}/{segment}", headers=creator)
        assert got.status_code == 200 and got.headers["content-type"] == "video/mp2t"
        assert "immutable" in got.headers["cache-control"]
        ranged = await api.client.get(
            f"{base}/draft.mp4", headers={**creator, "Range": "bytes=0-99"}
        )
        assert ranged.status_code == 206 and len(ranged.content) == 100

        # anyone who may not see the render gets the same 404, for the draft and every file
        others = [await api.key("globex", "agency_admin"), await api.key("acme", "creator", "2")]
        for headers in others:
            for path in (base, f"{base}/draft.m3u8", f"{base}/{segment}", f"{base}/draft.mp4"):
                assert (await api.client.get(path, headers=headers)).status_code == 404, path
        for name in ("manifest.json", ".work", "..%2Fmanifest.json", "seg_1.ts"):
            assert (await api.client.get(f"{base}/{name}", headers=creator)).status_code in (
                404,
                422,
            ), name
        admin = await api.key("acme", "agency_admin")
        assert (await api.client.get(base, headers=admin)).status_code == 200

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
