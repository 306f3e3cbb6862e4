"""Hostile policy and catalog files: aliases, sheer size, bad encodings and deep nesting are
clear `DocumentError`s (with file and line), never a traceback, a hang or a memory blow-up."""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.policies.files import load_policy
from providers.documents import MAX_DEPTH, MAX_DOCUMENT_BYTES, DocumentError, parse_document
from providers.profile import CatalogError, load_catalog
from routing.policy import PolicyError, parse_policy

REPO = Path(__file__).resolve().parent.parent
MEMORY_BOUND = 1 << 30  # address space for the child: far above a normal load, far below a bomb

# The classic "billion laughs": nine levels of nine aliases expand to 9^9 items.
ALIAS_BOMB = (
    "id: bomb\n"
    + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    + "only: *a9\n"
)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BOUND, MEMORY_BOUND))


def test_an_alias_bomb_policy_is_refused_within_a_memory_bound(tmp_path: Path) -> None:
    policy = tmp_path / "bomb.yaml"
    policy.write_text(ALIAS_BOMB)
    code = textwrap.dedent(f"""
        from app.policies.files import load_policy
        from routing.policy import PolicyError
        try:
            load_policy({str(policy)!r})
        except PolicyError as exc:
            print("refused:", exc)
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
        preexec_fn=_limit_memory,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"refused: {policy}:2: YAML anchors and aliases" in done.stdout


@pytest.mark.parametrize(
    "text",
    ["base: &b {only: [kling]}\nother: *b\n", "id: x\n<<: *missing\n", "id: &x x\n"],
)
def test_any_anchor_or_alias_is_refused(text: str) -> None:
    with pytest.raises(PolicyError, match="anchors and aliases"):
        parse_policy(text, "p.yaml")


def test_a_catalog_override_with_aliases_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "override.yaml"
    path.write_text("x: &x {}\nproviders: {kling: *x}\n")
    with pytest.raises(CatalogError, match=r"override.yaml:1: YAML anchors"):
        load_catalog(path)


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deep_nesting_is_a_clear_error_not_a_recursion_traceback(opening: str) -> None:
    text = opening * 50_000
    with pytest.raises(PolicyError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_policy(text, "deep.yaml")


def test_nesting_at_the_limit_still_parses() -> None:
    data, _ = parse_document("[" * MAX_DEPTH + "]" * MAX_DEPTH, "ok.yaml")
    assert isinstance(data, list)


def test_non_utf8_policy_names_file_line_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: x\nname: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert info.value.issues == (f"{path}:2: not UTF-8 text (bad byte at offset 15)",)


def test_non_utf8_catalog_override_is_a_catalog_error(tmp_path: Path) -> None:
    path = tmp_path / "override.yaml"
    path.write_bytes(b"providers: {}\n\xff\xfe\n")
    with pytest.raises(CatalogError, match=r"override.yaml:2: not UTF-8"):
        load_catalog(path)


def test_oversized_files_are_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("id: x\n" + "# padding\n" * (MAX_DOCUMENT_BYTES // 10 + 1))
    with pytest.raises(PolicyError, match=f"larger than {MAX_DOCUMENT_BYTES} bytes"):
        load_policy(path)
    with pytest.raises(DocumentError, match="larger than"):
        parse_document(path.read_text(), "huge.yaml")


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfid: with-bom\n")
    assert load_policy(path).id == "with-bom"


def test_the_cli_reports_a_hostile_policy_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / ("a-long-folder-name-" * 5) / "deep.yaml"  # past 80 columns
    path.parent.mkdir()
    path.write_text("[" * 10_000)
    result = CliRunner().invoke(app, ["policy", "check", str(path)])
    assert result.exit_code != 0
    assert result.output == f"error: invalid policy: {path}:1: nested deeper than 64 levels\n"
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, RecursionError)
