"""Issue 15: the soft binding finds a stripped, re-encoded or trimmed copy's render, with the
matching time range, through `reelroute verify --find`; and finds nothing for a video it has
never seen (another render's output, recorded in another data folder)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.config import Settings
from app.context import build_registry
from app.ingest import ingest_text
from app.pipeline.disclose import RenderResult
from app.pipeline.plan import DEFAULT_POLICY
from app.provenance.credentials import CA_FILE, read_credentials
from app.provenance.fingerprint import MATCH_BITS, hash_frames
from app.provenance.fingerprint_index import SqliteFingerprintIndex
from providers.media import run_ffmpeg
from tests.rendering import make_env, render

FIRST = """A quiet harbour at dawn, boats resting on still water.

Sales grew 42% in 2025, from 1.2 million to 1.7 million cups.

A mountain trail in autumn, leaves falling across the path.
"""
SECOND = """Our new espresso machine heats up in ninety seconds flat.

Three baristas compare grinders on a long wooden counter.

The city skyline at night, traffic streaming across a bridge.
"""


def test_hash_is_stable_under_noise_and_differs_between_pictures() -> None:
    rng = np.random.default_rng(7)
    # Pictures with structure at the scale the hash sees: random 8x8 blocks blown up to 32x32.
    coarse = rng.integers(0, 256, size=(6, 8, 8))
    pictures = coarse.repeat(4, axis=1).repeat(4, axis=2).astype(np.uint8)
    noisy = np.clip(pictures + rng.normal(0, 6, pictures.shape), 0, 255).astype(np.uint8)
    same = np.bitwise_count(hash_frames(pictures) ^ hash_frames(noisy))
    across = np.bitwise_count(hash_frames(pictures) ^ np.roll(hash_frames(pictures), 1))
    assert same.max() <= 8, same
    assert across.min() > 20, across


@dataclass(frozen=True)
class Renders:
    first: RenderResult
    second: RenderResult
    data_dir: Path  # indexes the first render only


def _render(script: str, title: str, data_dir: Path, out: Path) -> RenderResult:
    settings = Settings(voice="espeak", data_dir=data_dir)
    env = make_env(settings, build_registry(settings))
    return asyncio.run(render(ingest_text(script, title=title), env, out, DEFAULT_POLICY))


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Renders]:
    root = tmp_path_factory.mktemp("soft")
    first = _render(FIRST, "First", root / "data", root / "first")
    second = _render(SECOND, "Second", root / "elsewhere", root / "second")
    yield Renders(first, second, root / "data")


def _find(data_dir: Path, copy: Path) -> tuple[int, dict[str, Any]]:
    runner = CliRunner(env={"COLUMNS": "200", "REELROUTE_DATA_DIR": str(data_dir)})
    result = runner.invoke(cli_app, ["verify", "--find", str(copy), "--json"])
    return result.exit_code, json.loads(result.output)


@pytest.mark.slow
def test_the_index_holds_every_output_of_a_render(renders: Renders) -> None:
    index = SqliteFingerprintIndex.in_data_dir(renders.data_dir)
    entries = list(index.entries())
    assert [(e.render_id, e.aspect) for e in entries] == [(renders.first.render_id, "16:9")]
    recorded = renders.first.manifest.outputs[0].fingerprint
    assert recorded is not None
    assert [f"{int(h):016x}" for h in entries[0].hashes] == recorded.hashes


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "args", "start"),
    [
        ("crf35-720p.mp4", ("", "-vf", "scale=-2:720", "-crf", "35", "-an"), 0.0),
        ("stripped.mp4", ("", "-map_metadata", "-1", "-c", "copy"), 0.0),
        ("trimmed.mp4", ("-ss", "3", "-c:v", "libx264", "-crf", "23"), 3.0),
    ],
)
def test_a_copy_is_traced_to_its_render(
    renders: Renders, tmp_path: Path, name: str, args: tuple[str, ...], start: float
) -> None:
    video = renders.first.outputs[0].path
    pre = ["-ss", args[1]] if args[0] == "-ss" else []
    rest = list(args[2:] if args[0] == "-ss" else args[1:])
    copy = tmp_path / name
    asyncio.run(run_ffmpeg(["-v", "error", *pre, "-i", str(video), *rest, str(copy)]))
    anchors = (renders.data_dir / "keys" / CA_FILE).read_text()
    assert read_credentials(copy, anchors) is None, "the copy carries no C2PA manifest"
    code, found = _find(renders.data_dir, copy)
    assert code == 0, found
    best = found["matches"][0]
    assert best["render_id"] == renders.first.render_id
    assert best["distance_bits"] <= MATCH_BITS
    assert best["start_s"] == pytest.approx(start, abs=1.0)
    assert best["end_s"] >= renders.first.duration - 1.5
    assert best["manifest"] == str((renders.first.out_dir / "manifest.json").resolve())


@pytest.mark.slow
def test_another_renders_output_matches_nothing(renders: Renders, tmp_path: Path) -> None:
    code, found = _find(renders.data_dir, renders.second.outputs[0].path)
    assert code == 1 and found["matches"] == []


def test_find_names_a_file_that_is_not_a_video(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("not a video")
    runner = CliRunner(env={"COLUMNS": "200", "REELROUTE_DATA_DIR": str(tmp_path / "d")})
    result = runner.invoke(cli_app, ["verify", "--find", str(bogus)])
    assert result.exit_code == 2 and "cannot read" in result.output and "notes.mp4" in result.output


@pytest.mark.slow
def test_an_unwritable_index_loses_nothing_but_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    (data / "fingerprints.sqlite").mkdir(parents=True)  # sqlite cannot open a folder
    with caplog.at_level("WARNING"):
        result = _render(FIRST.split("\n\n")[0], "Unindexed", data, tmp_path / "out")
    assert result.manifest_path.is_file() and result.outputs[0].path.is_file()
    assert "fingerprint index was not updated" in caplog.text
