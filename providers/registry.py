"""The one place providers are registered: built-ins in a list, third parties by entry point.

Tests register their fakes through the same `Registry`, so nothing is special-cased.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import entry_points

from providers.base import VideoProvider
from providers.settings import SETTINGS_TYPES, ProviderSettings

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "reelroute.providers"

ProviderFactory = Callable[[ProviderSettings], VideoProvider]


def _local(settings: ProviderSettings) -> VideoProvider:
    from providers.local import LocalProvider

    return LocalProvider()


def _runway(settings: ProviderSettings) -> VideoProvider:
    from providers.runway import RunwayProvider

    return RunwayProvider(settings)


def _kling(settings: ProviderSettings) -> VideoProvider:
    from providers.kling import KlingProvider

    return KlingProvider(settings)


def _veo(settings: ProviderSettings) -> VideoProvider:
    from providers.veo import VeoProvider

    return VeoProvider(settings)


def _luma(settings: ProviderSettings) -> VideoProvider:
    from providers.luma import LumaProvider

    return LumaProvider(settings)


def _hailuo(settings: ProviderSettings) -> VideoProvider:
    from providers.hailuo import HailuoProvider

    return HailuoProvider(settings)


def _pika(settings: ProviderSettings) -> VideoProvider:
    from providers.pika import PikaProvider

    return PikaProvider(settings)


def _seedance(settings: ProviderSettings) -> VideoProvider:
    from providers.seedance import SeedanceProvider

    return SeedanceProvider(settings)


def _sora(settings: ProviderSettings) -> VideoProvider:
    from providers.sora import SoraProvider

    return SoraProvider(settings)


BUILTIN: tuple[tuple[str, ProviderFactory], ...] = (
    ("local", _local),
    ("runway", _runway),
    ("kling", _kling),
    ("veo", _veo),
    ("luma", _luma),
    ("hailuo", _hailuo),
    ("pika", _pika),
    ("seedance", _seedance),
    ("sora", _sora),
)
"""Built-in adapters by id, constructed lazily so importing the registry starts nothing.
Only finished adapters are listed; a vendor without credentials is registered but reports
`is_configured() == False`, so it is never called."""


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

    def settings_for(pid: str) -> ProviderSettings:
        return given.get(pid) or SETTINGS_TYPES.get(pid, ProviderSettings)()

    registry = Registry(factory(settings_for(pid)) for pid, factory in BUILTIN)
    if plugins:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                registry.register(ep.load()())
            except Exception:  # a broken plugin must not take the built-ins down with it
                log.exception("could not load provider plugin %s", ep.name)
    return registry
