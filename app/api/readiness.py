"""What `/readyz` checks: a list of named async checks, run concurrently, each with a deadline.

A check returns a short detail when its dependency answers and raises when it doesn't. The
service's list (`Service.readiness`) starts with `default_checks`; another part of the service
adds its own (`service.readiness.append(ReadinessCheck("name", fn))`) and `/readyz` reports it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import imageio_ffmpeg
from sqlalchemy import text

from app.config import Settings

if TYPE_CHECKING:
    from app.api.state import Service

CHECK_TIMEOUT_S = 3.0  # a probe must answer quickly, whatever hangs behind it


@dataclass(frozen=True)
class ReadinessCheck:
    name: str
    run: Callable[[Service], Awaitable[str]]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "seconds": self.seconds}


async def check_database(service: Service) -> str:
    async with service.db.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
    return service.db.engine.dialect.name


async def check_redis(service: Service) -> str:
    import redis.asyncio as aioredis

    url = service.settings.redis_url
    assert url is not None
    client = aioredis.Redis.from_url(
        url, socket_connect_timeout=CHECK_TIMEOUT_S, socket_timeout=CHECK_TIMEOUT_S
    )
    try:
        await client.ping()
        return "pong"
    finally:
        await client.aclose()


async def check_blobs(service: Service) -> str:
    return await asyncio.to_thread(service.blobs.check)


async def check_ffmpeg(_service: Service) -> str:
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    proc = await asyncio.create_subprocess_exec(
        exe, "-version", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{exe} -version exited with {proc.returncode}")
    return out.decode(errors="replace").split("\n", 1)[0]


async def check_worker_keys(service: Service) -> str:
    from app.queue.identity import key_mismatch

    reason = await key_mismatch(service.db, service.settings)
    if reason is not None:
        raise RuntimeError(reason)
    return "every live worker signs with this deployment's key"


def default_checks(settings: Settings) -> list[ReadinessCheck]:
    checks = [ReadinessCheck("database", check_database)]
    if settings.redis_url:
        checks.append(ReadinessCheck("redis", check_redis))
        checks.append(ReadinessCheck("worker_keys", check_worker_keys))
    checks.append(ReadinessCheck("bucket" if settings.s3_bucket else "blobs", check_blobs))
    checks.append(ReadinessCheck("ffmpeg", check_ffmpeg))
    return checks


async def _run_one(service: Service, check: ReadinessCheck) -> CheckResult:
    start = time.monotonic()
    try:
        detail = await asyncio.wait_for(check.run(service), CHECK_TIMEOUT_S)
        ok = True
    except TimeoutError:
        detail, ok = f"no answer within {CHECK_TIMEOUT_S:g}s", False
    except Exception as exc:  # any failure of a dependency is "not ready", never a 500
        detail, ok = f"{type(exc).__name__}: {exc}", False
    return CheckResult(check.name, ok, detail, round(time.monotonic() - start, 3))


async def run_checks(service: Service) -> list[CheckResult]:
    return list(await asyncio.gather(*(_run_one(service, c) for c in service.readiness)))
