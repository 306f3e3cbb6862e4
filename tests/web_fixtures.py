"""pytest fixtures of the browser tests: one Chromium per module, one live server per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.web_harness import LiveServer, launch, live_server

# loaded by conftest before any test: every browser test's expectations wait this long (two
# shared cores: a busy machine is slow, not broken), whichever modules run
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path) as running:
        yield running
