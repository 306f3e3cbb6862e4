"""The fallback loop of `generate_clip`, failure by failure, with scripted fakes and fake time."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from app.pipeline.cache import ClipCache
from app.pipeline.clips import (
    MIN_RATE_LIMIT_WAIT_S,
    SKIPPED,
    Candidate,
    ClipOutcome,
    SceneFailed,
    Timing,
    generate_clip,
)
from app.pipeline.health import CircuitBoard
from providers.errors import ContentRejected, ProviderUnavailable, RateLimited
from providers.registry import Registry
from providers.types import Aspect, ClipRequest
from routing.policy import FailureRules
from tests.fakes import FakeTime, ScriptedProvider

REQUEST = ClipRequest(
    prompt="a harbour", duration=4.0, aspect=Aspect.LANDSCAPE, width=64, height=36
)
DEFAULT_RULES = FailureRules()
CHAIN = [Candidate("a", "m1"), Candidate("b", "m1"), Candidate("c", "m1")]


def run(
    tmp_path: Path,
    providers: list[ScriptedProvider],
    rules: FailureRules = DEFAULT_RULES,
    chain: list[Candidate] = CHAIN,
    board: CircuitBoard | None = None,
    time: FakeTime | None = None,
) -> tuple[ClipOutcome | SceneFailed, FakeTime]:
    time = time or FakeTime()
    timing = Timing(time.clock, time.sleep, time.monotonic)

    async def go() -> ClipOutcome:
        return await generate_clip(
            0, REQUEST, chain, Registry(providers), ClipCache(tmp_path / "cache"), {}, timing,
            rules=rules, board=board,
        )  # fmt: skip

    try:
        return asyncio.run(go()), time
    except SceneFailed as exc:
        return exc, time


def trail(result: ClipOutcome | SceneFailed) -> list[tuple[str, str, str | None]]:
    return [(a.provider, a.outcome, a.error_class) for a in result.attempts]


def test_first_candidate_succeeds(tmp_path: Path) -> None:
    result, time = run(tmp_path, [ScriptedProvider("a")])
    assert isinstance(result, ClipOutcome) and result.clip is not None
    assert result.clip.provider_id == "a" and trail(result) == [("a", "succeeded", None)]
    assert result.attempts[0].cost_usd == 0.01 and time.sleeps == []


def test_content_rejected_moves_on_at_once_and_never_retries(tmp_path: Path) -> None:
    a = ScriptedProvider("a", then="reject")
    result, time = run(
        tmp_path, [a, ScriptedProvider("b")], FailureRules(max_attempts_per_provider=5)
    )
    assert trail(result) == [("a", "failed", "ContentRejected"), ("b", "succeeded", None)]
    assert len(a.calls) == 1 and time.sleeps == []


def test_rejected_provider_is_not_asked_again_with_another_model(tmp_path: Path) -> None:
    a = ScriptedProvider("a", then="reject")
    chain = [Candidate("a", "m1"), Candidate("a", "m2"), Candidate("b", "m1")]
    result, _ = run(tmp_path, [a, ScriptedProvider("b")], chain=chain)
    assert [p for p, _, _ in trail(result)] == ["a", "b"] and len(a.calls) == 1


@pytest.mark.parametrize("step", ["unavailable", "invalid", "failed"])
def test_transient_failures_retry_with_doubling_backoff_then_fall_back(
    tmp_path: Path, step: str
) -> None:
    a = ScriptedProvider("a", then=step)
    rules = FailureRules(max_attempts_per_provider=3, backoff_s=2.0, allowed_fails=10)
    result, time = run(tmp_path, [a, ScriptedProvider("b")], rules)
    assert [p for p, _, _ in trail(result)] == ["a", "a", "a", "b"]
    assert time.sleeps == [2.0, 4.0]
    assert isinstance(result, ClipOutcome) and result.clip and result.clip.provider_id == "b"


def test_a_retry_can_succeed(tmp_path: Path) -> None:
    result, time = run(tmp_path, [ScriptedProvider("a", ["unavailable"])])
    assert trail(result) == [("a", "failed", "ProviderUnavailable"), ("a", "succeeded", None)]
    assert time.sleeps == [2.0]


def test_auth_error_moves_on_without_retry(tmp_path: Path) -> None:
    a = ScriptedProvider("a", then="auth")
    result, _ = run(tmp_path, [a, ScriptedProvider("b")], FailureRules(max_attempts_per_provider=4))
    assert [p for p, _, _ in trail(result)] == ["a", "b"]


def test_rate_limit_waits_retry_after_within_budget(tmp_path: Path) -> None:
    a = ScriptedProvider("a", ["ratelimit:5", "ratelimit:5"])
    result, time = run(tmp_path, [a], FailureRules(rate_limit_wait_budget_s=10))
    assert trail(result)[-1] == ("a", "succeeded", None) and time.sleeps == [5.0, 5.0]


def test_rate_limit_beyond_budget_moves_on(tmp_path: Path) -> None:
    a = ScriptedProvider("a", then="ratelimit:30")
    result, time = run(
        tmp_path, [a, ScriptedProvider("b")], FailureRules(rate_limit_wait_budget_s=10)
    )
    assert trail(result) == [("a", "failed", "RateLimited"), ("b", "succeeded", None)]
    assert time.sleeps == []


def test_rate_limit_without_retry_after_never_spins(tmp_path: Path) -> None:
    a = ScriptedProvider("a", then="ratelimit:0")
    rules = FailureRules(backoff_s=0, rate_limit_wait_budget_s=3, allowed_fails=100)
    result, time = run(tmp_path, [a, ScriptedProvider("b")], rules)
    assert time.sleeps == [MIN_RATE_LIMIT_WAIT_S] * 3
    assert trail(result)[-1] == ("b", "succeeded", None)


def test_rate_limit_budget_is_per_scene_across_providers(tmp_path: Path) -> None:
    a = ScriptedProvider("a", ["ratelimit:6", "ratelimit:6"])
    b = ScriptedProvider("b", ["ratelimit:6"])
    rules = FailureRules(rate_limit_wait_budget_s=10)
    result, time = run(tmp_path, [a, b, ScriptedProvider("c")], rules)
    assert time.sleeps == [6.0]
    assert [p for p, _, _ in trail(result)] == ["a", "a", "b", "c"]


def test_exhausted_chain_reports_every_attempt(tmp_path: Path) -> None:
    providers = [ScriptedProvider(p, then="reject") for p in "abc"]
    result, _ = run(tmp_path, providers)
    assert isinstance(result, SceneFailed)
    assert [a.provider for a in result.attempts] == ["a", "b", "c"]
    assert "scene 1: every eligible provider failed" in str(result)
    assert "a/m1: ContentRejected: refused" in str(result)


def test_missing_adapter_is_a_recorded_failure(tmp_path: Path) -> None:
    result, _ = run(tmp_path, [ScriptedProvider("b")])
    assert trail(result) == [("a", "failed", "ProviderError"), ("b", "succeeded", None)]


def test_only_the_chain_is_ever_called(tmp_path: Path) -> None:
    outsider = ScriptedProvider("x")
    providers = [ScriptedProvider(p, then="unavailable") for p in "abc"]
    result, _ = run(tmp_path, [*providers, outsider])
    assert isinstance(result, SceneFailed) and outsider.calls == []


def test_open_circuit_is_skipped_and_recorded(tmp_path: Path) -> None:
    time = FakeTime()
    board = CircuitBoard(allowed_fails=1, cooldown_s=60, monotonic=time.monotonic)
    board.record_failure("a", ProviderUnavailable("down"))
    a = ScriptedProvider("a")
    result, _ = run(tmp_path, [a, ScriptedProvider("b")], board=board, time=time)
    assert trail(result) == [("a", SKIPPED, "CircuitOpen"), ("b", "succeeded", None)]
    assert a.calls == []


def test_retries_stop_when_the_circuit_opens(tmp_path: Path) -> None:
    a = ScriptedProvider("a", then="unavailable")
    rules = FailureRules(max_attempts_per_provider=5, allowed_fails=2)
    result, time = run(tmp_path, [a, ScriptedProvider("b")], rules)
    assert [p for p, _, _ in trail(result)] == ["a", "a", "b"] and len(time.sleeps) == 1


def test_cached_clip_is_reused_without_calling(tmp_path: Path) -> None:
    a = ScriptedProvider("a")
    run(tmp_path, [a])
    again, _ = run(tmp_path, [a])
    assert trail(again) == [("a", "cached", None)] and len(a.calls) == 1


def test_circuit_board_trips_cools_and_ignores_content_rejections() -> None:
    time = FakeTime()
    board = CircuitBoard(allowed_fails=2, cooldown_s=30, monotonic=time.monotonic)
    assert not board.record_failure("a", ContentRejected("no"))
    assert not board.record_failure("a", RateLimited("429"))
    assert board.failures("a") == 1
    assert board.record_failure("a", ProviderUnavailable("down"))
    assert board.is_open("a") and board.open_circuits() == {"a"}
    health = board.health(["a", "b", "c"], configured=["a", "b"])
    assert health["a"].circuit_open and not health["b"].circuit_open
    assert not health["c"].configured
    time.now += 30
    assert not board.is_open("a") and board.failures("a") == 0
    board.record_failure("b", ProviderUnavailable("down"))
    board.record_success("b")
    assert board.failures("b") == 0
    with pytest.raises(ValueError):
        CircuitBoard(allowed_fails=0)


def test_a_cached_clip_is_used_even_while_its_provider_cools_down(tmp_path: Path) -> None:
    time = FakeTime()
    a = ScriptedProvider("a")
    run(tmp_path, [a], time=time)
    board = CircuitBoard(allowed_fails=1, cooldown_s=60, monotonic=time.monotonic)
    board.record_failure("a", ProviderUnavailable("down"))
    again, _ = run(tmp_path, [a, ScriptedProvider("b")], board=board, time=time)
    assert trail(again) == [("a", "cached", None)] and len(a.calls) == 1
