"""Work folders and lock files left by killed renders are swept; live renders' are not."""

from __future__ import annotations

from pathlib import Path

from app.pipeline.workdir import WorkFolder, sweep_work


def test_a_lock_file_left_without_its_folder_is_swept(tmp_path: Path) -> None:
    # A SIGKILL between taking the lock and making the folder leaves only the lock file.
    (tmp_path / "render-dead.lock").write_text("")
    (tmp_path / "render-gone").mkdir()
    (tmp_path / "render-gone" / "part.mp4").write_bytes(b"x")
    sweep_work(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_running_render_keeps_its_folder_and_lock(tmp_path: Path) -> None:
    with WorkFolder(tmp_path, "alive") as folder:
        (tmp_path / "render-dead.lock").write_text("")
        sweep_work(tmp_path)
        assert folder.is_dir()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["render-alive", "render-alive.lock"]
    assert list(tmp_path.iterdir()) == []


def test_a_planted_link_is_never_followed(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    work = tmp_path / "work"
    work.mkdir()
    (work / "render-x").symlink_to(target)
    sweep_work(work)
    assert (target / "keep.txt").read_text() == "mine"
