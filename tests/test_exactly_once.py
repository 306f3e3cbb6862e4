"""Exactly-once spending, piece by piece: a lost submission answer is `unknown` and never
retried; the policy decides whether another paid model may try; a recorded submission answer is
polled instead of submitted again; and the policy's canonical JSON keeps its hash when the new
field is left at its default."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from app.pipeline.cache import ClipCache
from app.pipeline.clips import Candidate, ClipOutcome, SceneFailed, Timing, generate_clip
from app.policies.combine import combine_policies
from providers.base import watching_submissions
from providers.errors import ProviderUnavailable, SubmissionUnknown
from providers.registry import Registry
from providers.settings import KlingSettings
from providers.types import Aspect, ClipRequest
from providers.vendors.kling import KlingProvider
from routing.policy import FailureRules, Policy, UnknownSubmit
from tests.fakes import FakeTime, ScriptedProvider
from tests.fakes_http.harness import clip_request, instant
from tests.fakes_http.kling import KlingFake
from tests.fakes_http.server import Reply, serve
from tests.test_cli_serve import free_port

REQUEST = ClipRequest(
    prompt="a harbour", duration=4.0, aspect=Aspect.LANDSCAPE, width=64, height=36
)
CHAIN = [Candidate("a", "m1"), Candidate("b", "m1")]
ACCESS, SECRET = "ak-test", "sk-secret"


def _run(tmp_path: Path, rules: FailureRules) -> tuple[ClipOutcome | SceneFailed, list[Any]]:
    a, b = ScriptedProvider("a", then="unknown"), ScriptedProvider("b")
    time = FakeTime()

    async def go() -> ClipOutcome:
        return await generate_clip(
            0, REQUEST, CHAIN, Registry([a, b]), ClipCache(tmp_path / "cache"), {},
            Timing(time.clock, time.sleep, time.monotonic), rules=rules,
        )  # fmt: skip

    try:
        return asyncio.run(go()), [a, b]
    except SceneFailed as exc:
        return exc, [a, b]


def test_an_unknown_submission_fails_the_scene_by_default_and_is_never_retried(
    tmp_path: Path,
) -> None:
    result, (a, b) = _run(tmp_path, FailureRules(max_attempts_per_provider=5))
    assert isinstance(result, SceneFailed)
    assert [(x.provider, x.outcome, x.error_class) for x in result.attempts] == [
        ("a", "unknown", "SubmissionUnknown")
    ]
    assert len(a.calls) == 1 and b.calls == []  # no retry, no second paid vendor


def test_fallback_after_an_unknown_submission_when_the_policy_allows_it(tmp_path: Path) -> None:
    rules = FailureRules(max_attempts_per_provider=5, fallback_on_unknown=True)
    result, (a, b) = _run(tmp_path, rules)
    assert isinstance(result, ClipOutcome)
    assert [(x.provider, x.outcome) for x in result.attempts] == [
        ("a", "unknown"),
        ("b", "succeeded"),
    ]
    assert len(a.calls) == 1 and len(b.calls) == 1


def test_on_unknown_submit_in_the_policy_language() -> None:
    plain = Policy.model_validate({"id": "p"})
    assert "on_unknown_submit" not in plain.canonical_json()  # hashes from before it hold
    assert plain.sha256 == Policy.model_validate({"id": "p", "on_unknown_submit": "fail"}).sha256
    fallback = Policy.model_validate({"id": "p", "on_unknown_submit": "fallback"})
    assert '"on_unknown_submit":"fallback"' in fallback.canonical_json()
    assert fallback.failure_rules().fallback_on_unknown
    assert not plain.failure_rules().fallback_on_unknown
    # an agency's `fail` binds whatever a creator picks
    assert combine_policies(plain, fallback).on_unknown_submit is UnknownSubmit.FAIL
    assert combine_policies(fallback, fallback).on_unknown_submit is UnknownSubmit.FALLBACK


@pytest.fixture
def kling(tiny_mp4: bytes) -> Iterator[KlingFake]:
    app = KlingFake(tiny_mp4, access=ACCESS, secret=SECRET)
    with serve(app) as url:
        app.base_url = url
        yield app


def _adapter(base_url: str) -> KlingProvider:
    settings = KlingSettings(
        access_key=SecretStr(ACCESS), secret_key=SecretStr(SECRET), base_url=base_url
    )
    return KlingProvider(settings, timing=instant(FakeTime()))


def _posts(fake: KlingFake) -> int:
    return sum(1 for r in fake.requests if r.method == "POST")


async def test_a_recorded_submission_is_polled_not_submitted_again(
    kling: KlingFake, tmp_path: Path
) -> None:
    answers: list[Any] = []
    ids: list[str] = []
    with watching_submissions(ids.append, on_reply=answers.append):
        first = await _adapter(kling.base_url).generate(
            clip_request(), "kling-v2-5-turbo", tmp_path / "a.mp4"
        )
    assert _posts(kling) == 1 and ids == [first.provider_job_id]
    (answer,) = answers  # what the ledger keeps: the vendor's own answer to the submission
    assert answer["body"]["data"]["task_id"] == first.provider_job_id

    resumed_ids: list[str] = []
    with watching_submissions(resumed_ids.append, replay=answer):
        again = await _adapter(kling.base_url).generate(
            clip_request(), "kling-v2-5-turbo", tmp_path / "b.mp4"
        )
    assert _posts(kling) == 1  # nothing submitted: the same task was polled and downloaded
    assert again.provider_job_id == first.provider_job_id == resumed_ids[0]


async def test_a_dropped_submission_is_unknown_and_a_refused_connection_is_not(
    kling: KlingFake, tmp_path: Path
) -> None:
    kling.fail("submit", Reply(drop=True))
    with pytest.raises(SubmissionUnknown):
        await _adapter(kling.base_url).generate(clip_request(), "kling-v2-5-turbo", tmp_path / "a")
    assert _posts(kling) == 1
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens: the request never left
    with pytest.raises(ProviderUnavailable):
        await _adapter(closed).generate(clip_request(), "kling-v2-5-turbo", tmp_path / "b")
