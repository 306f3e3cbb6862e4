"""`reelroute keys` and `reelroute serve`, run as a user runs them (real processes)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import app

runner = CliRunner(env={"COLUMNS": "220"})
REELROUTE = [sys.executable, "-c", "from app.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_keys_create_json_and_revoke() -> None:
    made = runner.invoke(app, ["keys", "create", "--tenant", "acme", "--role", "auditor",
                               "--json"])  # fmt: skip
    assert made.exit_code == 0, made.output
    key = json.loads(made.output)
    assert key["tenant"] == "acme" and key["role"] == "auditor" and key["key"].startswith("rrk_")
    assert runner.invoke(app, ["keys", "revoke", key["id"]]).exit_code == 0
    again = runner.invoke(app, ["keys", "revoke", key["id"]])
    assert again.exit_code == 1 and "no live key" in again.output
    wrong = runner.invoke(app, ["keys", "create", "--tenant", "acme", "--role", "owner"])
    assert wrong.exit_code == 2


def test_serve_refuses_a_public_bind_without_keys(tmp_path: Path) -> None:
    result = subprocess.run(
        [*REELROUTE, "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True, text=True, timeout=120, env=os.environ.copy(),
    )  # fmt: skip
    assert result.returncode == 1
    assert "refusing to listen on 0.0.0.0" in result.stderr.replace("\n", " ")


def test_serve_starts_with_nothing_else_running() -> None:
    made = runner.invoke(app, ["keys", "create", "--tenant", "acme", "--role", "creator",
                               "--json"])  # fmt: skip
    key = json.loads(made.output)["key"]
    port = free_port()
    server = subprocess.Popen([*REELROUTE, "serve", "--port", str(port)], env=os.environ.copy(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                got = httpx.get(f"http://127.0.0.1:{port}/v1/providers",
                                headers={"Authorization": f"Bearer {key}"})  # fmt: skip
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("reelroute serve did not come up")
                time.sleep(0.2)
        assert got.status_code == 200
        assert "local" in {p["id"] for p in got.json()["providers"]}
        anonymous = httpx.get(f"http://127.0.0.1:{port}/v1/renders")
        assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    finally:
        server.terminate()
        server.wait(timeout=30)
