"""Scale-out as processes: the API and `reelroute worker`s, each with a data folder of its own,
over PostgreSQL, Redis, an S3 bucket (moto on loopback) and a loopback Kling fake that counts
every task submission.

Workers are killed (SIGKILL) while they poll a vendor and while they compose, and stopped
(SIGTERM) while they poll; every render still succeeds and verifies, and no vendor task is
submitted twice. A submission whose answer is lost ends as the policy says, one paid task at
most.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.store.leases import COMPOSE_STEP, StepState
from app.store.models import AttemptRow, LeaseRow
from tests.topology import CHILD, KLING_ONLY, Topology, all_steps_done, topology, wait_for

pytestmark = pytest.mark.slow
SCENES = (
    "The harbour wakes at dawn, boats resting on still water number {n}.",
    "The fleet heads out past lighthouse {n} as the sun rises.",
)


def _script(n: int, scenes: int = 2) -> str:
    return "\n\n".join(s.format(n=n) for s in SCENES[:scenes])


async def _policy(client: httpx.AsyncClient, admin: dict[str, str], text: str) -> None:
    headers = {**admin, "Content-Type": "application/yaml"}
    made = await client.post("/v1/policies", content=text, headers=headers)
    assert made.status_code in (200, 201), made.text


async def _render(
    client: httpx.AsyncClient, creator: dict[str, str], text: str, policy: str
) -> str:
    body = {
        "source": {"kind": "script", "text": text}, "policy": policy, "aspects": ["16:9"],
        "quality": "draft", "voice": "espeak", "approve": True,
    }  # fmt: skip
    made = await client.post("/v1/renders", json=body, headers=creator)
    assert made.status_code in (200, 201, 202), made.text
    return str(made.json()["id"])


async def _states(client: httpx.AsyncClient, creator: dict[str, str], ids: list[str]) -> list[Any]:
    return [(await client.get(f"/v1/renders/{i}", headers=creator)).json() for i in ids]


async def _ended(
    topo: Topology, client: httpx.AsyncClient, creator: dict[str, str], ids: list[str]
) -> list[Any]:
    async def check() -> list[Any] | None:
        got = await _states(client, creator, ids)
        return got if all(g["state"] in ("succeeded", "failed", "cancelled") for g in got) else None

    ended: list[Any] = await wait_for(check, f"renders {ids} to end", topo, timeout=300)
    return ended


async def _leases(topo: Topology) -> list[LeaseRow]:
    async with topo.db.session() as s:
        return list((await s.execute(select(LeaseRow))).scalars())


async def _attempts(topo: Topology) -> list[AttemptRow]:
    async with topo.db.session() as s:
        return list((await s.execute(select(AttemptRow).order_by(AttemptRow.id))).scalars())


async def _polling_holder(topo: Topology) -> str | None:
    """A worker all of whose running scenes have their vendor task recorded (so it is only
    polling). Killed between a vendor's answer and the ledger write, a worker would lose a task
    id: that window is the `unknown` case (the last test), not this one."""
    submitted = {(a.render_id, a.scene_index) for a in await _attempts(topo)
                 if a.outcome == "submitted" and a.vendor_task_id}  # fmt: skip
    running: dict[str, list[bool]] = {}
    for lease in await _leases(topo):
        if lease.state == StepState.RUNNING.value and lease.worker_id and lease.step >= 0:
            polled = (lease.render_id, lease.step) in submitted
            running.setdefault(lease.worker_id, []).append(polled)
    return next((w for w, polled in running.items() if all(polled)), None)


async def _composer(topo: Topology) -> str | None:
    for lease in await _leases(topo):
        if lease.step == COMPOSE_STEP and lease.state == StepState.RUNNING.value:
            return lease.worker_id
    return None


async def _download(
    topo: Topology, client: httpx.AsyncClient, creator: dict[str, str], render_id: str
) -> Path:
    """Every file of a render, fetched through the API (a 307 to a presigned bucket URL), into a
    folder of the test's own: nothing is read from a process's data folder."""
    folder = topo.root / "downloads" / render_id
    folder.mkdir(parents=True)
    body = (await client.get(f"/v1/renders/{render_id}", headers=creator)).json()
    got = await client.get(f"/v1/renders/{render_id}/manifest", headers=creator)
    assert got.status_code == 307, got.status_code  # served from the bucket, not the API's disk
    got = await client.get(got.headers["location"])
    assert got.status_code == 200, got.text
    manifest = got.json()
    file_of = {o["aspect"]: o["file"] for o in manifest["outputs"]}
    for entry in body["outputs"]:
        name = file_of[entry["aspect"]] if "aspect" in entry else entry["name"]
        fetched = await client.get(entry["url"], headers=creator, follow_redirects=True)
        assert fetched.status_code == 200, (entry, fetched.status_code)
        (folder / name).write_bytes(fetched.content)
    return folder


async def _verify(
    topo: Topology, client: httpx.AsyncClient, creator: dict[str, str], render_id: str
) -> None:
    await _verify_folder(topo, await _download(topo, client, creator, render_id))


async def _verify_folder(topo: Topology, folder: Path) -> None:
    done = subprocess.run(
        [*CHILD, "verify", str(folder), "--json"], env=topo.env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert json.loads(done.stdout)["verified"] is True


async def test_renders_survive_workers_killed_while_polling_and_composing(tmp_path: Path) -> None:
    async with topology(tmp_path) as topo, httpx.AsyncClient(base_url=topo.api_url,
                                                             timeout=60) as client:  # fmt: skip
        admin, creator = await topo.key("acme", "agency_admin"), await topo.key("acme", "creator")
        await _policy(client, admin, KLING_ONLY)
        topo.fake.hold.set()  # every vendor task stays `processing`: workers keep polling
        ids = [await _render(client, creator, _script(n), "kling-only") for n in range(3)]

        polling = await wait_for(lambda: _polling_holder(topo), "a worker polling", topo)
        topo.kill(polling).wait(timeout=30)  # SIGKILL while it polls the vendor
        topo.start_worker()
        topo.fake.hold.clear()

        composing = await wait_for(lambda: _composer(topo), "a worker composing", topo, 240)
        topo.kill(composing).wait(timeout=30)  # SIGKILL while it composes
        topo.start_worker()

        ended = await _ended(topo, client, creator, ids)
        assert [e["state"] for e in ended] == ["succeeded"] * 3, [e.get("error") for e in ended]
        # Six scenes, six vendor tasks: a resumed scene polled its recorded task, and the
        # re-run composition used the stored clips.
        assert topo.fake.submissions == 6 and len(topo.fake.tasks) == 6, topo.tail()
        # One succeeded attempt per vendor task (a step taken over after its clip was stored
        # finds it in the clip cache: a `cached` attempt, nothing paid).
        attempts = [a for a in await _attempts(topo) if a.vendor_task_id]
        paid = [str(a.vendor_task_id) for a in attempts if a.outcome == "succeeded"]
        assert sorted(paid) == sorted(t.id for t in topo.fake.tasks.values())
        assert {a.outcome for a in attempts} <= {"succeeded", "cached"}
        steps = await all_steps_done(topo)
        assert max(s.generation for s in steps) >= 2  # taken over after the kills
        for render_id in ids:
            await _verify(topo, client, creator, render_id)

        # Every clip went up to the bucket, once: any worker (the one re-running a killed
        # composition from an empty data folder too) reads it from there.
        made = topo.bucket_keys("clips/")
        assert len([k for k in made if k.endswith(".mp4")]) == 6, made


FALLBACK = (
    "id: kling-then-local\nonly: [kling, local]\norder: [kling, local]\n"
    "models: {only: [kling/kling-v2-5-turbo, local/local-motion-1]}\n"
    "retries: {max_attempts_per_provider: 1}\non_unknown_submit: fallback\n"
)


async def _sigterm_hands_the_step_back_and_another_worker_resumes_it(
    topo: Topology, client: httpx.AsyncClient, creator: dict[str, str]
) -> None:
    topo.fake.hold.set()
    rid = await _render(client, creator, _script(7), "kling-only")

    async def both_polling() -> bool:
        subs = [a for a in await _attempts(topo) if a.outcome == "submitted"]
        return len(subs) == 2

    await wait_for(both_polling, "both scenes submitted", topo)
    worker = topo.workers[0]
    worker.terminate()  # SIGTERM
    assert worker.wait(timeout=60) == 0, topo.tail()
    steps = {s.step: s for s in await _leases(topo)}
    assert steps[0].state == steps[1].state == StepState.QUEUED.value  # handed back
    assert steps[0].worker_id is None and steps[1].worker_id is None

    topo.start_worker()
    topo.fake.hold.clear()
    (ended,) = await _ended(topo, client, creator, [rid])
    assert ended["state"] == "succeeded", ended.get("error")
    assert topo.fake.submissions == 2 and not topo.fake.cancelled  # resumed, never resubmitted
    await _verify(topo, client, creator, rid)


async def _an_unknown_submission_ends_as_the_policy_says(
    topo: Topology, client: httpx.AsyncClient, creator: dict[str, str]
) -> None:
    paid = topo.fake.submissions
    topo.fake.drop_next = 1  # accepted (a task exists, billed), the answer never arrives
    failed = await _render(client, creator, _script(1, scenes=1), "kling-only")
    (ended,) = await _ended(topo, client, creator, [failed])
    assert ended["state"] == "failed"
    assert topo.fake.submissions == paid + 1  # on_unknown_submit: fail (the default) pays once
    rows = [a for a in await _attempts(topo) if a.render_id == failed]
    assert [a.outcome for a in rows] == ["unknown"]

    topo.fake.drop_next = 1
    fell_back = await _render(client, creator, _script(2, scenes=1), "kling-then-local")
    (ended,) = await _ended(topo, client, creator, [fell_back])
    assert ended["state"] == "succeeded", ended.get("error")
    assert topo.fake.submissions == paid + 2  # one paid task for this render too
    folder = await _download(topo, client, creator, fell_back)
    manifest = json.loads((folder / "manifest.json").read_text())
    (scene,) = manifest["scenes"]
    assert [(a["provider"], a["outcome"]) for a in scene["attempts"]] == [
        ("kling", "unknown"),
        ("local", "succeeded"),
    ]
    assert manifest["policy"]["body"]["on_unknown_submit"] == "fallback"
    await _verify_folder(topo, folder)


async def test_sigterm_hand_back_and_unknown_submissions_on_one_worker(tmp_path: Path) -> None:
    """Two checks on one topology (starting one costs up to a minute on a loaded machine)."""
    async with (
        topology(tmp_path, workers=1) as topo,
        httpx.AsyncClient(base_url=topo.api_url, timeout=60) as client,
    ):
        admin, creator = await topo.key("acme", "agency_admin"), await topo.key("acme", "creator")
        await _policy(client, admin, KLING_ONLY)
        await _policy(client, admin, FALLBACK)
        await _sigterm_hands_the_step_back_and_another_worker_resumes_it(topo, client, creator)
        await _an_unknown_submission_ends_as_the_policy_says(topo, client, creator)
