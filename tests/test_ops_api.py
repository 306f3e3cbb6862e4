"""Scale-out operations through the real API: a render stored in a bucket whose files download
through presigned URLs and pass verify; /metrics from the ledger; JSON logs naming the render
and scene; /healthz and /readyz with a Redis the test starts itself and a bucket that goes."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from app.api.readiness import ReadinessCheck
from app.api.state import Service
from app.logs import ContextFilter, JsonFormatter
from app.provenance.credentials import load_trust_anchors
from app.provenance.verify import VerifyInputs, failed, verify_path
from app.store import leases
from tests.api_harness import FAKES_POLICY, RecordingQueue, running_api
from tests.s3_server import S3, s3, s3_endpoint
from tests.service_db import _drop, _pg_database
from tests.test_api_renders import create_body

__all__ = ["s3", "s3_endpoint"]  # fixtures, used by name below

FILES = {
    "outputs/16x9": None,  # named by the manifest
    "manifest": "manifest.json",
    "report": "report.html",
    "disclosure.vtt": "disclosure.vtt",
    "captions.srt": "captions.srt",
    "captions.vtt": "captions.vtt",
}


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    name, url = await _pg_database()
    try:
        yield url
    finally:
        await _drop(name)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the JSON log handler writes while the test runs."""
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield sink
    root.removeHandler(handler)
    root.setLevel(level)


def _metrics(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.mark.slow
async def test_render_in_a_bucket_downloads_presigned_and_verifies(
    tmp_path: Path, pg_url: str, s3: S3, json_log: io.StringIO
) -> None:
    async with running_api(tmp_path, pg_url, **s3.settings()) as api:
        await api.policy("acme", FAKES_POLICY)
        creator = await api.key("acme", "creator")
        made = await api.client.post("/v1/renders", json=create_body(), headers=creator)
        rid = made.json()["id"]
        await api.client.post(f"/v1/renders/{rid}/approve", headers=creator)
        done = await api.wait_state(rid, creator, "succeeded", "failed")
        assert done["state"] == "succeeded", done["error"]

        folder = tmp_path / "downloaded"
        folder.mkdir()
        stranger = await api.key("globex", "agency_admin")
        async with httpx.AsyncClient() as outside:  # a client reaching the bucket itself
            for path, name in FILES.items():
                got = await api.client.get(f"/v1/renders/{rid}/{path}", headers=creator)
                assert got.status_code == 307, (path, got.text)
                url = got.headers["location"]
                assert url.startswith(s3.endpoint) and "X-Amz-Signature=" in url
                fetched = await outside.get(url)
                assert fetched.status_code == 200, path
                filename = fetched.headers["content-disposition"].split('filename="')[1][:-1]
                assert name in (None, filename)
                (folder / filename).write_bytes(fetched.content)
                other = await api.client.get(f"/v1/renders/{rid}/{path}", headers=stranger)
                assert other.status_code == 404 and "location" not in other.headers
            ranged = await outside.get(url, headers={"Range": "bytes=0-9"})
            assert ranged.status_code == 206 and len(ranged.content) == 10

        settings = api.service.settings
        inputs = VerifyInputs(
            load_trust_anchors(settings), settings.clip_cache_dir, api.service.catalog
        )
        video = next(folder.glob("*.mp4"))
        checks = verify_path(video, inputs)
        assert not failed(checks), [c for c in checks if c.verdict.value == "fail"]

        stored = s3.client().list_objects_v2(Bucket=s3.bucket)["Contents"]
        names = [o["Key"] for o in stored]
        assert f"renders/{rid}/manifest.json" in names
        assert sum(n.startswith("clips/") and n.endswith(".mp4") for n in names) == 2
        assert not (settings.blobs_dir / "renders").exists()  # nothing kept on local disk

        scraped = await api.client.get("/metrics")
        assert scraped.status_code == 200
        assert scraped.headers["content-type"].startswith("text/plain")
        samples = _metrics(scraped.text)
        assert samples[("reelroute_renders", (("state", "succeeded"),))] == 1
        assert samples[("reelroute_renders", (("state", "failed"),))] == 0
        ok = (("outcome", "succeeded"), ("provider", "fakea"))
        assert samples[("reelroute_scene_attempts_total", ok)] == 2
        assert samples[("reelroute_scene_generation_failures_total", (("provider", "fakea"),))] == 0
        assert samples[("reelroute_scene_generation_seconds_count", (("provider", "fakea"),))] == 2
        spent = (("provider", "fakea"), ("tenant", "acme"))
        assert samples[("reelroute_spend_usd_total", spent)] == pytest.approx(done["cost_usd"])
        assert samples[("reelroute_queue_depth", (("kind", "renders"),))] == 0

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    mine = [line for line in lines if line.get("render_id") == rid]
    attempts = sorted(
        (line["scene"], line["provider"], line["outcome"])
        for line in mine
        if line["message"].startswith("attempt ")
    )
    assert attempts == [(0, "fakea", "succeeded"), (1, "fakea", "succeeded")]
    assert any(line["message"] == "render succeeded" for line in mine)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of this test's own, on a free port (never the shared 6379)."""
    port = _free_port()
    proc = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.05)
    client.close()
    try:
        yield f"redis://127.0.0.1:{port}/0", proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


async def test_readyz_follows_redis_and_the_bucket(
    tmp_path: Path, s3: S3, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, redis_proc = own_redis
    database = f"sqlite:///{tmp_path / 'ledger.db'}"
    queue = RecordingQueue()
    async with running_api(tmp_path, database, queue=queue, redis_url=url, **s3.settings()) as api:
        seen: list[str] = []

        async def plugged(service: Service) -> str:  # a check another part adds
            seen.append(service.settings.redis_url or "")
            return "same key"

        api.service.readiness.append(ReadinessCheck("extra", plugged))

        async def ready() -> tuple[int, dict[str, dict[str, object]]]:
            got = await api.client.get("/readyz")
            body = got.json()
            assert body["ready"] is (got.status_code == 200)
            return got.status_code, {c["name"]: c for c in body["checks"]}

        status, checks = await ready()
        assert status == 200, checks
        assert list(checks) == ["database", "redis", "worker_keys", "bucket", "ffmpeg", "extra"]
        assert checks["ffmpeg"]["detail"].startswith("ffmpeg version")  # type: ignore[union-attr]
        assert seen == [url]

        # One identity: a live worker signing with another manifest key makes the API unready.
        await leases.beat(api.service.db, "w-stray", "ed25519:not-this-deployment")
        status, checks = await ready()
        assert status == 503 and not checks["worker_keys"]["ok"]
        assert "w-stray" in str(checks["worker_keys"]["detail"])
        await leases.beat(api.service.db, "w-stray", "ed25519:not-this-deployment", stopped=True)
        status, checks = await ready()
        assert status == 200, checks
        assert (await api.client.get("/healthz")).json() == {"status": "ok"}

        redis_proc.terminate()
        await asyncio.to_thread(redis_proc.wait, 10)
        status, checks = await ready()
        assert status == 503
        assert not checks["redis"]["ok"]
        assert all(c["ok"] for name, c in checks.items() if name != "redis")
        assert (await api.client.get("/healthz")).status_code == 200  # alive all the same

        client = s3.client()
        client.delete_bucket(Bucket=s3.bucket)
        try:
            status, checks = await ready()
        finally:
            client.create_bucket(Bucket=s3.bucket)  # for the fixture's own cleanup
        assert status == 503 and not checks["bucket"]["ok"]
        assert s3.bucket in str(checks["bucket"]["detail"])
        assert checks["database"]["ok"] and checks["ffmpeg"]["ok"]
