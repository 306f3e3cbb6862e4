"""A deadline is a deadline: `deadline_s` bounds submit → poll → download as a whole, in real
time; server hints that are not finite numbers are ignored; polls never come faster than the
floor; at the deadline the task is cancelled where the vendor allows and the scene falls back."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.pipeline.cache import ClipCache
from app.pipeline.clips import Candidate, generate_clip
from app.pipeline.clips import Timing as PipelineTiming
from providers.errors import DeadlineExceeded
from providers.local import MODEL_ID, LocalProvider
from providers.registry import Registry
from providers.settings import RunwaySettings
from providers.vendors.polling import MIN_POLL_INTERVAL_S, Timing
from providers.vendors.runway import RunwayProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant, leftovers
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.server import Reply, serve

KEY = "rw-key"
SAFETY_NET_S = 60  # only so a regression fails instead of hanging; not a speed target


@pytest.fixture
def fake(tiny_mp4: bytes) -> Iterator[RunwayFake]:
    app = RunwayFake(tiny_mp4, key=KEY)
    with serve(app) as url:
        app.base_url = url
        yield app


async def _no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


REAL_CLOCK = Timing(sleep=_no_wait, monotonic=time.monotonic, random=lambda: 0.5)
"""Polls never wait, but the deadline runs on the real monotonic clock."""


def runway(fake: RunwayFake, timing: Timing, **settings: float) -> RunwayProvider:
    config = RunwaySettings(api_key=SecretStr(KEY), base_url=fake.base_url, **settings)
    return RunwayProvider(config, timing=timing)


async def test_a_drip_fed_download_is_cut_off_at_the_deadline(
    fake: RunwayFake, tiny_mp4: bytes, tmp_path: Path
) -> None:
    fake.fail("download", Reply(200, tiny_mp4, {"Content-Type": "video/mp4"}, drip_s=0.25))
    adapter = runway(fake, REAL_CLOCK, deadline_s=1.5, timeout_s=30)  # each byte beats 30 s
    with pytest.raises(DeadlineExceeded, match=r"not finished within 1\.5 s"):
        await asyncio.wait_for(
            adapter.generate(clip_request(), "gen4.5", tmp_path / "out" / "c.mp4"), SAFETY_NET_S
        )
    assert leftovers(tmp_path / "out") == []


async def test_a_hanging_poll_is_cut_off_and_the_task_cancelled(
    fake: RunwayFake, tmp_path: Path
) -> None:
    # the deadline covers the submit too: it must outlast a loaded machine's submit, so the
    # task exists (and is known) when the hanging poll is cut off
    fake.fail("status", Reply(200, {"status": "RUNNING"}, hang_s=15.0))
    adapter = runway(fake, REAL_CLOCK, deadline_s=5.0, timeout_s=30)
    with pytest.raises(DeadlineExceeded):
        await asyncio.wait_for(
            adapter.generate(clip_request(), "gen4.5", tmp_path / "c.mp4"), SAFETY_NET_S
        )
    assert fake.cancelled == list(fake.tasks)  # cancelled although the deadline had passed


@pytest.mark.parametrize(
    "hint",
    [{"Retry-After": "NaN"}, {"retry-after-ms": "inf"}, {"Retry-After": "-inf"},
     {"openai-poll-after-ms": "nan"}, {"Retry-After": "0"}, {"retry-after-ms": "-5"}],
)  # fmt: skip
async def test_nonsense_server_hints_neither_spin_nor_stall_the_poll(
    fake: RunwayFake, tmp_path: Path, hint: dict[str, str]
) -> None:
    clock = FakeTime()
    fake.fail("status", *[Reply(200, {"status": "RUNNING"}, hint)] * 3)
    clip = await runway(fake, instant(clock), deadline_s=120).generate(
        clip_request(), "gen4.5", tmp_path / "c.mp4"
    )
    assert clip.provider_job_id in fake.tasks
    assert clock.sleeps and all(math.isfinite(s) and s >= MIN_POLL_INTERVAL_S for s in clock.sleeps)


async def test_the_poll_interval_has_a_floor(fake: RunwayFake, tmp_path: Path) -> None:
    clock = FakeTime()
    adapter = runway(fake, instant(clock), poll_interval_s=0.001)
    await adapter.generate(clip_request(), "gen4.5", tmp_path / "c.mp4")
    assert clock.sleeps and min(clock.sleeps) == MIN_POLL_INTERVAL_S


async def test_at_the_deadline_the_scene_falls_back_without_retrying_the_vendor(
    fake: RunwayFake, tiny_mp4: bytes, tmp_path: Path
) -> None:
    fake.fail("download", Reply(200, tiny_mp4, {"Content-Type": "video/mp4"}, drip_s=0.25))
    registry = Registry([runway(fake, REAL_CLOCK, deadline_s=1.0), LocalProvider()])
    clock = FakeTime()
    chain = [Candidate("runway", "gen4.5"), Candidate("local", MODEL_ID)]
    outcome = await asyncio.wait_for(
        generate_clip(
            0, clip_request(duration=1.0), chain, registry, ClipCache(tmp_path / "cache"), {},
            PipelineTiming(clock.clock, clock.sleep, clock.monotonic),
        ),
        SAFETY_NET_S,
    )  # fmt: skip
    trail = [(a.provider, a.outcome, a.error_class) for a in outcome.attempts]
    assert trail == [("runway", "failed", "DeadlineExceeded"), ("local", "succeeded", None)]
