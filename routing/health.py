"""What the router knows about provider health at decision time: a snapshot, passed in.

The app builds the snapshot (settings say which providers have credentials; circuit breakers
say which are failing). The router never probes anything itself, so a decision can be replayed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ProviderHealth:
    configured: bool  # credentials/settings present; unconfigured providers are never routed to
    circuit_open: bool = False  # recent failures tripped the breaker; skip until it closes


HealthSnapshot = Mapping[str, ProviderHealth]
"""Provider id -> health. A provider missing from the snapshot counts as not configured."""


def snapshot(
    configured: Iterable[str], open_circuits: Iterable[str] = ()
) -> dict[str, ProviderHealth]:
    """A snapshot where exactly `configured` are configured and `open_circuits` are tripped."""
    tripped = frozenset(open_circuits)
    return {pid: ProviderHealth(configured=True, circuit_open=pid in tripped) for pid in configured}
