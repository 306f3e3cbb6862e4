"""The scale-out topology as operating-system processes, for the worker tests.

`reelroute serve` (uvicorn) and `reelroute worker`s as child processes, sharing a fresh
PostgreSQL database, a Redis queue of their own (a unique queue name and job-id prefix, its keys
deleted afterwards), an S3 bucket on a loopback moto server (outputs, manifests and the clip
cache) and one configured identity (manifest key and C2PA chain, made for the test). Nothing
else is shared: the API and every worker have a data folder of their own, as on separate
machines, so whatever one process needs from another must travel through the ledger or the
bucket. The vendor is the Kling fake on loopback, in the test's own process, so the test counts
every task submission. Children run behind the same network fence as the suite (tests/netguard.py).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis
from moto.server import ThreadedMotoServer
from sqlalchemy import select

from app.provenance.credentials import CA_FILE, CHAIN_FILE, KEY_FILE, create_local_chain
from app.provenance.signing import DEFAULT_KEY_FILE, load_or_create_key
from app.store.db import Database
from app.store.keys import Role, create_key
from app.store.leases import StepState
from app.store.models import LeaseRow
from app.store.s3 import make_client
from providers.media import run_ffmpeg
from tests.fakes_http.kling import KlingFake, envelope
from tests.fakes_http.server import Reply, Request, serve
from tests.service_db import _drop, _pg_database

REPO = Path(__file__).resolve().parent.parent
CHILD = [
    sys.executable, "-c",
    "from tests import netguard; netguard.install(); from app.cli import main; main()",
]  # fmt: skip
REDIS = os.environ.get("REELROUTE_TEST_REDIS", "redis://127.0.0.1:6379/9")
ACCESS, SECRET = "ak-topology", "sk-topology"
KLING_ONLY = (
    "id: kling-only\nonly: [kling]\nmodels: {only: [kling/kling-v2-5-turbo]}\n"
    "retries: {max_attempts_per_provider: 1}\n"
)


class CountingKling(KlingFake):
    """The Kling fake, counting submissions; tasks stay `processing` while `hold` is set, and a
    submission can be accepted and then answered by a dropped connection (`drop_next`)."""

    def __init__(self, video: bytes) -> None:
        super().__init__(video, access=ACCESS, secret=SECRET)
        self.hold = threading.Event()
        self.held_words: set[str] = set()  # tasks whose prompt has one of these stay processing
        self.prompts: dict[str, str] = {}
        self.drop_next = 0

    @property
    def submissions(self) -> int:
        return sum(1 for r in self.requests if r.method == "POST" and "/v1/videos/" in r.path)

    def route(self, request: Request) -> Reply:
        reply = super().route(request)
        if request.method == "POST" and reply.status == 200 and self.drop_next:
            self.drop_next -= 1
            return Reply(drop=True)  # the task exists (and is billed); its answer is lost
        return reply

    def _submit(self, family: str, body: Any) -> Reply:
        reply = super()._submit(family, body)
        if reply.status == 200:
            tid = reply.body["data"]["task_id"]
            self.prompts[f"{family}/{tid}"] = str(body.get("prompt"))
        return reply

    def _query(self, family: str, tid: str) -> Reply:
        task = self.tasks.get(f"{family}/{tid}")
        prompt = self.prompts.get(f"{family}/{tid}", "").lower()
        if task is not None and (self.hold.is_set() or any(w in prompt for w in self.held_words)):
            return Reply(200, envelope(0, "SUCCEED", {"task_id": tid, "task_status": "processing"}))
        return super()._query(family, tid)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Topology:
    root: Path
    env: dict[str, str]
    db: Database
    fake: CountingKling
    api_url: str = ""
    api: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        """A child with a data folder of its own (`root/name`): nothing local is shared."""
        log = self.root / f"{name}.log"
        self.logs.append(log)
        data = self.root / name
        env = {**self.env, "REELROUTE_DATA_DIR": str(data)}
        with log.open("wb") as out:
            return subprocess.Popen([*CHILD, *args], env=env, cwd=self.root,
                                    stdout=out, stderr=subprocess.STDOUT)  # fmt: skip

    def start_worker(self) -> subprocess.Popen[bytes]:
        proc = self._spawn(["worker"], f"worker-{len(self.workers)}")
        self.workers.append(proc)
        return proc

    async def start_api(self) -> None:
        port = free_port()
        self.api = self._spawn(["serve", "--port", str(port)], "api")
        self.api_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300  # a loaded CI machine imports slowly
        async with httpx.AsyncClient() as client:
            while True:
                try:
                    await client.get(f"{self.api_url}/v1/providers")
                    return
                except httpx.TransportError:
                    if time.monotonic() > deadline or self.api.poll() is not None:
                        raise AssertionError(
                            "reelroute serve did not come up:\n" + self.tail()
                        ) from None
                    await asyncio.sleep(0.2)

    def tail(self, lines: int = 40) -> str:
        text = []
        for log in self.logs:
            if log.exists():
                body = log.read_text(errors="replace").splitlines()[-lines:]
                text.append(f"--- {log.name}\n" + "\n".join(body))
        return "\n".join(text)

    def worker_pid(self, worker_id: str) -> int:
        """Worker ids are `<host>-<pid>-<random>`."""
        found = re.fullmatch(r".*-(\d+)-[0-9a-f]+", worker_id)
        assert found, worker_id
        return int(found.group(1))

    def kill(self, worker_id: str, sig: signal.Signals = signal.SIGKILL) -> subprocess.Popen[bytes]:
        pid = self.worker_pid(worker_id)
        proc = next(p for p in self.workers if p.pid == pid)
        proc.send_signal(sig)
        return proc

    def bucket_keys(self, prefix: str) -> list[str]:
        """The bucket's keys under `prefix`."""
        client = make_client(self.env["REELROUTE_S3_ENDPOINT_URL"])
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=self.env["REELROUTE_S3_BUCKET"], Prefix=prefix
        )
        return [o["Key"] for page in pages for o in page.get("Contents", [])]

    def bucket_object(self, key: str) -> bytes:
        client = make_client(self.env["REELROUTE_S3_ENDPOINT_URL"])
        found = client.get_object(Bucket=self.env["REELROUTE_S3_BUCKET"], Key=key)
        return bytes(found["Body"].read())

    async def key(self, tenant: str, role: str) -> dict[str, str]:
        made = await create_key(self.db, tenant, Role(role))
        return {"Authorization": f"Bearer {made.secret}"}

    def close(self) -> None:
        for proc in [*self.workers, *([self.api] if self.api else [])]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*self.workers, *([self.api] if self.api else [])]:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _identity(folder: Path) -> dict[str, str]:
    """A manifest key and a C2PA chain, as an operator would mount them."""
    secrets_dir, anchors = folder / "secrets", folder / "anchors"
    create_local_chain(secrets_dir)
    load_or_create_key(None, secrets_dir)
    anchors.mkdir()
    shutil.copy(secrets_dir / CA_FILE, anchors / CA_FILE)
    return {
        "REELROUTE_SIGNING_KEY_PATH": str(secrets_dir / DEFAULT_KEY_FILE),
        "REELROUTE_C2PA_CERT_PATH": str(secrets_dir / CHAIN_FILE),
        "REELROUTE_C2PA_KEY_PATH": str(secrets_dir / KEY_FILE),
        "REELROUTE_C2PA_TRUST_ANCHORS_PATH": str(anchors / CA_FILE),
    }


async def _video(folder: Path) -> bytes:
    out = folder / "vendor.mp4"
    args = ["-f", "lavfi", "-i", "testsrc=size=320x180:rate=24:duration=5"]
    await run_ffmpeg([*args, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)])
    return out.read_bytes()


AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@contextmanager
def _bucket() -> Iterator[dict[str, str]]:
    """A moto S3 server on loopback with one bucket; the REELROUTE_S3_* and AWS_* values that
    point at it. moto keeps its buckets per process, not per server, so the bucket has a name
    of its own and is emptied and deleted afterwards."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint, bucket = f"http://{host}:{port}", "rr-topology-" + secrets.token_hex(4)
    saved = {k: os.environ.get(k) for k in AWS}
    os.environ.update(AWS)  # the test's own boto3 client (creating the bucket) reads these
    client = make_client(endpoint)
    try:
        client.create_bucket(Bucket=bucket)
        yield {**AWS, "REELROUTE_S3_BUCKET": bucket, "REELROUTE_S3_ENDPOINT_URL": endpoint}
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for page in pages:
            for obj in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=obj["Key"])
        client.delete_bucket(Bucket=bucket)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.stop()


def _clean_redis(queue: str) -> None:
    client = redis.Redis.from_url(REDIS)
    try:
        for key in client.scan_iter(match=f"*{queue}*", count=500):
            client.delete(key)
    finally:
        client.close()


@asynccontextmanager
async def topology(
    root: Path, workers: int = 2, lease_s: float = 6.0, extra_env: dict[str, str] | None = None
) -> AsyncIterator[Topology]:
    """The API and `workers` workers over a fresh ledger and queue; everything torn down.
    `extra_env` goes to every child (e.g. an ffmpeg wrapper that holds one step)."""
    name, db_url = await _pg_database()
    queue = "rrtest-" + secrets.token_hex(5)
    fake = CountingKling(await _video(root))
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("REELROUTE_", "AWS_"))
    }  # fmt: skip
    env.update(
        PYTHONPATH=str(REPO),
        REELROUTE_DATA_DIR=str(root / "tools"),  # the test's own CLI runs (verify)
        REELROUTE_DATABASE_URL=db_url,
        REELROUTE_REDIS_URL=REDIS,
        REELROUTE_QUEUE_NAME=queue,
        REELROUTE_LEASE_S=str(lease_s),
        REELROUTE_VOICE="espeak",
        REELROUTE_MAX_IN_FLIGHT="5",
        REELROUTE_KLING__ACCESS_KEY=ACCESS,
        REELROUTE_KLING__SECRET_KEY=SECRET,
        REELROUTE_KLING__POLL_INTERVAL_S="1",
        **_identity(root),
    )
    env.update(extra_env or {})
    db = Database(db_url)
    topo: Topology | None = None
    try:
        with serve(fake) as url, _bucket() as s3_env:
            env.update(s3_env)
            fake.base_url = url
            env["REELROUTE_KLING__BASE_URL"] = url
            await db.migrate()
            topo = Topology(root, env, db, fake)
            for _ in range(workers):
                topo.start_worker()
            await topo.start_api()
            yield topo
    finally:
        if topo is not None:
            await asyncio.to_thread(topo.close)
        await db.close()
        _clean_redis(queue)
        await _drop(name)


async def all_steps_done(topo: Topology, render_ids: list[str] | None = None) -> list[LeaseRow]:
    """The steps of `render_ids` (else of every render), once all are done: a worker closes
    its step's lease just after the render's state changes, so a test that has seen a render
    succeed may find its last step still running for a moment."""
    found: list[LeaseRow] = []

    async def done() -> bool:
        nonlocal found
        async with topo.db.session() as s:
            query = select(LeaseRow)
            if render_ids is not None:
                query = query.where(LeaseRow.render_id.in_(render_ids))
            found = list((await s.execute(query)).scalars())
        return all(step.state == StepState.DONE.value for step in found)

    try:
        await wait_for(done, "every step done", topo, timeout=60)
    except AssertionError as exc:
        raise AssertionError(f"{[(x.render_id, x.step, x.state) for x in found]}\n{exc}") from exc
    return found


async def wait_for(check: Any, what: str, topo: Topology, timeout: float = 120) -> Any:
    """Poll the async `check` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}\n{topo.tail()}")
