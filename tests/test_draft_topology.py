"""A draft in the scale-out topology: the worker that composes a draft-first render copies its
draft to the bucket file by file, and the API process, which has a data folder of its own (as
on another machine), serves it from there; once the render succeeds the draft is gone from the
bucket and the API says the render is final.

The final's mux is held by an ffmpeg wrapper in the worker until the test opens its gate, so
the draft is read while the render is still composing, deterministically."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from providers.media import ffmpeg_exe
from tests.topology import KLING_ONLY, Topology, topology, wait_for

pytestmark = pytest.mark.slow
SCRIPT = (
    "The harbour wakes at dawn, boats resting on still water.\n\n"
    "The fleet heads out past the lighthouse as the sun rises."
)
# waits at the final's mux (its MP4 is written as `<slug>-16x9.partial.mp4`), never the draft's
HELD_MUX = """#!/bin/sh
for arg in "$@"; do
  case "$arg" in
    *-16x9.partial.mp4) while [ ! -e "{gate}" ]; do sleep 0.1; done ;;
  esac
done
exec "{real}" "$@"
"""


def held_mux(root: Path) -> tuple[Path, dict[str, str]]:
    gate, wrapper = root / "mux-gate", root / "ffmpeg-held-mux"
    wrapper.write_text(HELD_MUX.format(gate=gate, real=ffmpeg_exe()), encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return gate, {"IMAGEIO_FFMPEG_EXE": str(wrapper)}


async def whole_draft(topo: Topology, client: httpx.AsyncClient, rid: str, creator: Any) -> Any:
    async def check() -> Any:
        got = await client.get(f"/v1/renders/{rid}/draft", headers=creator)
        return got.json() if got.status_code == 200 and got.json()["complete"] else None

    return await wait_for(check, f"the draft of {rid} through the API", topo, timeout=300)


async def test_the_api_serves_a_workers_draft_from_the_bucket_then_says_final(
    tmp_path: Path,
) -> None:
    gate, env = held_mux(tmp_path)
    async with (
        topology(tmp_path, workers=1, extra_env=env) as topo,
        httpx.AsyncClient(base_url=topo.api_url, timeout=60) as client,
    ):
        try:
            admin = await topo.key("acme", "agency_admin")
            creator = await topo.key("acme", "creator")
            yaml = {**admin, "Content-Type": "application/yaml"}
            made = await client.post("/v1/policies", content=KLING_ONLY, headers=yaml)
            assert made.status_code in (200, 201), made.text
            body = {
                "source": {"kind": "script", "text": SCRIPT}, "policy": "kling-only",
                "aspects": ["16:9"], "quality": "draft", "voice": "espeak", "approve": True,
                "draft": True,
            }  # fmt: skip
            created = await client.post("/v1/renders", json=body, headers=creator)
            assert created.status_code in (200, 201, 202), created.text
            rid = str(created.json()["id"])
            base = f"/v1/renders/{rid}/draft"

            state = await whole_draft(topo, client, rid, creator)
            assert not (tmp_path / "api" / "drafts" / rid).exists()  # not the API's own files
            assert (tmp_path / "worker-0" / "drafts" / rid / "manifest.json").is_file()
            keys = topo.bucket_keys(f"drafts/{rid}/")
            fragments = [s["fragment"] for s in state["scenes"]]
            for name in ("manifest.json", "audio.mp4", "draft.m3u8", *fragments):
                assert f"drafts/{rid}/{name}" in keys, (name, keys)
            frag = await client.get(f"{base}/{fragments[1]}", headers=creator)
            assert frag.status_code == 200 and frag.headers["content-type"] == "video/mp4"
            local = tmp_path / "worker-0" / "drafts" / rid / fragments[1]
            assert frag.content == local.read_bytes()
            manifest = await client.get(f"{base}/manifest.json", headers=creator)
            assert json.loads(manifest.content)["render_id"] == rid
            whole = await client.get(f"{base}/draft.mp4", headers=creator)
            assert whole.status_code == 307
            assert httpx.get(whole.headers["location"]).content[4:8] == b"ftyp"
            state_now = (await client.get(f"/v1/renders/{rid}", headers=creator)).json()
            assert state_now["state"] in ("generating", "composing"), state_now["state"]
        finally:
            gate.touch()

        async def final() -> Any:
            got = (await client.get(f"/v1/renders/{rid}", headers=creator)).json()
            return got if got["state"] in ("succeeded", "failed") else None

        ended = await wait_for(final, f"render {rid} to end", topo, timeout=300)
        assert ended["state"] == "succeeded", ended.get("error")

        async def deleted() -> bool:
            return not topo.bucket_keys(f"drafts/{rid}/")

        await wait_for(deleted, f"the draft of {rid} to leave the bucket", topo, timeout=60)
        gone = await client.get(base, headers=creator)
        assert gone.status_code == 410 and gone.json()["error"]["code"] == "draft_replaced"
        assert not (tmp_path / "worker-0" / "drafts" / rid).exists()
