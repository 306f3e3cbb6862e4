"""The web app under a real browser: the real app served by uvicorn on a loopback ephemeral
port (in this process, so the tests can register fake providers and make keys on its loop),
and Debian's Chromium driven by Playwright.

Every page a test opens is fenced: a console error, an uncaught exception or a request to any
origin but the server's fails the test. `Browse.check` runs axe-core (vendored, injected by the
test only) and saves a screenshot at 1280 and 375 px into artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Route

from app.api.app import Overrides, create_app
from app.api.state import Service
from app.config import Settings
from app.store.keys import Role, create_key
from providers.local import LocalProvider
from providers.registry import Registry
from tests.api_harness import ALLEGATION, FAKES
from tests.fakes import ScriptedProvider, fake_catalog_data

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
AXE_JS = Path(__file__).resolve().parent / "web_assets" / "axe.min.js"
WIDTHS = (1280, 375)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
# the elements that stick out of the viewport (the page then scrolls sideways)
WIDER_THAN_VIEWPORT = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return [];
  return [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5)
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
         (el.className && typeof el.className === 'string' ? '.' + el.className : ''));
}"""
# a navigation the test expects to fail (a 404 page) still logs this console error
_HTTP_STATUS_ERROR = re.compile(r"Failed to load resource: the server responded with a status of")


def require_chromium() -> None:
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser tests need Debian's Chromium at {CHROMIUM}: "
            "apt-get install -y chromium chromium-driver (.ci/run does this on CI)",
            pytrace=False,
        )


class LiveServer:
    """The app on 127.0.0.1:<ephemeral>, served by uvicorn in a thread with its own loop."""

    def __init__(self, settings: Settings, overrides: Overrides) -> None:
        self.app = create_app(settings, overrides)
        self.service: Service = self.app.state.service
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on", access_log=False)
        self._server = uvicorn.Server(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, name="web-server", daemon=True)

    def _run(self) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            await self._server.serve(sockets=[self._sock])

        asyncio.run(serve())

    def start(self, timeout: float = 60) -> None:
        self._thread.start()
        ready = threading.Event()

        def wait() -> None:
            while not self._server.started and self._thread.is_alive():
                threading.Event().wait(0.05)
            ready.set()

        threading.Thread(target=wait, daemon=True).start()
        if not ready.wait(timeout) or not self._server.started:
            raise RuntimeError("the web server did not start")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=60)
        self._sock.close()

    def call(self, work: Callable[[], Awaitable[T]], timeout: float = 60) -> T:
        """Run a coroutine on the server's loop (its database lives there) and wait for it."""
        assert self._loop is not None

        async def run() -> T:
            return await work()

        future: Future[T] = asyncio.run_coroutine_threadsafe(run(), self._loop)
        return future.result(timeout)

    def key(self, tenant: str, role: str) -> str:
        made = self.call(lambda: create_key(self.service.db, tenant, Role(role)))
        return made.secret


def web_settings(tmp_path: Path, **extra: Any) -> Settings:
    """SQLite and local files (the embedded defaults), espeak, and the fakes' catalog."""
    catalog = tmp_path / "catalog.json"
    data = fake_catalog_data(FAKES)
    data["providers"]["fakeb"]["sourcing"]["allegations"] = [ALLEGATION]
    catalog.write_text(json.dumps(data), encoding="utf-8")
    return Settings(data_dir=tmp_path / "data", voice="espeak", catalog_path=catalog, **extra)


@contextmanager
def live_server(tmp_path: Path, **extra: Any) -> Iterator[LiveServer]:
    fakes = {pid: ScriptedProvider(pid, real_video=True) for pid in FAKES}
    registry = Registry([LocalProvider(), *fakes.values()])
    server = LiveServer(
        web_settings(tmp_path, **extra), Overrides(registry=registry, sse_poll_s=0.1)
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Fence:
    """What a page did that fails the test: console errors, page errors, off-site requests."""

    origin: str
    errors: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    expect_http_errors: bool = False

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if self.expect_http_errors and _HTTP_STATUS_ERROR.search(message.text):
            return
        self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def on_route(self, route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.offsite.append(url)
            route.abort()
            return
        route.continue_()

    def assert_clean(self) -> None:
        assert not self.offsite, f"requests to other origins: {self.offsite}"
        assert not self.errors, f"errors in the page: {self.errors}"


@dataclass
class Browse:
    """One browser context on the live server: pages, the fence, axe and screenshots."""

    page: Page
    fence: Fence
    server: LiveServer
    label: str  # the test's name, prefixing each screenshot
    shots: list[Path] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.page.goto(self.server.url + path)

    @contextmanager
    def expecting_http_errors(self) -> Iterator[None]:
        self.fence.expect_http_errors = True
        try:
            yield
        finally:
            self.fence.expect_http_errors = False

    def sign_in(self, key: str) -> None:
        self.go("/sign-in")
        self.page.get_by_label("API key").fill(key)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        assert "/sign-in" not in self.page.url, "sign-in failed"

    def check(self, name: str) -> None:
        """axe-core (no serious or critical violation) and a screenshot at each width; at
        375 px the page must not scroll sideways."""
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            path = SCREENSHOTS / f"{self.label}-{name}-{width}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(path), full_page=True)  # first: evidence if it fails
            self.shots.append(path)
            problems = axe_violations(self.page)
            assert not problems, f"axe on {name} at {width}px: {problems}"
            if width < 400:
                wide = self.page.evaluate(WIDER_THAN_VIEWPORT)
                assert not wide, f"{name} scrolls sideways at {width}px: {wide}"
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        self.fence.assert_clean()


def axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now.

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern, so
    the app never has to allow (or serve) it."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}}); return r.violations.map(v => "
        "({id: v.id, impact: v.impact, help: v.help, "
        "nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }",
        AXE_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def launch(playwright: Playwright) -> Browser:
    require_chromium()
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


@contextmanager
def browse(browser: Browser, server: LiveServer, label: str) -> Iterator[Browse]:
    fence = Fence(origin=server.url)
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    context.route("**/*", fence.on_route)
    page = context.new_page()
    page.on("console", fence.on_console)
    page.on("pageerror", lambda exc: fence.errors.append(f"pageerror: {exc}"))
    try:
        yield Browse(page, fence, server, label)
        fence.assert_clean()
    finally:
        context.close()
