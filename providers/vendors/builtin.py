"""The built-in vendor adapters, in one list. A vendor's id lives on its class (`provider_id`)."""

from __future__ import annotations

from providers.vendors.hailuo import HailuoProvider
from providers.vendors.http_adapter import HttpAdapter
from providers.vendors.kling import KlingProvider
from providers.vendors.luma import LumaProvider
from providers.vendors.pika import PikaProvider
from providers.vendors.runway import RunwayProvider
from providers.vendors.seedance import SeedanceProvider
from providers.vendors.sora import SoraProvider
from providers.vendors.veo import VeoProvider

ADAPTERS: tuple[type[HttpAdapter], ...] = (
    RunwayProvider,
    KlingProvider,
    VeoProvider,
    LumaProvider,
    HailuoProvider,
    PikaProvider,
    SeedanceProvider,
    SoraProvider,
)
"""Finished adapters only. Without credentials a vendor is registered but reports
`is_configured() == False`, so it is never called."""
