"""The SSRF guard refuses every non-public address class before anything connects.

Each class is refused as a literal IP, as a host name resolving to it (through an injected
resolver, never real DNS), and behind a redirect from the loopback fixture server. The suite's
network fence (tests/netguard.py) fails any test that connects or resolves beyond loopback, so
a broken guard cannot send a packet anywhere.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import pytest

from app.ingest.url.errors import FetchRefused
from app.ingest.url.fetch import HTML_TYPES, Fetcher
from app.ingest.url.guard import address_rule, pin
from tests.fakes_http import articles
from tests.fakes_http.articles import serve_articles
from tests.url_helpers import loopback_settings, table_resolver

# (address, the rule that must refuse it)
CLASSES = [
    ("127.0.0.1", "ssrf.loopback"),
    ("127.8.9.10", "ssrf.loopback"),
    ("::1", "ssrf.loopback"),
    ("10.1.2.3", "ssrf.private"),
    ("172.16.0.9", "ssrf.private"),
    ("192.168.1.1", "ssrf.private"),
    ("fd12:3456::1", "ssrf.private"),
    ("169.254.10.20", "ssrf.link_local"),
    ("fe80::1", "ssrf.link_local"),
    ("224.0.0.251", "ssrf.multicast"),
    ("ff02::1", "ssrf.multicast"),
    ("169.254.169.254", "ssrf.metadata"),
    ("fd00:ec2::254", "ssrf.metadata"),
    ("0.0.0.0", "ssrf.unspecified"),
    ("100.64.0.1", "ssrf.non_public"),
    # IPv4-mapped IPv6 forms (and other IPv6 forms that carry an IPv4 address)
    ("::ffff:127.0.0.1", "ssrf.loopback"),
    ("::ffff:10.0.0.1", "ssrf.private"),
    ("::ffff:169.254.169.254", "ssrf.metadata"),
    ("::ffff:169.254.1.1", "ssrf.link_local"),
    ("::ffff:224.0.0.1", "ssrf.multicast"),
    ("2002:a9fe:a9fe::", "ssrf.metadata"),  # 6to4 of 169.254.169.254
    ("64:ff9b::a00:1", "ssrf.private"),  # NAT64 of 10.0.0.1
]


def _url(address: str, path: str = "/") -> str:
    return f"http://[{address}]{path}" if ":" in address else f"http://{address}{path}"


@pytest.fixture
def site() -> Iterator[str]:
    with serve_articles() as base:
        yield base


def test_public_addresses_pass_and_every_class_has_its_rule() -> None:
    for public in ("93.184.216.34", "2606:4700:4700::1111", "8.8.8.8"):
        assert address_rule(ipaddress.ip_address(public)) is None
    for address, rule in CLASSES:
        found = address_rule(ipaddress.ip_address(address))
        assert found is not None and found[0] == rule, address


@pytest.mark.parametrize(("address", "rule"), CLASSES)
async def test_literal_ip_is_refused(address: str, rule: str) -> None:
    fetcher = Fetcher(loopback_settings(allow_hosts=""), resolver=table_resolver({}))
    with pytest.raises(FetchRefused) as caught:
        await fetcher.fetch(_url(address), accept=HTML_TYPES, max_bytes=1000)
    assert caught.value.rule == rule
    assert f"refused by rule {rule}" in str(caught.value)
    assert "REELROUTE_FETCH__ALLOW_HOSTS" in str(caught.value)


@pytest.mark.parametrize(("address", "rule"), CLASSES)
async def test_host_name_resolving_to_the_class_is_refused(address: str, rule: str) -> None:
    resolver = table_resolver({"blog.example.test": [address]})
    with pytest.raises(FetchRefused) as caught:
        await pin("https://blog.example.test/post", resolver, allow_hosts=frozenset())
    assert caught.value.rule == rule
    assert "blog.example.test resolves to" in str(caught.value)


async def test_a_name_with_one_bad_address_among_good_ones_is_refused() -> None:
    resolver = table_resolver({"mixed.test": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(FetchRefused, match=r"ssrf\.private"):
        await pin("http://mixed.test/", resolver, allow_hosts=frozenset())


# The fixture server itself is 127.0.0.1 and allowed; every other address stays refused.
@pytest.mark.parametrize(("address", "rule"), [c for c in CLASSES if c[0] != "127.0.0.1"])
async def test_redirect_to_the_class_is_refused(site: str, address: str, rule: str) -> None:
    fetcher = Fetcher(loopback_settings(), resolver=table_resolver({}))
    with pytest.raises(FetchRefused) as caught:
        await fetcher.fetch(f"{site}/redirect/1?to={_url(address)}", accept=HTML_TYPES,
                            max_bytes=1000)  # fmt: skip
    assert caught.value.rule == rule


async def test_redirect_chain_ending_at_a_private_name_is_refused(site: str) -> None:
    resolver = table_resolver({"intranet.test": ["192.168.0.10"]})
    fetcher = Fetcher(loopback_settings(), resolver=resolver)
    with pytest.raises(FetchRefused) as caught:
        await fetcher.fetch(f"{site}/redirect/3?to=http://intranet.test/admin",
                            accept=HTML_TYPES, max_bytes=1000)  # fmt: skip
    assert caught.value.rule == "ssrf.private"
    assert "intranet.test resolves to 192.168.0.10" in str(caught.value)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.test/a", "gopher://127.0.0.1:70/", "/relative"]
)
async def test_non_http_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchRefused) as caught:
        await pin(url, table_resolver({}), allow_hosts=frozenset({"127.0.0.1"}))
    assert caught.value.rule == "scheme"


async def test_redirect_to_a_non_http_scheme_is_refused(site: str) -> None:
    fetcher = Fetcher(loopback_settings(), resolver=table_resolver({}))
    with pytest.raises(FetchRefused) as caught:
        await fetcher.fetch(f"{site}/redirect/1?to=file:///etc/passwd", accept=HTML_TYPES,
                            max_bytes=1000)  # fmt: skip
    assert caught.value.rule == "scheme"


async def test_allow_list_exempts_only_the_named_host(site: str) -> None:
    port = site.rsplit(":", 1)[1]
    # 127.0.0.1 is allowed; the same machine under another loopback address is not.
    with pytest.raises(FetchRefused, match=r"ssrf\.loopback"):
        await pin(f"http://127.0.0.2:{port}/", table_resolver({}), frozenset({"127.0.0.1"}))
    # A name is exempt by name, and it is still resolved only through the given resolver.
    calls: list[str] = []
    resolver = table_resolver({"fixture.test": ["127.0.0.1"]}, calls)
    fetcher = Fetcher(loopback_settings(allow_hosts="fixture.test"), resolver=resolver)
    got = await fetcher.fetch(f"http://fixture.test:{port}/article.html", accept=HTML_TYPES,
                              max_bytes=1_000_000)  # fmt: skip
    assert b"Porto Velho" in got.body
    assert calls == ["fixture.test"], "resolved once; the connection used the checked address"
    path, headers = articles.seen[-1]
    assert (path, headers["host"]) == ("/article.html", f"fixture.test:{port}"), "Host is the name"


async def test_unknown_host_is_a_clear_error() -> None:
    with pytest.raises(FetchRefused, match=r"rule dns.*could not be resolved"):
        await pin("http://nowhere.test/", table_resolver({}), frozenset())
