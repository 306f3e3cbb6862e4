"""Vendor URLs: a result download that resolves to a loopback, private, link-local or metadata
address is refused (unless it is the base URL's own host), the address checked is the one
connected to, and JSON replies are read with a size cap. Names are resolved by an injected
resolver, so no test does real DNS; the conftest fence fails any connect beyond loopback."""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from providers.errors import InvalidResponse
from providers.settings import KlingSettings, VeoSettings
from providers.vendors.guard import pin_download
from providers.vendors.kling import KlingProvider
from providers.vendors.polling import MAX_JSON_BYTES
from providers.vendors.veo import VeoProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant, leftovers
from tests.fakes_http.kling import KlingFake
from tests.fakes_http.server import Reply, serve
from tests.fakes_http.veo import VeoFake


class Resolver:
    """A fixed table of answers; records each lookup."""

    def __init__(self, table: dict[str, Sequence[str]]) -> None:
        self.table, self.asked = table, []

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.asked.append(host)
        return self.table[host]


NOT_PUBLIC = ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
              "100.100.100.200", "0.0.0.0", "::1", "fd00:ec2::254", "fe80::1",
              "::ffff:127.0.0.1"]  # fmt: skip


@pytest.mark.parametrize("address", NOT_PUBLIC)
async def test_names_resolving_to_non_public_addresses_are_refused(address: str) -> None:
    resolver = Resolver({"cdn.vendor.test": ["93.184.216.34", address]})
    with pytest.raises(InvalidResponse, match="loopback, private or link-local"):
        await pin_download(httpx.URL("https://cdn.vendor.test/v.mp4"), "api.vendor.test",
                           resolver, "vendor")  # fmt: skip


@pytest.mark.parametrize("literal", ["127.0.0.2", "[::1]", "169.254.169.254", "10.0.0.1"])
async def test_address_literals_are_checked_without_a_lookup(literal: str) -> None:
    resolver = Resolver({})
    with pytest.raises(InvalidResponse):
        await pin_download(httpx.URL(f"http://{literal}:8080/v.mp4"), "127.0.0.1", resolver, "v")
    assert resolver.asked == []


async def test_the_request_goes_to_the_address_that_was_checked() -> None:
    resolver = Resolver({"cdn.vendor.test": ["93.184.216.34"]})
    pinned = await pin_download(
        httpx.URL("https://cdn.vendor.test:8443/v.mp4?sig=1"), "api.vendor.test", resolver, "v"
    )
    assert str(pinned.url) == "https://93.184.216.34:8443/v.mp4?sig=1"
    assert pinned.headers == {"Host": "cdn.vendor.test:8443"}
    assert pinned.extensions == {"sni_hostname": "cdn.vendor.test"}  # TLS checks the name
    assert resolver.asked == ["cdn.vendor.test"]  # resolved once: no second answer is used


async def test_the_base_urls_own_host_is_trusted() -> None:
    resolver = Resolver({})
    pinned = await pin_download(httpx.URL("http://127.0.0.1:9/f.mp4"), "127.0.0.1", resolver, "v")
    assert str(pinned.url) == "http://127.0.0.1:9/f.mp4" and resolver.asked == []


@pytest.fixture
def kling(tiny_mp4: bytes) -> Iterator[KlingFake]:
    app = KlingFake(tiny_mp4, "ak", "sk")
    with serve(app) as url:
        app.base_url = url
        yield app


def kling_adapter(fake: KlingFake, resolver: Resolver) -> KlingProvider:
    settings = KlingSettings(
        access_key=SecretStr("ak"), secret_key=SecretStr("sk"), base_url=fake.base_url
    )
    return KlingProvider(settings, timing=instant(FakeTime()), resolver=resolver)


@pytest.mark.parametrize(
    "result_url",
    ["http://metadata.vendor.test/files/x.mp4", "http://127.0.0.2:{port}/files/x.mp4",
     "http://[::1]:{port}/files/x.mp4", "http://localhost:{port}/files/x.mp4"],
)  # fmt: skip
async def test_a_result_url_aimed_inside_is_refused_before_connecting(
    kling: KlingFake, tmp_path: Path, result_url: str
) -> None:
    port = kling.base_url.rsplit(":", 1)[1]
    kling.file_url = lambda tid: result_url.format(port=port)  # type: ignore[method-assign]
    resolver = Resolver({"metadata.vendor.test": ["169.254.169.254"], "localhost": ["127.0.0.1"]})
    with pytest.raises(InvalidResponse, match="result URL refused"):
        await kling_adapter(kling, resolver).generate(clip_request(), "kling-v2-5-turbo",
                                                      tmp_path / "k" / "c.mp4")  # fmt: skip
    assert not any(r.path.startswith("/files/") for r in kling.requests)
    assert leftovers(tmp_path / "k") == []


async def test_a_redirect_into_a_private_network_is_refused(
    tiny_mp4: bytes, tmp_path: Path
) -> None:
    fake = VeoFake(tiny_mp4, key="goog-key")
    with serve(fake) as url:
        fake.base_url, fake.storage_url = url, "http://storage.vendor.test"
        resolver = Resolver({"storage.vendor.test": ["10.20.30.40"]})
        veo = VeoProvider(VeoSettings(api_key=SecretStr("goog-key"), base_url=url + "/v1beta"),
                          timing=instant(FakeTime()), resolver=resolver)  # fmt: skip
        with pytest.raises(InvalidResponse, match=r"storage\.vendor\.test resolves to"):
            await veo.generate(clip_request(), "veo-3.1-generate-preview", tmp_path / "c.mp4")
    assert resolver.asked == ["storage.vendor.test"]


@pytest.mark.parametrize("encoded", [False, True], ids=["plain", "gzip-bomb"])
async def test_json_replies_are_read_with_a_size_cap(
    kling: KlingFake, tmp_path: Path, encoded: bool
) -> None:
    huge = b'{"code": 0, "data": {"task_status": "processing"}, "pad": "' + b" " * MAX_JSON_BYTES
    huge += b'"}'
    reply = Reply(200, huge, {"Content-Type": "application/json"})
    if encoded:  # a few KB on the wire that inflate past the cap
        reply = Reply(200, gzip.compress(huge), {"Content-Type": "application/json",
                                                 "Content-Encoding": "gzip"})  # fmt: skip
    kling.fail("status", reply)
    with pytest.raises(InvalidResponse, match=f"more than {MAX_JSON_BYTES} bytes"):
        await kling_adapter(kling, Resolver({})).generate(
            clip_request(), "kling-v2-5-turbo", tmp_path / "c.mp4"
        )
