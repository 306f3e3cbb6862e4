"""`reelroute render URL` end to end against the loopback fixture article: real fetch, real
extraction, real ffmpeg and voice. The scenes follow the article's headings, its image is in
the video, and the manifest and report cite every scene's source paragraphs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from app.cli import app
from providers.media import run_ffmpeg
from tests.fakes_http.article_text import SECTIONS
from tests.fakes_http.articles import serve_articles

runner = CliRunner(env={"COLUMNS": "220"})


def _frame_rgb(video: Path, at: float, dest: Path) -> np.ndarray:
    args = ["-v", "error", "-ss", f"{at:.3f}", "-i", str(video), "-frames:v", "1",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "96x54", str(dest)]  # fmt: skip
    asyncio.run(run_ffmpeg(args))
    return np.frombuffer(dest.read_bytes(), dtype=np.uint8).reshape(54, 96, 3).astype(float)


@pytest.mark.slow
def test_render_url_follows_the_article_shows_its_image_and_cites_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("REELROUTE_VOICE", "espeak")
    monkeypatch.setenv("REELROUTE_FETCH__ALLOW_HOSTS", "127.0.0.1")
    with serve_articles() as site:
        url = f"{site}/article.html"
        result = runner.invoke(app, ["render", url, "--minutes", "1", "--aspects", "16:9",
                                     "--quality", "draft", "--out", "out", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    manifest = json.loads(Path(data["manifest"]).read_text())

    source = manifest["input"]["source"]
    assert manifest["input"]["kind"] == "url" and manifest["input"]["ref"] == url
    assert source["fetch"]["url"] == url and source["fetch"]["sha256"].startswith("sha256:")
    assert source["fetch"]["fetched_at"].endswith("Z")
    assert source["extraction"]["library"] == "trafilatura" and source["extraction"]["version"]
    citations = source["citations"]
    assert [c["scene"] for c in citations] == [s["index"] for s in manifest["scenes"]]
    assert all(c["paragraphs"] for c in citations[1:]), "every scene but the title card cites"

    headed = [s["on_screen_text"] for s in manifest["scenes"]]
    positions = [headed.index(h) for h, _ in SECTIONS if h and h in headed]
    assert len(positions) >= 4 and positions == sorted(positions), "sections in article order"
    assert 48 <= data["duration_s"] <= 72, data["duration_s"]  # 1 minute asked

    # The article's lead image is in its scene: the sea in its lower part shows through.
    lead = source["images"][0]
    assert lead["url"].endswith("/img/harbour.png") and lead["sha256"].startswith("sha256:")
    scene = manifest["scenes"][lead["scenes"][0]]
    # The built-in renderer moved over it: the scene records it as its input (issue 15).
    assert scene["input_image"] == {"sha256": lead["sha256"], "media_type": "image/png",
                                    "origin": "article", "ref": lead["url"]}  # fmt: skip
    middle = (scene["timeline"]["start"] + scene["timeline"]["end"]) / 2
    frame = _frame_rgb(Path(data["outputs"][0]["path"]), middle, tmp_path / "frame.rgb")
    sea = frame[34:44].reshape(-1, 3).mean(axis=0)  # below the band, above the captions
    assert sea[2] > sea[0] + 80 and sea[1] > sea[0] + 50, sea  # blue-green, like the picture

    report = Path(data["report"]).read_text()
    assert "Source and citations" in report and "trafilatura" in report
    assert "#:~:text=Twice%20a%20day" in report
    assert source["fetch"]["sha256"] in report


def test_plan_refuses_a_private_address_naming_the_rule() -> None:
    result = runner.invoke(app, ["plan", "http://192.168.1.20/post"])
    assert result.exit_code == 1
    assert "refused by rule ssrf.private" in result.output
    assert "REELROUTE_FETCH__ALLOW_HOSTS" in result.output
