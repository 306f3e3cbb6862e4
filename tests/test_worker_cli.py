"""`reelroute worker` refuses to start without a queue or without the deployment's identity."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app

runner = CliRunner(env={"COLUMNS": "200"})


def test_a_worker_needs_the_redis_queue() -> None:
    result = runner.invoke(app, ["worker"])
    assert result.exit_code == 1
    assert "REELROUTE_REDIS_URL is not set" in result.output


def test_a_worker_never_creates_a_key_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REELROUTE_REDIS_URL", "redis://127.0.0.1:6379/9")
    result = runner.invoke(app, ["worker"])
    assert result.exit_code != 0
    text = " ".join(result.output.split())
    assert "never creates its own" in text and "REELROUTE_SIGNING_KEY_PATH" in text
    assert not (tmp_path / "data" / "keys").exists()  # nothing was made
