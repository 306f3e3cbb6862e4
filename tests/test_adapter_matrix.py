"""Every registered vendor adapter against its fake, misbehaving the same ways: the shared
engine must map each failure to the same documented error class for all of them, leave no
partial file behind, and never put a credential in a message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from providers.errors import AuthError, InvalidResponse, ProviderUnavailable, RateLimited
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
from providers.vendors.runway import RunwayProvider
from providers.vendors.seedance import SeedanceProvider
from providers.vendors.sora import SoraProvider
from providers.vendors.veo import VeoProvider
from tests.fakes import FakeTime
from tests.fakes_http.hailuo import HailuoFake
from tests.fakes_http.harness import clip_request, instant, leftovers
from tests.fakes_http.kling import KlingFake
from tests.fakes_http.luma import LumaFake
from tests.fakes_http.pika import PikaFake
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.seedance import SeedanceFake
from tests.fakes_http.server import Reply, VendorFake, serve
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

MISBEHAVIOURS: dict[str, tuple[str, Reply, tuple[type[Exception], ...]]] = {
    "429-retry-after": ("submit", Reply(429, {}, {"Retry-After": "7"}), (RateLimited,)),
    "503": ("submit", Reply(503, b"upstream down"), (ProviderUnavailable,)),
    "malformed-json": ("status", Reply(200, b"{oops"), (InvalidResponse,)),
    "hang": ("status", Reply(200, {}, hang_s=1.0), (ProviderUnavailable,)),
    "expired-url": ("download", Reply(404, b"gone"), (InvalidResponse,)),
    "truncated": ("download", Reply(200, b"z" * 5000, truncate_to=50),
                  (InvalidResponse, ProviderUnavailable)),
}  # fmt: skip


@pytest.fixture(params=sorted(VENDORS))
def vendor(request: pytest.FixtureRequest, tiny_mp4: bytes) -> Iterator[tuple[Vendor, Any]]:
    spec = VENDORS[request.param]
    fake = spec.fake(tiny_mp4)
    with serve(fake) as url:
        fake.base_url = url
        yield spec, fake


def _adapter(spec: Vendor, fake: VendorFake, key: str = SECRET, **extra: Any) -> HttpAdapter:
    adapter = spec.make(fake.base_url, key, extra)
    adapter._timing = instant(FakeTime())
    return adapter


async def test_renders_through_the_real_http_path(
    vendor: tuple[Vendor, VendorFake], tiny_mp4: bytes, tmp_path: Path
) -> None:
    spec, fake = vendor
    clip = await _adapter(spec, fake).generate(clip_request(), spec.model, tmp_path / "c.mp4")
    assert (tmp_path / "c.mp4").read_bytes() == tiny_mp4
    assert clip.model_id == spec.model and clip.provider_job_id and clip.width == 64


async def test_refused_credentials_are_auth_errors_without_secrets(
    vendor: tuple[Vendor, VendorFake], tmp_path: Path
) -> None:
    spec, fake = vendor
    wrong = "wrong-" + SECRET
    with pytest.raises(AuthError) as info:
        await _adapter(spec, fake, wrong).generate(clip_request(), spec.model, tmp_path / "c")
    assert wrong not in str(info.value) and SECRET not in str(info.value)


@pytest.mark.parametrize("case", sorted(MISBEHAVIOURS))
async def test_misbehaviour_maps_to_its_error_class(
    vendor: tuple[Vendor, VendorFake], tmp_path: Path, case: str
) -> None:
    spec, fake = vendor
    route, reply, errors = MISBEHAVIOURS[case]
    fake.fail(route, reply)
    folder = tmp_path / "clips"
    with pytest.raises(errors) as info:
        await _adapter(spec, fake, timeout_s=0.3).generate(
            clip_request(), spec.model, folder / "c.mp4"
        )
    assert SECRET not in str(info.value) and info.value.provider_id  # type: ignore[attr-defined]
    assert leftovers(folder) == []
    if case == "429-retry-after":
        assert info.value.retry_after == 7.0  # type: ignore[attr-defined]
