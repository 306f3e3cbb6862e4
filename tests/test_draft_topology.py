"""A draft in the scale-out topology: a worker's draft step makes a draft-first render's draft
as soon as the render starts and copies it to the bucket file by file, and the API process,
which has a data folder of its own (as on another machine), serves it from there; once the
render succeeds the draft is gone from the bucket and the API says the render is final.

The final's mux is held by an ffmpeg wrapper in the worker until the test opens its gate, so
the draft is read while the render is still composing, deterministically; the vendor's clips
are held by the fake, so the draft is read before any clip exists."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.store import leases
from providers.media import probe, run_ffmpeg
from tests.held_ffmpeg import held_ffmpeg
from tests.topology import KLING_ONLY, Topology, all_steps_done, topology, wait_for

pytestmark = pytest.mark.slow
SCRIPT = (
    "The harbour wakes at dawn, boats resting on still water.\n\n"
    "The fleet heads out past the lighthouse as the sun rises."
)


def held_mux(root: Path) -> tuple[Path, dict[str, str]]:
    """Holds the final's mux (its MP4 is written as `<slug>-16x9.partial.mp4`), never the
    draft's, until the gate exists."""
    gate, wrapper = held_ffmpeg(root, "mux", "*-16x9.partial.mp4")
    return gate, {"IMAGEIO_FFMPEG_EXE": str(wrapper)}


async def submit_draft_first(
    topo: Topology, client: httpx.AsyncClient, script: str = SCRIPT
) -> tuple[str, Any]:
    """A kling-only draft-first render of `script`, approved: its id and the creator's key."""
    admin = await topo.key("acme", "agency_admin")
    creator = await topo.key("acme", "creator")
    yaml = {**admin, "Content-Type": "application/yaml"}
    made = await client.post("/v1/policies", content=KLING_ONLY, headers=yaml)
    assert made.status_code in (200, 201), made.text
    body = {
        "source": {"kind": "script", "text": script}, "policy": "kling-only",
        "aspects": ["16:9"], "quality": "draft", "voice": "espeak", "approve": True,
        "draft": True,
    }  # fmt: skip
    created = await client.post("/v1/renders", json=body, headers=creator)
    assert created.status_code in (200, 201, 202), created.text
    return str(created.json()["id"]), creator


async def render_succeeded(
    topo: Topology, client: httpx.AsyncClient, rid: str, creator: Any
) -> None:
    async def final() -> Any:
        got = (await client.get(f"/v1/renders/{rid}", headers=creator)).json()
        return got if got["state"] in ("succeeded", "failed") else None

    ended = await wait_for(final, f"render {rid} to end", topo, timeout=300)
    assert ended["state"] == "succeeded", ended.get("error")


async def draft_left_bucket(topo: Topology, rid: str) -> None:
    async def deleted() -> bool:
        return not topo.bucket_keys(f"drafts/{rid}/")

    await wait_for(deleted, f"the draft of {rid} to leave the bucket", topo, timeout=60)


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
            rid, creator = await submit_draft_first(topo, client)
            base = f"/v1/renders/{rid}/draft"

            state = await whole_draft(topo, client, rid, creator)
            assert not (tmp_path / "api" / "drafts" / rid).exists()  # not the API's own files
            keys = topo.bucket_keys(f"drafts/{rid}/")
            fragments = [s["fragment"] for s in state["scenes"]]
            for name in ("manifest.json", "audio.mp4", "draft.m3u8", *fragments):
                assert f"drafts/{rid}/{name}" in keys, (name, keys)
            frag = await client.get(f"{base}/{fragments[1]}", headers=creator)
            assert frag.status_code == 200 and frag.headers["content-type"] == "video/mp4"
            assert frag.content == topo.bucket_object(f"drafts/{rid}/{fragments[1]}")
            manifest = await client.get(f"{base}/manifest.json", headers=creator)
            assert json.loads(manifest.content)["render_id"] == rid
            whole = await client.get(f"{base}/draft.mp4", headers=creator)
            assert whole.status_code == 307
            assert httpx.get(whole.headers["location"]).content[4:8] == b"ftyp"
            state_now = (await client.get(f"/v1/renders/{rid}", headers=creator)).json()
            assert state_now["state"] in ("generating", "composing"), state_now["state"]
        finally:
            gate.touch()

        await render_succeeded(topo, client, rid, creator)
        await draft_left_bucket(topo, rid)
        gone = await client.get(base, headers=creator)
        assert gone.status_code == 410 and gone.json()["error"]["code"] == "draft_replaced"
        assert not (tmp_path / "worker-0" / "drafts" / rid).exists()


async def draft_state(client: httpx.AsyncClient, rid: str, creator: Any) -> Any:
    got = await client.get(f"/v1/renders/{rid}/draft", headers=creator)
    return got.json() if got.status_code == 200 else None


async def test_a_draft_step_serves_a_draft_before_any_clip_exists(tmp_path: Path) -> None:
    """The vendor holds every clip: the draft step's draft plays through the API all the same;
    a released clip is swapped in while the final is still to come, and the render succeeds."""
    gate, env = held_mux(tmp_path)
    async with (
        topology(tmp_path, workers=1, extra_env=env) as topo,
        httpx.AsyncClient(base_url=topo.api_url, timeout=60) as client,
    ):
        topo.fake.hold.set()
        try:
            rid, creator = await submit_draft_first(topo, client)
            base = f"/v1/renders/{rid}/draft"

            async def first_scene() -> Any:
                state = await draft_state(client, rid, creator)
                return state if state and state["scenes"][0]["fragment"] else None

            state = await wait_for(first_scene, f"scene 0 of {rid}'s draft", topo, timeout=300)
            assert not topo.bucket_keys("clips/")  # no clip exists yet
            assert (await client.get(f"/v1/renders/{rid}", headers=creator)).json()[
                "state"
            ] == "generating"
            assert state["scenes"][0]["state"] == "placeholder"
            fragment = state["scenes"][0]["fragment"]
            frag = await client.get(f"{base}/{fragment}", headers=creator)
            assert frag.status_code == 200 and b"moof" in frag.content  # fragmented MP4
            played = tmp_path / "scene0.mp4"
            played.write_bytes(frag.content)
            decoded = await run_ffmpeg(["-v", "error", "-i", str(played), "-f", "null", "-"])
            assert not decoded.strip(), decoded  # decodes without an error
            info = probe(played)
            assert abs(info.duration - state["scenes"][0]["duration"]) < 0.1
            assert not topo.bucket_keys("clips/")  # still none: the draft never waited

            topo.fake.hold.clear()  # the vendor delivers; the final's mux stays held

            async def a_final_scene() -> Any:
                state = await draft_state(client, rid, creator)
                return state if state and "final" in [s["state"] for s in state["scenes"]] else None

            swapped = await wait_for(a_final_scene, f"a final scene in {rid}'s draft", topo, 300)
            scene = next(s for s in swapped["scenes"] if s["state"] == "final")
            assert scene["provider"] == "kling" and scene["revision"] >= 1
            assert topo.bucket_keys("clips/")
        finally:
            topo.fake.hold.clear()
            gate.touch()

        await render_succeeded(topo, client, rid, creator)
        assert topo.fake.submissions == 2  # one task per scene: the draft made none

        await draft_left_bucket(topo, rid)
        gone = await client.get(base, headers=creator)
        assert gone.status_code == 410 and gone.json()["error"]["code"] == "draft_replaced"
        steps = await all_steps_done(topo, [rid])
        assert sorted(s.step for s in steps) == [-2, -1, 0, 1]


async def test_a_killed_draft_worker_s_step_is_taken_over_and_the_render_succeeds(
    tmp_path: Path,
) -> None:
    """The worker making the draft dies: another worker takes the draft step over once its
    lease runs out and makes the draft again, and the render succeeds."""
    async with (
        topology(tmp_path, workers=2) as topo,
        httpx.AsyncClient(base_url=topo.api_url, timeout=60) as client,
    ):
        topo.fake.hold.set()
        try:
            rid, creator = await submit_draft_first(topo, client)

            async def drafting() -> Any:
                state = await draft_state(client, rid, creator)
                if not (state and state["scenes"][0]["fragment"]):
                    return None
                steps = await leases.steps_of(topo.db, rid)
                return next(s for s in steps if s.step == leases.DRAFT_STEP)

            first = await wait_for(drafting, f"the draft of {rid}", topo, timeout=300)
            assert first.state == "running" and first.generation == 1
            topo.kill(str(first.worker_id)).wait(timeout=30)

            async def taken_over() -> Any:
                steps = await leases.steps_of(topo.db, rid)
                step = next(s for s in steps if s.step == leases.DRAFT_STEP)
                return step if step.generation > 1 and step.state == "running" else None

            second = await wait_for(taken_over, "the draft step's take-over", topo, timeout=120)
            assert second.worker_id != first.worker_id

            pids = [p.pid for p in topo.workers]
            mine = pids.index(topo.worker_pid(str(second.worker_id)))
            local = tmp_path / f"worker-{mine}" / "drafts" / rid / "manifest.json"

            async def remade() -> Any:  # whole in the new worker's folder, then through the API
                if not (local.is_file() and json.loads(local.read_text())["complete"]):
                    return None
                state = await draft_state(client, rid, creator)
                return state if state and state["complete"] else None

            again = await wait_for(remade, f"the remade draft of {rid}", topo, timeout=300)
            assert [s["state"] for s in again["scenes"]] == ["placeholder", "placeholder"]
        finally:
            topo.fake.hold.clear()

        await render_succeeded(topo, client, rid, creator)
        await draft_left_bucket(topo, rid)
        await all_steps_done(topo, [rid])


MOUNTAIN = (
    "Snow settles on the mountain village before dawn.\n\n"
    "A single lantern climbs the mountain path toward the pass."
)


async def test_a_worker_makes_at_most_its_drafts_at_once_and_the_next_when_one_ends(
    tmp_path: Path,
) -> None:
    """REELROUTE_WORKER_DRAFTS=1: a second render's draft waits, queued, while the first's is
    made (its start and the reaper both respect the limit), and starts once that one ends."""
    async with (
        topology(tmp_path, workers=1, extra_env={"REELROUTE_WORKER_DRAFTS": "1"}) as topo,
        httpx.AsyncClient(base_url=topo.api_url, timeout=60) as client,
    ):
        topo.fake.hold.set()
        try:
            harbour, creator = await submit_draft_first(topo, client)

            async def draft_step(rid: str, state: str) -> Any:
                steps = await leases.steps_of(topo.db, rid)
                step = next((s for s in steps if s.step == leases.DRAFT_STEP), None)
                return step if step is not None and step.state == state else None

            async def harbour_drafting() -> Any:
                return await draft_step(harbour, "running")

            await wait_for(harbour_drafting, "the first render's draft", topo, timeout=300)
            mountain, climber = await submit_draft_first(topo, client, MOUNTAIN)  # its own creator

            async def mountain_waiting() -> Any:
                return await draft_step(mountain, "queued")

            await wait_for(mountain_waiting, "the second render's queued draft", topo, 300)
            # two leases (6 s): the reaper has found the waiting draft step several times
            for _ in range(24):
                assert await draft_step(harbour, "running")
                assert await draft_step(mountain, "queued")
                await asyncio.sleep(0.5)
            assert await draft_state(client, mountain, climber) is None  # no draft yet

            # the first render's clips come, its draft ends: the second's starts, while its own
            # clips are still held (so it is made, not closed for being late)
            topo.fake.held_words.add("mountain")
            topo.fake.hold.clear()

            async def harbour_drafted() -> Any:
                return await draft_step(harbour, "done")

            await wait_for(harbour_drafted, "the first render's draft to end", topo, timeout=300)

            async def mountain_drafting() -> Any:
                state = await draft_state(client, mountain, climber)
                return state if state and state["scenes"][0]["fragment"] else None

            await wait_for(mountain_drafting, "the second render's draft", topo, timeout=300)
            assert (await client.get(f"/v1/renders/{mountain}", headers=climber)).json()[
                "state"
            ] == "generating"
        finally:
            topo.fake.held_words.clear()
            topo.fake.hold.clear()

        for rid, whose in ((harbour, creator), (mountain, climber)):
            await render_succeeded(topo, client, rid, whose)
        await all_steps_done(topo, [harbour, mountain])
