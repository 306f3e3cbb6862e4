"""The suite's network fence: every connect and name lookup must stay on loopback.

Installed for the whole session (see conftest). A guard under test may be broken, so the fence
sits below it, in the socket module itself: a connect to any address outside 127.0.0.0/8 and
::1, or a lookup of any name but ``localhost``, raises before a packet leaves, and the test that
tried it fails even if the code under test swallowed the error.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

_REAL_CONNECT = socket.socket.connect
_REAL_CONNECT_EX = socket.socket.connect_ex
_REAL_GETADDRINFO = socket.getaddrinfo
_LOCAL_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})

attempts: list[str] = []


class OffLoopbackError(ConnectionRefusedError):
    """A test tried to reach beyond loopback."""


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped.is_loopback
    return ip.is_loopback


def _refuse(what: str) -> OffLoopbackError:
    attempts.append(what)
    return OffLoopbackError(f"test network fence: {what} is not loopback")


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not _is_loopback(host):
        raise _refuse(f"connect to {address!r}")


def _connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    _REAL_CONNECT(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _REAL_CONNECT_EX(self, address)


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and not _is_loopback(name):
        raise _refuse(f"name lookup of {name!r}")
    return _REAL_GETADDRINFO(host, *args, **kwargs)


def install() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo
