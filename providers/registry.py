"""The one place providers are registered: built-ins in a list, third parties by entry point.

Tests register their fakes through the same `Registry`, so nothing is special-cased.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib.metadata import entry_points

from providers.base import VideoProvider
from providers.settings import ProviderSettings

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "reelroute.providers"


def builtin_providers(
    settings_for: Callable[[str, type[ProviderSettings]], ProviderSettings],
) -> Iterator[VideoProvider]:
    """The offline renderer, then every vendor adapter built from `settings_for(id, type)`.
    Imported here, not at module level, so importing the registry starts nothing."""
    from providers.local import LocalProvider
    from providers.vendors.builtin import ADAPTERS

    yield LocalProvider()
    for adapter in ADAPTERS:
        yield adapter(settings_for(adapter.provider_id, adapter.settings_type))


class Registry:
    """Provider instances by id."""

    def __init__(self, providers: Iterable[VideoProvider] = ()) -> None:
        self._providers: dict[str, VideoProvider] = {}
        for provider in providers:
            self.register(provider)

    def register(self, provider: VideoProvider) -> None:
        """Add or replace the provider with this id (a test fake may replace a built-in)."""
        self._providers[provider.id] = provider

    def get(self, provider_id: str) -> VideoProvider | None:
        return self._providers.get(provider_id)

    def ids(self) -> list[str]:
        return sorted(self._providers)

    def configured(self) -> set[str]:
        return {pid for pid, p in self._providers.items() if p.is_configured()}


def default_registry(
    settings: Mapping[str, ProviderSettings] | None = None, *, plugins: bool = True
) -> Registry:
    """Built-ins (configured from `settings`, vendor id → settings; default: none, so only
    the offline renderer is usable) plus any installed `reelroute.providers` entry points."""
    given = settings or {}

    def settings_for(pid: str, kind: type[ProviderSettings]) -> ProviderSettings:
        return given.get(pid) or kind()

    registry = Registry(builtin_providers(settings_for))
    if plugins:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                registry.register(ep.load()())
            except Exception:  # a broken plugin must not take the built-ins down with it
                log.exception("could not load provider plugin %s", ep.name)
    return registry
