"""`reelroute policy explain` and `policy check` with `extends`, driven as a user drives them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from tests.conftest import EXAMPLES

runner = CliRunner(env={"COLUMNS": "200"})
POLICIES = EXAMPLES / "policies"


def test_explain_json_lists_what_each_rule_removes_per_kind() -> None:
    policy = POLICIES / "no-distillation-allegations.yaml"
    result = runner.invoke(
        app, ["policy", "explain", str(policy), "--json", "--today", "2026-11-22"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["policy"]["id"] == "no-distillation-allegations" and data["today"] == "2026-11-22"
    removed = data["rules"]["allegation.unauthorized-distillation:alleged"]
    assert removed and all(ref.startswith("hailuo/") for ref in removed)
    assert all(len(kinds) == 8 for kinds in removed.values())
    text = data["scene_kinds"]["text"]
    assert "local/local-motion-1" in text["eligible"]
    assert not any(ref.startswith("hailuo/") for ref in text["eligible"])
    assert "lifecycle.retired" in next(iter(text["unavailable"].values()))  # sora: not a rule
    assert data["on_failure"]["retries"]["max_attempts_per_provider"] == 2


def test_explain_per_kind_rules_and_extends() -> None:
    result = runner.invoke(
        app, ["policy", "explain", str(POLICIES / "brand-client-acme.yaml"), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["based_on"] == ["premium-quality"]
    assert set(data["rules"]["policy.ignore"]) == {"pika/pika-v2.2"}
    assert "policy.models" in data["rules"]


def test_explain_table_and_stale_evidence() -> None:
    policy = POLICIES / "newsroom-resilient.yaml"
    later = runner.invoke(app, ["policy", "explain", str(policy), "--today", "2030-01-01"])
    assert later.exit_code == 0, later.output
    assert "sourcing.stale:access_kind" in later.output
    assert "extends responsible-sourcing" in later.output and "On failure" in later.output
    now = runner.invoke(app, ["policy", "explain", str(policy), "--today", "2026-11-22"])
    assert "sourcing.stale" not in now.output


def test_explain_errors() -> None:
    bad_date = runner.invoke(
        app, ["policy", "explain", str(POLICIES / "offline-only.yaml"), "--today", "soon"]
    )
    assert bad_date.exit_code == 1 and "--today" in bad_date.output


def test_check_shows_the_base_and_names_a_missing_one(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["policy", "check", str(POLICIES / "newsroom-resilient.yaml")])
    assert ok.exit_code == 0 and "extends responsible-sourcing" in ok.output
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text("id: orphan\nextends: nobody\n")
    missing = runner.invoke(app, ["policy", "check", str(orphan)])
    assert missing.exit_code == 1
    assert "orphan.yaml:2" in missing.output and "extends" in missing.output
