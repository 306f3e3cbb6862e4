"""Test isolation: no REELROUTE_* settings leak in, and each test works in its own folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests import netguard

pytest_plugins = ["tests.fakes_http.fixtures", "tests.web_fixtures"]
netguard.install()

# Property tests (hypothesis, schemathesis) draw the same examples on every run, so `make test`
# passes or fails the same way on every machine; HYPOTHESIS_PROFILE=explore draws new ones.
settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("REELROUTE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("REELROUTE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    before = len(netguard.attempts)
    yield
    tried = netguard.attempts[before:]
    if tried:
        pytest.fail(f"the test tried to leave loopback: {tried}")
