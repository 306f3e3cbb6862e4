"""A loopback web server with real-world-shaped pages, for URL source tests.

Routes: `/article.html` (a long article with navigation, a cookie banner, ads, a sidebar,
comments, a footer and two images), `/paywall.html`, `/huge.html` (20 MB), `/huge-chunked.html`
(the same without a Content-Length), `/slow.html` (drips a byte at a time), `/fake-image.html`
(its image is really HTML), `/latin1.html` and `/meta-charset.html` (windows-1252 text declared
in the header and in a meta tag), `/download.zip`, `/redirect/N?to=URL` (a chain of N hops that
ends at `to`), `/img/harbour.png`, `/img/quay.png` and `/img/fake.png`.

Run it alone for a manual try: `python -m tests.fakes_http.articles [PORT]`.
"""

from __future__ import annotations

import contextlib
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, quote, urlsplit

from tests.fakes_http.article_text import AUTHOR, SECTIONS, TITLE

HUGE_BYTES = 20 * 1024 * 1024
# (path, headers) of every request served, so tests can see what a fetch really sent.
seen: list[tuple[str, dict[str, str]]] = []


def png(width: int = 320, height: int = 180) -> bytes:
    """A real RGB PNG: a sea-and-sky gradient with a dark band (so frames show it)."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            sea = y > height * 0.55
            band = abs(y - height * 0.55) < 4
            r, g, b = (
                (30, 30, 30)
                if band
                else ((20, 90 + x % 60, 160) if sea else (250, 170 + y // 4, 90))
            )
            row += bytes((r, g, b))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def _article_body(image: str = "/img/harbour.png") -> str:
    parts = []
    for i, (section, texts) in enumerate(SECTIONS):
        if section:
            parts.append(f"<h2>{escape(section)}</h2>")
        for j, text in enumerate(texts):
            parts.append(f"<p>{escape(text)}</p>")
            if i == 0 and j == 0:
                parts.append(
                    f'<figure><img src="{image}" alt="Fishing boats on the mud at low '
                    'tide"><figcaption>Low water in Porto Velho</figcaption></figure>'
                )
            if section == "Harbours live by the tables" and j == 1:
                parts.append(
                    '<figure><img src="img/quay.png" alt="The quay wall and the tide '
                    'gauge"></figure>'
                )
            if i == 2 and j == 0:
                parts.append(
                    '<div class="ad">ADVERTISEMENT Buy the best boat insurance now! '
                    "Limited offer, click here.</div>"
                )
    return "\n".join(parts)


def article_html(image: str = "/img/harbour.png") -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{TITLE} | Coastal Notes</title><meta name="author" content="{AUTHOR}">
<meta property="article:published_time" content="2026-03-14">
<script>document.write("tracking pixel"); fetch("http://169.254.169.254/latest");</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/archive">Archive</a> <a href="/about">About us</a>
<a href="/subscribe">Subscribe</a></nav></header>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience.
By continuing to browse you accept our cookie policy. <button>Accept all cookies</button></div>
<main><article><h1>{TITLE}</h1><p class="byline">By {AUTHOR}, 14 March 2026</p>
{_article_body(image)}
</article></main>
<aside class="sidebar"><h3>Popular posts</h3><ul><li><a href="/a">Ten knots you need</a></li>
<li><a href="/b">Our favourite lighthouses</a></li></ul></aside>
<section id="comments" class="comments"><h3>3 comments</h3>
<div class="comment"><p>Great article! Visit my shop for cheap anchors.</p></div>
<div class="comment"><p>I grew up in Porto Velho and the tide table was on every fridge.</p></div>
</section>
<footer><p>© 2026 Coastal Notes. All rights reserved. Privacy policy. Terms.</p></footer>
</body></html>"""


PAYWALL = """<!doctype html><html><head><title>Subscribers only | The Daily Ledger</title></head>
<body><nav><a href="/">Home</a></nav><article><h1>Inside the port's new budget</h1>
<p>Subscribe to continue reading.</p><div class="paywall">This article is for subscribers.
<a href="/subscribe">Start your free trial</a> or <a href="/login">log in</a>.</div></article>
<footer>© The Daily Ledger</footer></body></html>"""

LATIN1_TEXT = (
    "O café da praça abre às seis da manhã, quando os pescadores voltam do mar. "
    "A senhora Conceição serve pão, manteiga e um café forte a quem chega molhado. "
)


def latin1_html(meta: bool) -> bytes:
    head = '<meta charset="windows-1252">' if meta else ""
    paras = "".join(f"<p>{LATIN1_TEXT * 2}Parágrafo número {n}.</p>" for n in range(1, 6))
    html = (
        f"<html><head>{head}<title>O café do porto</title></head><body><article>"
        f"<h1>O café do porto</h1>{paras}</article></body></html>"
    )
    return html.encode("cp1252")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    images: ClassVar[dict[str, bytes]] = {"/img/harbour.png": png(), "/img/quay.png": png(240, 160)}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        seen.append((parts.path, {k.lower(): v for k, v in self.headers.items()}))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(parts.path, parse_qs(parts.query))

    def _route(self, path: str, query: dict[str, list[str]]) -> None:
        html = "text/html; charset=utf-8"
        if path == "/article.html":
            self._send(200, html, article_html().encode())
        elif path == "/fake-image.html":
            self._send(200, html, article_html("/img/fake.png").encode())
        elif path == "/paywall.html":
            self._send(200, html, PAYWALL.encode())
        elif path == "/latin1.html":
            self._send(200, "text/html; charset=ISO-8859-1", latin1_html(meta=False))
        elif path == "/meta-charset.html":
            self._send(200, "text/html", latin1_html(meta=True))
        elif path == "/huge.html":
            self._send(200, html, b"<p>" + b"a" * HUGE_BYTES + b"</p>")
        elif path == "/huge-chunked.html":
            self._chunked(html, b"<p>" + b"a" * 65536, repeat=HUGE_BYTES // 65536)
        elif path == "/slow.html":
            self._drip(html)
        elif path == "/download.zip":
            self._send(200, "application/zip", b"PK\x03\x04" + b"\x00" * 100)
        elif path.startswith("/redirect/"):
            self._redirect(int(path.rsplit("/", 1)[1]), query["to"][0])
        elif path == "/img/fake.png":
            self._send(200, "image/png", PAYWALL.encode())
        elif path in self.images:
            self._send(200, "image/png", self.images[path])
        else:
            self._send(404, "text/plain", b"not found")

    def _send(self, status: int, content_type: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _chunked(self, content_type: str, piece: bytes, repeat: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for _ in range(repeat):
            self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _drip(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        for _ in range(300):  # a byte every 0.05 s: never silent long enough for a read timeout
            self.wfile.write(b"<")
            self.wfile.flush()
            time.sleep(0.05)

    def _redirect(self, hops: int, to: str) -> None:
        target = f"/redirect/{hops - 1}?to={quote(to, safe='')}" if hops > 1 else to
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def serve_articles(port: int = 0) -> Iterator[str]:
    """The fixture site on 127.0.0.1; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    with serve_articles(int(sys.argv[1]) if len(sys.argv) > 1 else 0) as base:
        print(f"serving {base}/article.html", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
