"""Generate every scene's clip, falling back along each scene's eligible chain.

Only the models the routing decision names (chosen, then its fallbacks) are ever called, so a
policy's exclusions hold on retries and fallbacks too. How a failure moves the scene on:

    ContentRejected                        next candidate at once; never the same provider again
    ProviderUnavailable, InvalidResponse,  retry the same candidate with doubling backoff up to
    GenerationFailed                       `max_attempts_per_provider`, then the next candidate
    RateLimited(retry_after)               wait `retry_after` (at least MIN_RATE_LIMIT_WAIT_S)
                                           while the scene's `rate_limit_wait_budget_s` lasts,
                                           then the next candidate
    SubmissionUnknown                      never the same candidate again (it may be making,
                                           and billing, the clip); recorded as `unknown`; the
                                           next candidate only under `on_unknown_submit:
                                           fallback`, else the scene fails
    anything else (auth, configuration,    the next candidate
    capability, request rejected,
    deadline, no adapter)

Every provider failure feeds its circuit breaker (`app.pipeline.health`); a provider whose
circuit is open is skipped (recorded as `skipped`) in every chain until it cools down. A
request the vendor rejects as invalid feeds that model's own breaker instead, so only that
model is skipped. Every attempt is recorded, and reported to `on_attempt` as it happens; a
vendor's job id is reported to `on_submitted` as soon as the vendor accepted the job (an
in-progress attempt with outcome `submitted`, never kept among the manifest's attempts); the
wall clock, the monotonic clock and sleeping are injected (`Timing`), so tests never wait.

A scene resumed after a crash passes `resume`: for a candidate whose submission was recorded
(write-ahead) and never finished, the vendor's recorded answer replaces the submission, so the
adapter polls the task already paid for instead of submitting again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.pipeline.cache import ClipCache, request_key
from app.pipeline.health import CircuitBoard
from app.provenance.manifest import AttemptRecord
from providers.base import in_flight_limit, watching_submissions
from providers.errors import (
    ContentRejected,
    GenerationFailed,
    InvalidResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    SubmissionUnknown,
)
from providers.registry import Registry
from providers.types import Clip, ClipRequest
from routing.policy import FailureRules

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
# (scene index, the attempt just recorded, the clip it delivered if any)
OnAttempt = Callable[[int, AttemptRecord, Clip | None], None]
# (scene index, the attempt in progress (outcome SUBMITTED), the vendor's job id, the vendor's
# answer to the submission: what a resumed attempt replays instead of submitting again)
OnSubmitted = Callable[[int, AttemptRecord, str, Any], None]
Flush = Callable[[], Awaitable[None]]

_log = logging.getLogger(__name__)
MIN_RATE_LIMIT_WAIT_S = 1.0  # a `retry_after` of 0 must not spin the loop
RETRYABLE = (ProviderUnavailable, InvalidResponse, GenerationFailed)
SKIPPED = "skipped"  # AttemptRecord.outcome for a candidate passed over with an open circuit
SUBMITTED = "submitted"  # an attempt the vendor accepted and is working on (events only)
UNKNOWN = "unknown"  # the submission was sent and its answer lost: maybe accepted, maybe paid
DEFAULT_GATE = 2  # calls in flight to a provider that declares no limit (= Settings default)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Timing:
    """Where time comes from: injected so tests and replays are deterministic and instant."""

    clock: Clock = utc_now
    sleep: Sleep = asyncio.sleep
    monotonic: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class Candidate:
    provider: str
    model: str


@dataclass(frozen=True)
class ClipOutcome:
    clip: Clip | None
    attempts: tuple[AttemptRecord, ...]
    cached: bool = False


class SceneFailed(Exception):
    """No candidate produced a clip for a scene; carries every attempt for the report."""

    def __init__(self, index: int, attempts: Sequence[AttemptRecord]) -> None:
        self.index = index
        self.attempts = list(attempts)
        tried = "; ".join(f"{a.provider}/{a.model}: {a.error_class}: {a.error}" for a in attempts)
        super().__init__(f"scene {index + 1}: every eligible provider failed ({tried or 'none'})")


@dataclass
class SceneRun:
    """The state of one scene's walk down its chain."""

    index: int
    request: ClipRequest
    rules: FailureRules
    attempts: list[AttemptRecord] = field(default_factory=list)
    waited_s: float = 0.0  # rate-limit waiting spent so far, against the wait budget
    rejected: set[str] = field(default_factory=set)  # providers that refused the content
    on_attempt: OnAttempt | None = None  # told of each attempt as soon as it is recorded
    on_submitted: OnSubmitted | None = None  # told of each vendor job as soon as it is accepted
    recorded: Flush | None = None  # awaited before polling: the job id is durable by then
    # "provider/model" -> the recorded answer to its unfinished submission (consumed once)
    resume: dict[str, Any] = field(default_factory=dict)
    unknown: bool = False  # a submission's outcome was lost on this scene

    def record(self, rec: AttemptRecord, clip: Clip | None = None) -> None:
        self.attempts.append(rec)
        _log.info(
            "attempt %s/%s %s in %.1fs", rec.provider, rec.model, rec.outcome, rec.seconds,
            extra={"provider": rec.provider, "model": rec.model, "outcome": rec.outcome},
        )  # fmt: skip
        if self.on_attempt is not None:
            self.on_attempt(self.index, rec, clip)

    def submission_watch(self, cand: Candidate, timing: Timing) -> Watch:
        """What the provider tells of its submission, for the attempt starting now."""
        started, t0 = timing.clock(), timing.monotonic()
        answer: list[Any] = [None]

        def submitted(job_id: str) -> None:
            if self.on_submitted is None:
                return
            rec = AttemptRecord(
                cand.provider, cand.model, SUBMITTED, _iso(started), _iso(timing.clock()),
                round(timing.monotonic() - t0, 3),
            )  # fmt: skip
            self.on_submitted(self.index, rec, job_id, answer[0])

        def reply(body: Any) -> None:
            answer[0] = body

        replay = self.resume.pop(f"{cand.provider}/{cand.model}", None)
        return Watch(submitted, reply, replay, self.recorded)


@dataclass(frozen=True)
class Watch:
    """One attempt's submission hooks (`providers.base.watching_submissions`)."""

    submitted: Callable[[str], None]
    reply: Callable[[Any], None] | None = None
    replay: Any = None
    recorded: Flush | None = None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def _attempt(
    registry: Registry,
    cache: ClipCache,
    request: ClipRequest,
    cand: Candidate,
    timing: Timing,
    watch: Watch | None = None,
) -> tuple[Clip | None, AttemptRecord, ProviderError | None, bool]:
    key = request_key(request, cand.provider, cand.model)
    started, t0 = timing.clock(), timing.monotonic()
    hit = await asyncio.to_thread(cache.load, key)  # may fetch from a shared bucket
    if hit is not None:
        rec = AttemptRecord(
            cand.provider, cand.model, "cached", _iso(started), _iso(timing.clock()), 0.0
        )
        return hit, rec, None, True
    provider = registry.get(cand.provider)
    try:
        if provider is None:
            raise ProviderError(f"no adapter registered for {cand.provider}")
        watch = watch or Watch(_unwatched)
        with watching_submissions(
            watch.submitted, on_reply=watch.reply, replay=watch.replay, recorded=watch.recorded
        ):
            made = await provider.generate(request, cand.model, cache.path_for(key))
        clip = await asyncio.to_thread(cache.store, key, made)
    except ProviderError as exc:
        outcome = UNKNOWN if isinstance(exc, SubmissionUnknown) else "failed"
        rec = AttemptRecord(
            cand.provider, cand.model, outcome, _iso(started), _iso(timing.clock()),
            round(timing.monotonic() - t0, 3), None, type(exc).__name__, str(exc),
        )  # fmt: skip
        return None, rec, exc, False
    rec = AttemptRecord(
        cand.provider, cand.model, "succeeded", _iso(started), _iso(timing.clock()),
        round(timing.monotonic() - t0, 3), clip.cost_usd,
    )  # fmt: skip
    return clip, rec, None, False


def _unwatched(job_id: str) -> None:
    """Nobody asked to hear of submissions (and none from an outer caller leak in)."""


def _pause_after(exc: ProviderError, tries: int, run: SceneRun) -> float | None:
    """Seconds to wait before trying the same candidate again; None to move on."""
    rules = run.rules
    if isinstance(exc, RateLimited):
        wait = max(exc.retry_after or rules.backoff(tries), MIN_RATE_LIMIT_WAIT_S)
        return wait if run.waited_s + wait <= rules.rate_limit_wait_budget_s else None
    if isinstance(exc, SubmissionUnknown):
        return None  # asking again could make (and bill) the clip twice
    if isinstance(exc, RETRYABLE) and tries < rules.max_attempts_per_provider:
        return rules.backoff(tries)
    return None  # ContentRejected and the rest: never the same provider again


def _gate(gates: dict[str, asyncio.Semaphore], registry: Registry, pid: str) -> asyncio.Semaphore:
    """The provider's shared gate; made on first use (callers that did not prepare one) at the
    provider's declared in-flight limit, else DEFAULT_GATE."""
    gate = gates.get(pid)
    if gate is None:
        gate = gates[pid] = asyncio.Semaphore(in_flight_limit(registry.get(pid), DEFAULT_GATE))
    return gate


def _benched(board: CircuitBoard, cand: Candidate) -> bool:
    return board.is_open(cand.provider) or board.model_open(cand.provider, cand.model)


def _skip(cand: Candidate, board: CircuitBoard, timing: Timing) -> AttemptRecord:
    now = _iso(timing.clock())
    whose = "circuit" if board.is_open(cand.provider) else "model's circuit"
    why = f"{whose} open after {board.allowed_fails} consecutive failures"
    return AttemptRecord(
        cand.provider, cand.model, SKIPPED, now, now, 0.0, None, "CircuitOpen", why
    )


async def _try_candidate(
    run: SceneRun,
    cand: Candidate,
    registry: Registry,
    cache: ClipCache,
    gate: asyncio.Semaphore,
    board: CircuitBoard,
    timing: Timing,
) -> tuple[Clip, bool] | None:
    """Attempts on one candidate until it delivers (clip, cached) or the scene must move on."""
    tries = 0
    while True:
        tries += 1
        async with gate:  # held for the call only, never while waiting
            watch = run.submission_watch(cand, timing)
            clip, rec, exc, cached = await _attempt(
                registry, cache, run.request, cand, timing, watch
            )
        run.record(rec, clip)
        if clip is not None:
            board.record_success(cand.provider, cand.model)
            return clip, cached
        assert exc is not None
        if isinstance(exc, ContentRejected):
            run.rejected.add(cand.provider)
        if isinstance(exc, SubmissionUnknown):
            run.unknown = True
        board.record_failure(cand.provider, exc, cand.model)
        pause = _pause_after(exc, tries, run)
        if pause is None or _benched(board, cand):
            return None
        if isinstance(exc, RateLimited):
            run.waited_s += pause
        await timing.sleep(pause)


async def generate_clip(
    index: int,
    request: ClipRequest,
    chain: Sequence[Candidate],
    registry: Registry,
    cache: ClipCache,
    gates: dict[str, asyncio.Semaphore],
    timing: Timing | None = None,
    *,
    rules: FailureRules | None = None,
    board: CircuitBoard | None = None,
    on_attempt: OnAttempt | None = None,
    on_submitted: OnSubmitted | None = None,
    recorded: Flush | None = None,
    resume: dict[str, Any] | None = None,
) -> ClipOutcome:
    """Walk `chain` (the decision's chosen model, then its fallbacks) until one delivers.

    Raises SceneFailed, carrying every attempt, when the chain is exhausted, or when a
    submission's outcome was lost and the rules do not allow falling back after it."""
    timing = timing or Timing()
    run = SceneRun(
        index, request, rules or FailureRules(), on_attempt=on_attempt,
        on_submitted=on_submitted, recorded=recorded, resume=dict(resume or {}),
    )  # fmt: skip
    board = board or CircuitBoard.from_rules(run.rules, timing.monotonic)
    for cand in chain:
        if cand.provider in run.rejected:
            continue  # this provider refused the content: never ask it again, any model
        key = request_key(request, cand.provider, cand.model)
        if _benched(board, cand) and cache.load(key) is None:
            run.record(_skip(cand, board, timing))
            continue  # a clip it already made is still used: reusing it calls nobody
        gate = _gate(gates, registry, cand.provider)
        made = await _try_candidate(run, cand, registry, cache, gate, board, timing)
        if made is not None:
            return ClipOutcome(made[0], tuple(run.attempts), made[1])
        if run.unknown and not run.rules.fallback_on_unknown:
            break  # on_unknown_submit: fail: no second vendor is paid for this scene
    raise SceneFailed(index, run.attempts)
