"""HTTPS to the checked address: the connection goes to the IP the guard approved, while TLS
still verifies the certificate for the URL's host name (sent as SNI) and Host names it too.

A test CA and a certificate for `secure.test` are made here; the server listens on 127.0.0.1
and `secure.test` resolves there only through the injected resolver.
"""

from __future__ import annotations

import datetime
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.ingest.url.errors import FetchRefused
from app.ingest.url.fetch import HTML_TYPES, Fetcher
from tests.url_helpers import loopback_settings, table_resolver

NOW = datetime.datetime.now(datetime.UTC)


def _cert(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name = (
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer[0])]) if issuer else subject
    )
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=1))
    )  # fmt: skip
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), False)
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


def _pem(path: Path, *parts: bytes) -> Path:
    path.write_bytes(b"".join(parts))
    return path


class _Page(BaseHTTPRequestHandler):
    hosts: list[str] = []  # noqa: RUF012 - one list shared by the test and its server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.hosts.append(self.headers.get("Host", ""))
        body = b"<html><body><p>secure</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def tls_site(tmp_path: Path) -> Iterator[tuple[int, ssl.SSLContext, list[str | None]]]:
    ca_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca = _cert("reelroute test CA", ca_key, None)
    leaf = _cert("secure.test", leaf_key, ("reelroute test CA", ca_key))
    key_pem = leaf_key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())  # fmt: skip
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf_pem = _pem(tmp_path / "leaf.pem", leaf.public_bytes(serialization.Encoding.PEM))
    server_ctx.load_cert_chain(leaf_pem, _pem(tmp_path / "leaf.key", key_pem))
    names: list[str | None] = []
    server_ctx.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,func-returns-value]
    client_ctx = ssl.create_default_context(
        cafile=str(_pem(tmp_path / "ca.pem", ca.public_bytes(serialization.Encoding.PEM)))
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1], client_ctx, names
    finally:
        server.shutdown()
        server.server_close()


async def test_https_connects_to_the_checked_ip_and_verifies_the_name(
    tls_site: tuple[int, ssl.SSLContext, list[str | None]],
) -> None:
    port, trust, sni = tls_site
    calls: list[str] = []
    fetcher = Fetcher(
        loopback_settings(allow_hosts="secure.test"),
        resolver=table_resolver({"secure.test": ["127.0.0.1"]}, calls),
        verify=trust,
    )
    got = await fetcher.fetch(f"https://secure.test:{port}/", accept=HTML_TYPES, max_bytes=10_000)
    assert b"secure" in got.body
    assert calls == ["secure.test"] and sni == ["secure.test"]
    assert _Page.hosts[-1] == f"secure.test:{port}"


async def test_a_certificate_for_another_name_is_refused(
    tls_site: tuple[int, ssl.SSLContext, list[str | None]],
) -> None:
    port, trust, _sni = tls_site
    fetcher = Fetcher(
        loopback_settings(allow_hosts="other.test"),
        resolver=table_resolver({"other.test": ["127.0.0.1"]}),
        verify=trust,
    )
    with pytest.raises(FetchRefused) as caught:
        await fetcher.fetch(f"https://other.test:{port}/", accept=HTML_TYPES, max_bytes=10_000)
    assert caught.value.rule == "fetch.unreachable" and "CERTIFICATE_VERIFY_FAILED" in str(
        caught.value
    )
