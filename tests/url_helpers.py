"""Shared by the URL source tests: an injected resolver (never real DNS) and fetch settings."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence

from app.ingest.url.guard import IPAddress, Resolver
from app.ingest.url.settings import FetchSettings


def table_resolver(table: Mapping[str, Sequence[str]], calls: list[str] | None = None) -> Resolver:
    """Resolves the names in `table` only; anything else is "unknown", as a failed lookup."""

    async def resolve(host: str) -> list[IPAddress]:
        if calls is not None:
            calls.append(host)
        if host not in table:
            raise OSError(f"unknown test host {host}")
        return [ipaddress.ip_address(a) for a in table[host]]

    return resolve


def loopback_settings(**overrides: object) -> FetchSettings:
    """Fetch settings that allow the fixture server's host, 127.0.0.1, and nothing else."""
    return FetchSettings.model_validate({"allow_hosts": "127.0.0.1", **overrides})
