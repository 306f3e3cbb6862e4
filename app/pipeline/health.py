"""Circuit breakers per provider: the source of the router's `circuit_open` health.

A breaker counts a provider's consecutive failures. When they reach `allowed_fails` it opens
for `cooldown_s`: the pipeline skips the provider in every remaining chain, and any scene routed
meanwhile excludes it with `health.open_circuit`. When the cooldown has passed the breaker
closes and its count starts again from zero. A success resets the count.

What counts: failures that say something about the provider (unavailable, invalid answers,
failed jobs, rate limits, auth, deadlines). A `ContentRejected` says something about the prompt,
and a `CapabilityNotSupported` about the request, so neither counts. A `RequestRejected` (the
vendor refused the request as invalid: a parameter, a model it does not serve there) says
something about the model: it counts against that model's own breaker, with the same
thresholds, and never against the vendor's, so one bad model cannot take its valid siblings
down with it.

Time is injected (`monotonic`), so tests trip and cool breakers without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from providers.errors import (
    CapabilityNotSupported,
    ContentRejected,
    ProviderError,
    RequestRejected,
)
from routing.health import ProviderHealth
from routing.policy import FailureRules


def counts_against_provider(exc: ProviderError) -> bool:
    """True when `exc` is the provider's fault rather than the prompt's or the request's."""
    return not isinstance(exc, ContentRejected | CapabilityNotSupported | RequestRejected)


def counts_against_model(exc: ProviderError) -> bool:
    """True when `exc` says this model (not its vendor) cannot take such requests."""
    return isinstance(exc, RequestRejected)


K = TypeVar("K", str, tuple[str, str])


@dataclass
class _Breaker:
    fails: int = 0
    open_until: float | None = None


class CircuitBoard:
    """One breaker per provider id, all with the same thresholds."""

    def __init__(
        self,
        allowed_fails: int = 3,
        cooldown_s: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if allowed_fails < 1 or cooldown_s < 0:
            raise ValueError("allowed_fails must be >= 1 and cooldown_s >= 0")
        self.allowed_fails = allowed_fails
        self.cooldown_s = cooldown_s
        self._now = monotonic
        self._breakers: dict[str, _Breaker] = {}
        self._models: dict[tuple[str, str], _Breaker] = {}

    @classmethod
    def from_rules(
        cls, rules: FailureRules, monotonic: Callable[[], float] = time.monotonic
    ) -> CircuitBoard:
        return cls(rules.allowed_fails, rules.cooldown_s, monotonic)

    def is_open(self, provider: str) -> bool:
        """True while the provider is cooling down; closes (and resets) once it has passed."""
        return self._cooling(self._breakers, provider)

    def model_open(self, provider: str, model: str) -> bool:
        """True while this one model is cooling down after repeated request rejections."""
        return self._cooling(self._models, (provider, model))

    def record_success(self, provider: str, model: str = "") -> None:
        self._breakers[provider] = _Breaker()
        self._models.pop((provider, model), None)

    def record_failure(self, provider: str, exc: ProviderError, model: str = "") -> bool:
        """Count `exc` against the provider, or against `model` when it is the model's fault;
        True when this failure opened that circuit."""
        if counts_against_model(exc) and model:
            return self._count(self._models, (provider, model))
        if not counts_against_provider(exc):
            return False
        return self._count(self._breakers, provider)

    def _cooling(self, breakers: dict[K, _Breaker], key: K) -> bool:
        breaker = breakers.get(key)
        if breaker is None or breaker.open_until is None:
            return False
        if self._now() >= breaker.open_until:
            breakers[key] = _Breaker()
            return False
        return True

    def _count(self, breakers: dict[K, _Breaker], key: K) -> bool:
        if self._cooling(breakers, key):
            return False
        breaker = breakers.setdefault(key, _Breaker())
        breaker.fails += 1
        if breaker.fails >= self.allowed_fails:
            breaker.open_until = self._now() + self.cooldown_s
            return True
        return False

    def failures(self, provider: str) -> int:
        breaker = self._breakers.get(provider)
        return breaker.fails if breaker else 0

    def open_circuits(self) -> frozenset[str]:
        return frozenset(pid for pid in list(self._breakers) if self.is_open(pid))

    def health(
        self, provider_ids: Iterable[str], configured: Iterable[str]
    ) -> dict[str, ProviderHealth]:
        """A router `HealthSnapshot` for `provider_ids`: configured ones, with their circuits."""
        ready = frozenset(configured)
        return {
            pid: ProviderHealth(configured=pid in ready, circuit_open=self.is_open(pid))
            for pid in provider_ids
        }
