"""Fetch one URL under the guard's rules, with httpx: the page or an image, as bytes.

What a fetch promises (each broken promise is a `FetchRefused` naming its rule):

- every URL, first and after each redirect, passes `guard.pin` before anything connects, and
  the connection goes to the address that was checked (the name travels as Host and TLS SNI);
- at most `MAX_REDIRECTS` redirects (`fetch.redirects`);
- connect and read timeouts (`fetch.timeout`) and one deadline over the whole fetch, redirects
  and body included, so a server that drips a byte a second cannot hold a worker
  (`fetch.deadline`);
- a size cap, checked against Content-Length and again while reading (`fetch.size`);
- only the content types asked for (`fetch.content_type`), and a 200 answer (`fetch.status`).

No cookies, no proxies from the environment (a proxy would resolve names itself), a clear
User-Agent. A fresh client per fetch, so a TLS connection verified for one name is never reused
for another that happens to share its address.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from app.ingest.url.errors import FetchRefused
from app.ingest.url.guard import Resolver, Target, pin, system_resolver
from app.ingest.url.settings import FetchSettings

MAX_REDIRECTS = 5
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Fetched:
    """A fetched body and what the manifest records about it."""

    url: str  # where the body came from, after redirects
    body: bytes
    media_type: str  # lower-case, without parameters
    charset: str  # from the Content-Type header; empty when it named none
    fetched_at: datetime
    redirects: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        return "sha256:" + hashlib.sha256(self.body).hexdigest()


def parse_content_type(value: str) -> tuple[str, str]:
    """(media type, charset) from a Content-Type header value, both lower-case."""
    media, _, params = value.partition(";")
    charset = ""
    for param in params.split(";"):
        name, _, raw = param.partition("=")
        if name.strip().lower() == "charset":
            charset = raw.strip().strip("\"'").lower()
    return media.strip().lower(), charset


class Fetcher:
    """Fetches URLs under `settings`; the resolver and clock are injectable for tests."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        resolver: Resolver = system_resolver,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        """`verify` is httpx's: an SSL context trusting a private CA (an intranet, a test)."""
        self.settings = settings
        self.resolver = resolver
        self.clock = clock
        self.verify = verify

    async def fetch(self, url: str, *, accept: Collection[str], max_bytes: int) -> Fetched:
        """The body at `url`, if its media type is in `accept` (a `type/` entry matches a family).

        Raises FetchRefused for every rule broken; see the module docstring.
        """
        try:
            async with asyncio.timeout(self.settings.deadline_s):
                return await self._follow(url, accept, max_bytes)
        except TimeoutError as exc:
            raise FetchRefused(
                "fetch.deadline",
                f"the whole fetch took longer than {self.settings.deadline_s:g} s",
                url=url,
            ) from exc

    async def _follow(self, url: str, accept: Collection[str], max_bytes: int) -> Fetched:
        current, hops = url, list[str]()
        while True:
            target = await pin(current, self.resolver, self.settings.allow_hosts)
            async with self._client() as client:
                request = _pinned_request(client, target, self.settings.user_agent, accept)
                response = await _send(client, request, target)
                try:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        next_url = urljoin(current, response.headers["location"])
                    else:
                        return await self._body(response, target, accept, max_bytes, hops)
                finally:
                    await response.aclose()
            hops.append(next_url)
            if len(hops) > MAX_REDIRECTS:
                raise FetchRefused(
                    "fetch.redirects", f"more than {MAX_REDIRECTS} redirects", url=url
                )
            current = next_url

    def _client(self) -> httpx.AsyncClient:
        s = self.settings
        return httpx.AsyncClient(
            timeout=httpx.Timeout(s.read_timeout_s, connect=s.connect_timeout_s),
            follow_redirects=False,  # every hop is re-checked by _follow
            trust_env=False,
            verify=self.verify,
        )

    async def _body(
        self,
        response: httpx.Response,
        target: Target,
        accept: Collection[str],
        max_bytes: int,
        hops: list[str],
    ) -> Fetched:
        url = target.url
        if response.status_code != 200:
            raise FetchRefused(
                "fetch.status", f"the server answered {response.status_code}", url=url
            )
        media, charset = parse_content_type(response.headers.get("content-type", ""))
        if not _accepted(media, accept):
            wanted = " or ".join(sorted(accept))
            raise FetchRefused(
                "fetch.content_type", f"the content type is {media or 'missing'}, not {wanted}",
                url=url,
            )  # fmt: skip
        body = await _read_capped(response, max_bytes, url)
        return Fetched(url, body, media, charset, self.clock(), tuple(hops))


def _accepted(media: str, accept: Collection[str]) -> bool:
    return any(media == a or (a.endswith("/") and media.startswith(a)) for a in accept)


def _pinned_request(
    client: httpx.AsyncClient, target: Target, user_agent: str, accept: Collection[str]
) -> httpx.Request:
    """A GET to the checked address itself, carrying the URL's host as Host and SNI."""
    parts = urlsplit(target.url)
    literal = f"[{target.address}]" if target.address.version == 6 else str(target.address)
    pinned = urlunsplit(
        (target.scheme, f"{literal}:{target.port}", parts.path or "/", parts.query, "")
    )
    default_port = 443 if target.scheme == "https" else 80
    host_header = _header_host(target.host)
    if target.port != default_port:
        host_header += f":{target.port}"
    headers = {
        "Host": host_header,
        "User-Agent": user_agent,
        "Accept": ", ".join(f"{a}*" if a.endswith("/") else a for a in accept),
    }
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return client.build_request("GET", pinned, headers=headers, extensions=extensions)


def _header_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


async def _send(
    client: httpx.AsyncClient, request: httpx.Request, target: Target
) -> httpx.Response:
    try:
        return await client.send(request, stream=True)
    except httpx.TimeoutException as exc:
        raise FetchRefused(
            "fetch.timeout", f"{target.host} did not answer in time ({type(exc).__name__})",
            url=target.url,
        ) from exc  # fmt: skip
    except httpx.TransportError as exc:
        raise FetchRefused(
            "fetch.unreachable", f"could not connect to {target.host} ({exc})", url=target.url
        ) from exc


async def _read_capped(response: httpx.Response, max_bytes: int, url: str) -> bytes:
    too_big = FetchRefused(
        "fetch.size", f"the body is larger than the {max_bytes:,}-byte cap", url=url
    )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise too_big
            chunks.append(chunk)
    except httpx.TimeoutException as exc:
        raise FetchRefused("fetch.timeout", "the body stopped arriving", url=url) from exc
    except httpx.TransportError as exc:
        raise FetchRefused("fetch.unreachable", f"the body broke off ({exc})", url=url) from exc
    return b"".join(chunks)
