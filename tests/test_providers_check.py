"""`reelroute providers check` against a fake vendor on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from app.cli import app
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.server import serve

runner = CliRunner()


@pytest.fixture
def runway(tiny_mp4: bytes, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunwayFake]:
    fake = RunwayFake(tiny_mp4, key="rw-cli-key")
    with serve(fake) as url:
        fake.base_url = url
        monkeypatch.setenv("REELROUTE_RUNWAY__BASE_URL", url)
        yield fake


def test_check_passes_with_a_good_key(runway: RunwayFake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REELROUTE_RUNWAY__API_KEY", "rw-cli-key")
    result = runner.invoke(app, ["providers", "check", "runway"])
    assert result.exit_code == 0, result.output
    assert "runway: ok (credit balance 1234)" in result.output
    assert runway.requests[0].path == "/v1/organization"


def test_check_reports_a_refused_key_without_it(
    runway: RunwayFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REELROUTE_RUNWAY__API_KEY", "rw-wrong-key")
    result = runner.invoke(app, ["providers", "check"])
    assert result.exit_code == 1
    assert "runway: credentials refused" in result.output and "rw-wrong-key" not in result.output
    assert "kling: not_configured" in result.output


def test_check_unconfigured_named_provider_fails() -> None:
    result = runner.invoke(app, ["providers", "check", "veo"])
    assert result.exit_code == 1 and "veo: not_configured" in result.output
