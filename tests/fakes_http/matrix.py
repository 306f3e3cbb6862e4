"""Every built-in vendor adapter paired with its fake, for tests that must hold for all of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from providers.settings import (
    HailuoSettings,
    KlingSettings,
    LumaSettings,
    PikaSettings,
    RunwaySettings,
    SeedanceSettings,
    SoraSettings,
    VeoSettings,
)
from providers.vendors.hailuo import HailuoProvider
from providers.vendors.http_adapter import HttpAdapter
from providers.vendors.kling import KlingProvider
from providers.vendors.luma import LumaProvider
from providers.vendors.pika import PikaProvider
from providers.vendors.polling import Timing
from providers.vendors.runway import RunwayProvider
from providers.vendors.seedance import SeedanceProvider
from providers.vendors.sora import SoraProvider
from providers.vendors.veo import VeoProvider
from tests.fakes import FakeTime
from tests.fakes_http.hailuo import HailuoFake
from tests.fakes_http.harness import instant
from tests.fakes_http.kling import KlingFake
from tests.fakes_http.luma import LumaFake
from tests.fakes_http.pika import PikaFake
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.seedance import SeedanceFake
from tests.fakes_http.server import VendorFake
from tests.fakes_http.sora import SoraFake
from tests.fakes_http.veo import VeoFake

SECRET = "s3cr3t-value-never-shown"


@dataclass(frozen=True)
class Vendor:
    fake: Callable[[bytes], VendorFake]
    make: Callable[[str, str, dict[str, Any]], HttpAdapter]  # (base URL, secret, extra settings)
    model: str


def _keyed(cls: Any, settings: Any, suffix: str = "") -> Callable[..., HttpAdapter]:
    def make(url: str, key: str, extra: dict[str, Any]) -> HttpAdapter:
        return cls(settings(api_key=SecretStr(key), base_url=url + suffix, **extra))

    return make


def _kling(url: str, key: str, extra: dict[str, Any]) -> HttpAdapter:
    keys = {"access_key": SecretStr("ak"), "secret_key": SecretStr(key)}
    return KlingProvider(KlingSettings(base_url=url, **keys, **extra))


VENDORS = {
    "runway": Vendor(lambda v: RunwayFake(v, SECRET), _keyed(RunwayProvider, RunwaySettings),
                     "gen4.5"),
    "kling": Vendor(lambda v: KlingFake(v, "ak", SECRET), _kling, "kling-v2-5-turbo"),
    "veo": Vendor(lambda v: VeoFake(v, SECRET), _keyed(VeoProvider, VeoSettings, "/v1beta"),
                  "veo-3.1-generate-preview"),
    "luma": Vendor(lambda v: LumaFake(v, SECRET),
                   _keyed(LumaProvider, LumaSettings, "/dream-machine/v1"), "ray-2"),
    "hailuo": Vendor(lambda v: HailuoFake(v, SECRET), _keyed(HailuoProvider, HailuoSettings),
                     "MiniMax-Hailuo-2.3"),
    "pika": Vendor(lambda v: PikaFake(v, SECRET), _keyed(PikaProvider, PikaSettings),
                   "pika-v2.2"),
    "seedance": Vendor(lambda v: SeedanceFake(v, SECRET),
                       _keyed(SeedanceProvider, SeedanceSettings, "/api/v3"),
                       "seedance-1-0-pro-250528"),
    "sora": Vendor(lambda v: SoraFake(v, SECRET), _keyed(SoraProvider, SoraSettings, "/v1"),
                   "sora-2"),
}  # fmt: skip


def make_adapter(
    spec: Vendor,
    fake: VendorFake,
    key: str = SECRET,
    timing: Timing | None = None,
    **extra: Any,
) -> HttpAdapter:
    """The vendor's adapter pointed at `fake`, with instant time unless `timing` is given."""
    adapter = spec.make(fake.base_url, key, extra)
    adapter._timing = timing or instant(FakeTime())
    return adapter
