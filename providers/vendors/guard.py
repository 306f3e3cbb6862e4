"""Where a vendor adapter may send what: credentials to one origin, downloads to public hosts.

- `CredentialFence` is a request hook on the authenticated client. Every request that client
  sends carries our credentials, so it may only go to the configured base URL's scheme, host
  and port. A vendor reply that names another origin (a result URI, an operation name, a
  status URL) is refused before a byte is sent, and so is a downgrade from https to http.
- `pin_download` vets a result-download URL: unless it is the base URL's own host, its name
  is resolved once through an injectable resolver, every address must be public (no loopback,
  private, link-local, metadata, CGNAT or reserved address), and the request is then sent to
  that very address (Host header and TLS server name keep the original name), so a second,
  different DNS answer cannot redirect the connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from providers.errors import ConfigurationError, InvalidResponse, ProviderUnavailable

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""(host name, port) → the IP addresses it resolves to."""


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """The operating system's resolver (getaddrinfo), without blocking the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def base_origin(provider_id: str, raw: str) -> httpx.URL:
    """The configured base URL, checked: http(s) with a host, else ConfigurationError (the
    value itself is not echoed: it may carry user info)."""
    setting = f"REELROUTE_{provider_id.upper()}__BASE_URL"
    try:
        url = httpx.URL(raw.strip().rstrip("/") + "/")
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise ConfigurationError(
            f"{provider_id}: {setting} is not a valid URL", provider_id=provider_id
        ) from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"{provider_id}: {setting} must be an http(s) URL with a host", provider_id=provider_id
        )
    return url


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


@dataclass(frozen=True)
class CredentialFence:
    """An httpx request hook: refuse any request that is not for the base URL's origin."""

    provider_id: str
    base: httpx.URL

    async def __call__(self, request: httpx.Request) -> None:
        if not same_origin(request.url, self.base):
            where = f"{request.url.scheme}://{request.url.host}"
            raise InvalidResponse(
                f"{self.provider_id}: refused to send credentials to {where} "
                f"(only {self.base.scheme}://{self.base.host} receives them)",
                provider_id=self.provider_id,
            )


@dataclass(frozen=True)
class Pinned:
    """A download request aimed at a vetted address."""

    url: httpx.URL
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


async def pin_download(
    url: httpx.URL, trusted_host: str, resolver: Resolver, provider_id: str
) -> Pinned:
    """Vet `url` for a download (see the module docstring); raises InvalidResponse."""

    def refuse(why: str) -> InvalidResponse:
        return InvalidResponse(f"{provider_id}: result URL refused: {why}", provider_id=provider_id)

    if url.scheme not in ("http", "https") or not url.host:
        raise refuse(f"not an http(s) URL ({url.scheme or 'no scheme'})")
    if url.host == trusted_host:
        return Pinned(url)
    literal = _address(url.host)
    if literal is not None:
        addresses: Sequence[str] = [url.host]
    else:
        try:
            addresses = await resolver(url.host, url.port or (443 if url.scheme == "https" else 80))
        except OSError as exc:
            raise ProviderUnavailable(
                f"{provider_id}: result host {url.host} did not resolve", provider_id=provider_id
            ) from exc
    checked = [(a, _address(a)) for a in addresses]
    if not checked or any(ip is None or not ip.is_global for _, ip in checked):
        raise refuse(f"{url.host} resolves to a loopback, private or link-local address")
    if literal is not None:
        return Pinned(url)
    host = url.netloc.decode("ascii")
    return Pinned(url.copy_with(host=checked[0][0]), {"Host": host}, {"sni_hostname": url.host})
