"""Real `reelroute render` processes sharing one output folder, and killed at every stage.

Each render is tiny (two short scenes, draft quality, one aspect, espeak) so a dozen of them
take well under a minute. The stage a render is in comes from its own `--events` log."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REELROUTE = Path(sys.executable).with_name("reelroute")
TIMEOUT_S = 120.0


def script(folder: Path, words: str) -> Path:
    path = folder / f"{words.split()[0].lower()}.txt"
    path.write_text(f"{words} at dawn, in the harbour.\n\nBoats leave for the sea.\n")
    return path


def start(tmp_path: Path, source: Path, events: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "REELROUTE_VOICE": "espeak", "REELROUTE_DATA_DIR": str(tmp_path / "data")}
    return subprocess.Popen(
        [str(REELROUTE), "render", str(source), "--out", str(tmp_path / "out"), "--quality",
         "draft", "--aspects", "16:9", "--events", str(events), "--json"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # a signal to the test never reaches the render by accident
    )  # fmt: skip


def wait_for_stage(proc: subprocess.Popen[str], events: Path, stage: str) -> bool:
    """True once `events` shows `stage` started; False if the render ended first."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if events.exists():
            for line in events.read_text().splitlines():
                event = json.loads(line)
                if event["type"] == "stage" and event["stage"] == stage:
                    return True
        if proc.poll() is not None:
            return False
        time.sleep(0.02)
    raise AssertionError(f"no {stage} event within {TIMEOUT_S} s")


def complete_render_in(out: Path) -> str:
    """The render id of the one complete set in `out`; fails on a mix or a partial MP4."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = [*(o["file"] for o in manifest["outputs"]), manifest["disclosure"]["vtt"]]
    hashes = [*(o["sha256"] for o in manifest["outputs"]), manifest["disclosure"]["sha256"]]
    for name, digest in zip(files, hashes, strict=True):
        assert "sha256:" + hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    videos = {o["file"] for o in manifest["outputs"]}
    assert {p.name for p in out.glob("*.mp4")} == videos, "an MP4 the manifest does not list"
    assert (out / "captions.srt").is_file() and (out / "report.html").is_file()
    return str(manifest["render_id"])


def ffmpeg_children_of(tmp_path: Path) -> list[str]:
    """Command lines of running ffmpeg processes working on this test's files."""
    found = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in found.splitlines() if "ffmpeg" in line and str(tmp_path) in line]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder (keys, cached narration and clips) and one finished render to copy."""
    root = tmp_path_factory.mktemp("baseline")
    proc = start(root, script(root, "Gulls"), root / "events.jsonl")
    _, err = proc.communicate(timeout=TIMEOUT_S)
    assert proc.returncode == 0, err
    return root


def fresh(baseline: Path, tmp_path: Path) -> str:
    """This test's folder: the baseline's data folder and its finished render in `out/`."""
    subprocess.run(["cp", "-a", str(baseline / "data"), str(baseline / "out"), str(tmp_path)],
                   check=True)  # fmt: skip
    return complete_render_in(tmp_path / "out")


@pytest.mark.slow
def test_two_renders_into_one_folder_one_is_refused_by_name(baseline: Path, tmp_path: Path) -> None:
    fresh(baseline, tmp_path)
    first = start(tmp_path, script(tmp_path, "Herons"), tmp_path / "a.jsonl")
    assert wait_for_stage(first, tmp_path / "a.jsonl", "plan")  # holds the lock from here on
    # Paused while it holds the lock: a short render could otherwise finish before the second
    # process has even started (a loaded machine's start-up is slower than a draft render).
    os.killpg(first.pid, signal.SIGSTOP)
    try:
        second = start(tmp_path, script(tmp_path, "Terns"), tmp_path / "b.jsonl")
        _, err = second.communicate(timeout=TIMEOUT_S)
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    assert second.returncode == 3
    assert "another render (render " in err and "choose another output folder" in err
    out, err = first.communicate(timeout=TIMEOUT_S)
    assert first.returncode == 0, err
    assert complete_render_in(tmp_path / "out") == json.loads(out)["render_id"]


STAGES = ("narrate", "generate", "compose", "mux", "disclose", "publish")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_a_kill_at_each_stage_leaves_a_complete_render(
    baseline: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    previous = fresh(baseline, tmp_path)
    for n, stage in enumerate(STAGES):
        events = tmp_path / f"{stage}.jsonl"
        # New words each time, so narration and clips are really made, not reused.
        proc = start(tmp_path, script(tmp_path, f"Cormorant{n} {stage}"), events)
        reached = wait_for_stage(proc, events, stage)
        if reached:
            os.killpg(proc.pid, sig) if sig is signal.SIGKILL else proc.send_signal(sig)
        _, err = proc.communicate(timeout=TIMEOUT_S)
        now = complete_render_in(tmp_path / "out")
        new = json.loads(events.read_text().splitlines()[0])["render_id"]
        # Killed before the swap: the previous render; after it (or finished): the new one.
        assert now in (previous, new), (stage, err)
        assert now == new or proc.returncode != 0, (stage, err)
        if stage in ("narrate", "generate", "compose"):
            assert reached and proc.returncode != 0, f"the kill at {stage} came too late"
        previous = now
        if sig is not signal.SIGKILL:
            # 130: cancelled and cleaned up; a signal after the render ended kills it plainly.
            assert proc.returncode in (0, 130, -sig), err
            assert list((tmp_path / "data" / "work").iterdir()) == [], f"work left at {stage}"
            assert ffmpeg_children_of(tmp_path) == [], f"ffmpeg left running at {stage}"
    if sig is signal.SIGKILL:  # nothing could clean up: the next render sweeps what was left
        events = tmp_path / "after.jsonl"
        after = start(tmp_path, script(tmp_path, "Puffins after the kills"), events)
        _, err = after.communicate(timeout=TIMEOUT_S)
        assert after.returncode == 0, err
    assert list((tmp_path / "data" / "work").iterdir()) == []
    halfway = [p for p in tmp_path.iterdir() if p.name.startswith(".out.reelroute-") and p.is_dir()]
    assert halfway == []
