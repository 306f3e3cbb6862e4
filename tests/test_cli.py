"""The command line, driven as a user drives it: real files, real exit codes, real output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from tests.conftest import EXAMPLES

runner = CliRunner(env={"COLUMNS": "220"})
SCRIPT = EXAMPLES / "scripts" / "three-minute-explainer.txt"


def test_policy_check_accepts_every_example_policy() -> None:
    for policy in sorted((EXAMPLES / "policies").glob("*.yaml")):
        result = runner.invoke(app, ["policy", "check", str(policy)])
        assert result.exit_code == 0, result.output
        assert "sha256:" in result.output


def test_policy_check_names_the_bad_field_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: acme\nsourcing:\n  official_apii: true\n")
    result = runner.invoke(app, ["policy", "check", str(bad)])
    assert result.exit_code == 1
    assert "official_apii" in result.output and ":3" in result.output


def test_plan_json_routes_every_scene_to_local_and_explains_the_rest() -> None:
    result = runner.invoke(app, ["plan", str(SCRIPT), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["policy"] == "default"
    assert len(data["decisions"]) >= 25
    for decision in data["decisions"]:
        assert decision["chosen"] == {"provider": "local", "model": "local-motion-1"}
        reasons = {e["provider"]: e["reasons"] for e in decision["exclusions"]}
        assert "not_configured" in reasons["veo"]
        assert "lifecycle.retired" in reasons["sora"]


def test_plan_under_an_allegation_policy_lists_the_allegation() -> None:
    policy = EXAMPLES / "policies" / "no-distillation-allegations.yaml"
    result = runner.invoke(app, ["plan", str(SCRIPT), "--policy", str(policy), "--json"])
    assert result.exit_code == 0, result.output
    first = json.loads(result.output)["decisions"][0]
    hailuo = [e for e in first["exclusions"] if e["provider"] == "hailuo"]
    assert hailuo and all(
        "allegation.unauthorized-distillation:alleged" in e["reasons"] for e in hailuo
    )


def test_plan_table_and_unroutable_policy_exit_code() -> None:
    strict = EXAMPLES / "policies" / "disclosed-and-credentialed.yaml"
    result = runner.invoke(app, ["plan", str(SCRIPT), "--policy", str(strict)])
    assert result.exit_code == 2
    assert "none" in result.output


def test_providers_lists_catalog_with_sourcing_facts() -> None:
    result = runner.invoke(app, ["providers", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["catalog_sha256"].startswith("sha256:")
    assert data["configured"] == ["local"]
    assert set(data["providers"]["providers"]) >= {
        "kling", "veo", "runway", "luma", "pika", "hailuo", "sora", "seedance", "local",
    }  # fmt: skip
    table = runner.invoke(app, ["providers"])
    assert table.exit_code == 0 and "unauthorized-distillation" in table.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00\xff" * 50, "binary"),
    ],
)
def test_bad_sources_get_clear_errors(tmp_path: Path, content: bytes, expected: str) -> None:
    source = tmp_path / "input.txt"
    source.write_bytes(content)
    result = runner.invoke(app, ["plan", str(source)])
    assert result.exit_code == 1
    assert expected in result.output.lower()


def test_missing_file_url_and_bad_aspect_are_refused(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["render", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 1 and "nope.txt" in missing.output
    url = runner.invoke(app, ["render", "ftp://example.com/post"])
    assert url.exit_code == 1 and "ftp:" in url.output
    aspect = runner.invoke(app, ["render", "--prompt", "A harbour", "--aspects", "16:10"])
    assert aspect.exit_code == 1 and "unknown aspect" in aspect.output


def test_invalid_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REELROUTE_VOICE", "robot")
    result = runner.invoke(app, ["plan", "--prompt", "A harbour at dawn"])
    assert result.exit_code == 1
    assert "REELROUTE_VOICE" in result.output


@pytest.mark.slow
def test_render_json_result(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REELROUTE_VOICE", "espeak")
    result = runner.invoke(
        app,
        ["render", "--prompt", "A quiet harbour at dawn. Boats drift out to sea.",
         "--aspects", "9:16", "--quality", "draft", "--out", "clips-out", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert [o["aspect"] for o in data["outputs"]] == ["9:16"]
    assert Path(data["outputs"][0]["path"]).is_file()
    assert Path(data["manifest"]).is_file() and Path(data["disclosure"]).is_file()
    assert all(s["provider"] == "local" for s in data["scenes"])


def _simulated_choices(policy: str) -> set[str]:
    path = EXAMPLES / "policies" / f"{policy}.yaml"
    result = runner.invoke(
        app, ["plan", str(SCRIPT), "--policy", str(path), "--assume-configured", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["simulated"] is True
    return {d["chosen"]["provider"] for d in data["decisions"] if d["chosen"]}


def test_simulated_plans_route_differently_under_each_policy() -> None:
    offline = _simulated_choices("offline-only")
    us_eu = _simulated_choices("us-eu-only")
    no_distill = _simulated_choices("no-distillation-allegations")
    assert offline == {"local"}
    assert us_eu - {"local"} and not us_eu & {"kling", "hailuo", "seedance"}
    assert "hailuo" not in no_distill and no_distill - {"local"}
    assert len({frozenset(offline), frozenset(us_eu), frozenset(no_distill)}) == 3
