"""One exception tree with stable codes, translated for the terminal in one place."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from app import errors
from app.cli import app
from app.cli.common import CLI_MESSAGES
from app.ingest import IngestError

runner = CliRunner()


def _subclasses(cls: type[errors.ReelrouteError]) -> list[type[errors.ReelrouteError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_error_has_a_stable_code_the_cli_knows() -> None:
    codes = {cls.code for cls in _subclasses(errors.ReelrouteError)}
    assert codes <= set(CLI_MESSAGES)
    assert {"invalid_input", "invalid_policy", "pin_forbidden", "unroutable", "limit_exceeded",
            "render_failed", "output_busy", "not_found", "forbidden"} <= codes  # fmt: skip
    assert issubclass(IngestError, errors.InputError)
    err = errors.PolicyInvalid("p.yaml:3: sort: bad", field="sort")
    assert err.to_dict() == {"code": "invalid_policy", "message": "p.yaml:3: sort: bad",
                             "field": "sort"}  # fmt: skip


def test_policy_errors_name_the_field_and_line_through_the_entry() -> None:
    Path("s.txt").write_text("A harbour at dawn.\n")
    Path("p.yaml").write_text("id: p\nsort: fastest\n")
    result = runner.invoke(app, ["plan", "s.txt", "--policy", "p.yaml"])
    assert result.exit_code == 1
    assert "invalid policy: p.yaml:2: sort:" in result.output
    result = runner.invoke(app, ["render", "s.txt", "--policy", "no-such-policy"])
    assert result.exit_code == 1 and "no policy 'no-such-policy'" in result.output


def test_an_output_folder_inside_a_file_is_a_message_not_a_traceback() -> None:
    Path("s.txt").write_text("A harbour at dawn.\n")
    Path("blocker").write_text("a file")
    result = runner.invoke(app, ["render", "s.txt", "--out", "blocker/out", "--quality", "draft"])
    assert result.exit_code == 1
    assert "the output folder blocker/out is not writable" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_example_policy_is_found_by_name() -> None:
    Path("s.txt").write_text("A harbour at dawn.\n")
    result = runner.invoke(app, ["plan", "s.txt", "--policy", "offline-only", "--json"])
    assert result.exit_code == 0, result.output
    assert '"policy": "offline-only"' in result.output
