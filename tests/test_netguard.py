"""The suite's network fence refuses everything beyond loopback, before any packet is sent."""

from __future__ import annotations

import socket

import pytest

from tests import netguard


@pytest.mark.parametrize("host", ["10.0.0.1", "169.254.169.254", "8.8.8.8", "::ffff:10.0.0.1"])
def test_connect_beyond_loopback_is_refused(host: str) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    before = len(netguard.attempts)
    with (
        socket.socket(family, socket.SOCK_STREAM) as sock,
        pytest.raises(netguard.OffLoopbackError),
    ):
        sock.connect((host, 80))
    # The attempt is recorded; clear it so this deliberate try doesn't fail the test.
    assert len(netguard.attempts) == before + 1
    del netguard.attempts[before:]


def test_name_lookup_beyond_localhost_is_refused() -> None:
    before = len(netguard.attempts)
    with pytest.raises(netguard.OffLoopbackError):
        socket.getaddrinfo("metadata.google.internal", 80)
    del netguard.attempts[before:]


def test_loopback_still_connects() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    assert socket.getaddrinfo("localhost", 80)
