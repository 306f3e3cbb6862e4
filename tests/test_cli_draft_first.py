"""`reelroute render --draft-first`: the draft's path is printed as soon as it plays and when
it is whole, before the render goes on to its final outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app

runner = CliRunner(env={"COLUMNS": "220"})
SCRIPT = "A quiet harbour at dawn, boats resting on still water.\n\nSales grew 40 percent.\n"


@pytest.mark.slow
def test_draft_first_prints_the_drafts_path_then_finishes(tmp_path: Path) -> None:
    source = tmp_path / "script.txt"
    source.write_text(SCRIPT)
    argv = ["render", str(source), "--draft-first", "--aspects", "16:9", "--quality",
            "draft", "--voice", "espeak", "--out", str(tmp_path / "out")]  # fmt: skip
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # rich may wrap long paths
    playing, ready, done = (text.index(w) for w in ("draft playing:", "draft ready:", "Done"))
    assert playing < ready < done
    folder = Path(text[ready:].split()[2]).parent
    assert folder.parent == tmp_path / "data" / "drafts" and (folder / "draft.mp4").is_file()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["draft"] is True and manifest["complete"] is True
    verified = runner.invoke(app, ["verify", str(folder)])
    assert verified.exit_code == 1 and "not a publishable output" in verified.output
