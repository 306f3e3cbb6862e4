"""The SSRF guard: which URLs may be fetched, and the one address each is connected to.

A URL passes when its scheme is http or https and every address its host resolves to is a
public unicast address. Refused, each with its own rule code:

    ssrf.metadata     cloud metadata endpoints (169.254.169.254, fd00:ec2::254)
    ssrf.loopback     127.0.0.0/8, ::1
    ssrf.unspecified  0.0.0.0, :: (Linux connects these to the local machine)
    ssrf.link_local   169.254.0.0/16, fe80::/10
    ssrf.multicast    224.0.0.0/4, ff00::/8
    ssrf.private      RFC 1918, unique-local fc00::/7, documentation and benchmark ranges
    ssrf.non_public   anything else that is not globally routable (CGNAT 100.64/10, reserved)
    scheme            anything but http and https

An IPv6 address that embeds an IPv4 one (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible
`::a.b.c.d`, 6to4 `2002::/16`, NAT64 `64:ff9b::/96`) is judged by the IPv4 address inside.

DNS rebinding is closed by resolving once: `pin()` resolves the host through the injected
resolver, checks every address, and returns the one to connect to. The fetcher then connects to
that literal address (with the name as Host and TLS SNI), so nothing resolves the name again.

`allow_hosts` exempts hosts named exactly as they appear in a URL (a name or a literal IP) from
the address rules, for tests and intranet deployments; nothing else is exempt, and the scheme
rule still applies.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from app.ingest.url.errors import FetchRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Awaitable[list[IPAddress]]]

METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
ALLOWED_SCHEMES = ("http", "https")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_ALLOW_FIX = "Only public addresses are fetched. To fetch from this host on purpose (a test, an "
_ALLOW_FIX += "intranet), add it to REELROUTE_FETCH__ALLOW_HOSTS."


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`address`), and the name to present (`host`)."""

    url: str
    scheme: str
    host: str  # as written in the URL, lower-case, without brackets
    port: int
    address: IPAddress


async def system_resolver(host: str) -> list[IPAddress]:
    """Every address the system resolver gives for `host` (the production resolver)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc.strerror}") from exc
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries, if it carries one."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_rule(address: IPAddress) -> tuple[str, str] | None:
    """(rule, what the address is) when `address` must not be fetched, else None."""
    inner = embedded_ipv4(address)
    if inner is not None:
        found = address_rule(inner)
        return (found[0], f"{found[1]} (inside the IPv6 form {address})") if found else None
    if address in METADATA_ADDRESSES:
        return "ssrf.metadata", f"{address} is a cloud metadata address"
    checks = (
        ("ssrf.loopback", address.is_loopback, "a loopback address"),
        ("ssrf.unspecified", address.is_unspecified, "the unspecified address"),
        ("ssrf.link_local", address.is_link_local, "a link-local address"),
        ("ssrf.multicast", address.is_multicast, "a multicast address"),
        ("ssrf.private", address.is_private, "a private address"),
        ("ssrf.non_public", not address.is_global, "not a public address"),
    )
    for rule, hit, what in checks:
        if hit:
            return rule, f"{address} is {what}"
    return None


def parse_url(url: str) -> SplitResult:
    """The URL split into parts, or FetchRefused naming what is wrong with it."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError as exc:
        raise FetchRefused("url", f"not a valid URL ({exc})", url=url) from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise FetchRefused(
            "scheme",
            f"the scheme {parts.scheme or '(none)'!r} is not http or https",
            url=url,
            fix="Give an http:// or https:// address.",
        )
    if not parts.hostname:
        raise FetchRefused("url", "the URL has no host name", url=url)
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("url", "credentials in a URL are not sent", url=url)
    return parts


async def pin(url: str, resolver: Resolver, allow_hosts: Collection[str]) -> Target:
    """Check `url` and resolve its host once; the returned address is the one to connect to."""
    parts = parse_url(url)
    host = _ascii_host(parts.hostname or "", url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    addresses = await _addresses(host, url, resolver)
    if host not in allow_hosts:
        for address in addresses:
            if found := address_rule(address):
                rule, what = found
                named = "" if host == str(address) else f"{host} resolves to "
                raise FetchRefused(rule, named + what, url=url, fix=_ALLOW_FIX)
    return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0])


def _ascii_host(hostname: str, url: str) -> str:
    """The host as it goes on the wire: lower-case, international names in IDNA form."""
    try:
        return hostname.lower().encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise FetchRefused("url", f"the host name {hostname!r} is not valid", url=url) from exc


async def _addresses(host: str, url: str, resolver: Resolver) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass  # a name, not a literal address
    try:
        found = await resolver(host)
    except OSError as exc:
        raise FetchRefused("dns", f"the host name could not be resolved ({exc})", url=url) from exc
    if not found:
        raise FetchRefused("dns", f"{host} resolves to no address", url=url)
    return found
