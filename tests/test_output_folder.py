"""The output folder is safe to share: a kill at any publishing step leaves one complete set,
links found there are never followed, two renders never write into it at once, and what is
unusable is refused before anything is spent."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.config import Settings
from app.context import load_effective_catalog
from app.errors import OutputBusy, SetupError
from app.pipeline.output import OutputLock, publish, sweep_leftovers
from app.policies import FilePolicySource
from app.render.quality import Quality
from app.service.entry import PlanEnv, build_render_env, execute_plan, plan_render
from app.service.request import RenderRequest, RenderSource
from providers.local import LocalProvider
from providers.registry import Registry
from providers.types import Aspect

STEPS = ("staged", "linked", "swapped", "carried", "published")
SCRIPT = "A quiet harbour at dawn.\n\nBoats leave for the sea.\n"


def write_set(folder: Path, render_id: str, files: dict[str, bytes]) -> None:
    """A render's finished set as `publish` sees it: files plus a manifest listing them."""
    folder.mkdir(parents=True)
    outputs = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        outputs.append({"file": name, "sha256": "sha256:" + hashlib.sha256(data).hexdigest()})
    manifest = {"render_id": render_id, "outputs": outputs}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def complete_render_in(out: Path) -> str:
    """The render id of the one complete set in `out`; fails on a mix or a partial MP4."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = set()
    for o in manifest["outputs"]:
        path = out / o["file"]
        assert not path.is_symlink()
        assert "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest() == o["sha256"]
        listed.add(o["file"])
    videos = {n for n in listed if n.endswith(".mp4")}
    assert {p.name for p in out.glob("*.mp4")} == videos, "an MP4 the manifest does not list"
    return str(manifest["render_id"])


@pytest.mark.parametrize("kill_at", STEPS)
def test_a_kill_at_any_publishing_step_leaves_one_complete_render(
    tmp_path: Path, kill_at: str
) -> None:
    out = tmp_path / "out"
    write_set(out, "old", {"video-16x9.mp4": b"old 16x9", "video-1x1.mp4": b"old 1x1"})
    (out / "notes.txt").write_text("the user's own file")
    (out / "drafts").mkdir()
    (out / "drafts" / "idea.txt").write_text("the user's own folder")
    stage = tmp_path / "work" / "set"
    write_set(stage, "new", {"video-16x9.mp4": b"new 16x9", "video-9x16.mp4": b"new 9x16"})

    pid = os.fork()
    if pid == 0:  # the render process: dies without any cleanup at `kill_at`
        try:
            publish(stage, out, "new", step=lambda s: os._exit(9) if s == kill_at else None)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 9, "the child must die at the step"

    before_swap = STEPS.index(kill_at) < STEPS.index("swapped")
    assert complete_render_in(out) == ("old" if before_swap else "new")
    assert (out / "notes.txt").read_text() == "the user's own file"
    with OutputLock(out, "next"):  # the next render cleans up what the killed one left
        pass
    assert complete_render_in(out) == ("old" if before_swap else "new")
    assert (out / "drafts" / "idea.txt").read_text() == "the user's own folder"
    assert [p.name for p in tmp_path.iterdir() if ".reelroute-" in p.name and p.is_dir()] == []


def test_publishing_into_a_new_folder_and_over_a_previous_render(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_set(tmp_path / "a", "a", {"x-16x9.mp4": b"a"})
    publish(tmp_path / "a", out, "a")
    assert complete_render_in(out) == "a"
    write_set(tmp_path / "b", "b", {"y-16x9.mp4": b"b"})
    publish(tmp_path / "b", out, "b")
    assert complete_render_in(out) == "b"
    assert not (out / "x-16x9.mp4").exists(), "the previous render's outputs are removed"


def test_links_planted_in_the_output_folder_are_never_followed(tmp_path: Path) -> None:
    victims = {n: tmp_path / f"victim-{n}" for n in ("manifest.json", "v-16x9.mp4", "report.html")}
    out = tmp_path / "out"
    out.mkdir()
    for name, victim in victims.items():
        victim.write_text("precious")
        (out / name).symlink_to(victim)
    (out / "elsewhere").symlink_to(tmp_path)  # a link to a folder, not ours
    write_set(tmp_path / "set", "new", {"v-16x9.mp4": b"video", "report.html": b"<html>"})
    publish(tmp_path / "set", out, "new")
    sweep_leftovers(out)

    assert all(v.read_text() == "precious" for v in victims.values())
    assert complete_render_in(out) == "new"
    assert not any((out / n).is_symlink() for n in victims)
    assert (out / "elsewhere").is_symlink()  # the user's link is kept, as a link


def test_a_second_render_into_a_locked_folder_is_refused_by_name(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with OutputLock(out, "first-render"):
        with pytest.raises(OutputBusy, match="first-render") as info, OutputLock(out, "second"):
            pass
        assert (info.value.code, info.value.http_status) == ("output_busy", 409)
        assert "choose another output folder" in info.value.message
    with OutputLock(out, "second"):  # released with the first
        pass


class CountingLocal(LocalProvider):
    """The offline renderer, counting its calls: a provider call is what must not happen."""

    def __init__(self, calls: list[str]) -> None:
        super().__init__()
        self.calls = calls

    async def generate(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append("generate")
        return await super().generate(*args, **kwargs)


async def _execute(out: Path, settings: Settings, calls: list[str] | None = None) -> None:
    catalog = load_effective_catalog(settings)
    registry = Registry([CountingLocal(calls if calls is not None else [])])
    env = PlanEnv(catalog, registry, FilePolicySource(catalog), 150.0)
    req = RenderRequest(
        render_id="r1", source=RenderSource(kind="script", text=SCRIPT),
        aspects=[Aspect.LANDSCAPE], quality=Quality.DRAFT, voice="espeak",
    )  # fmt: skip
    planned = await plan_render(req, env)
    await execute_plan(planned, build_render_env(settings, catalog=catalog, registry=registry), out)


async def test_the_clean_path_calls_the_provider_once_per_scene(tmp_path: Path) -> None:
    calls: list[str] = []
    await _execute(tmp_path / "out", Settings(voice="espeak"), calls)
    assert calls == ["generate", "generate"] and complete_render_in(tmp_path / "out") == "r1"


async def test_an_unusable_signing_key_is_refused_before_any_provider_call(
    tmp_path: Path,
) -> None:
    bad_key = tmp_path / "key.pem"
    bad_key.write_text("not a key")
    calls: list[str] = []
    with pytest.raises(SetupError, match="cannot sign this render") as info:
        await _execute(tmp_path / "out", Settings(signing_key_path=bad_key), calls)
    assert info.value.code == "setup_failed" and calls == []
    assert not (tmp_path / "out" / "manifest.json").exists()
    assert not (tmp_path / "data" / "narration").exists() or not any(
        (tmp_path / "data" / "narration").iterdir()
    ), "nothing was narrated either"


async def test_an_output_folder_that_cannot_be_written_is_refused_before_spending(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(SetupError, match=r"not writable|not a folder"):
        await _execute(blocker / "out", Settings(voice="espeak"))
    link = tmp_path / "linked-out"
    link.symlink_to(tmp_path / "real-out")
    with pytest.raises(SetupError, match="is a symbolic link"):
        await _execute(link, Settings(voice="espeak"))


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr")
async def test_a_read_only_folder_is_a_clear_message_not_a_traceback(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # Root ignores permission bits; an immutable folder refuses even root.
    if subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable flag")
    try:
        with pytest.raises(SetupError, match=r"output folder .* is not writable"):
            await _execute(out, Settings(voice="espeak"))
        data = tmp_path / "data"
        data.mkdir(exist_ok=True)
        subprocess.run(["chattr", "+i", str(data)], check=True)
        try:
            with pytest.raises(SetupError, match=r"data folder .* is not writable"):
                await _execute(tmp_path / "out2", Settings(voice="espeak"))
        finally:
            subprocess.run(["chattr", "-i", str(data)], check=True)
    finally:
        subprocess.run(["chattr", "-i", str(out)], check=True)


def _expired_signer(folder: Path) -> tuple[Path, Path]:
    """A self-signed ES256 certificate that expired yesterday, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expired signer")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30)).not_valid_after(now - timedelta(days=1))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = folder / "expired.pem", folder / "expired-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.mark.parametrize("problem", ["expired", "garbage"])
async def test_an_unusable_c2pa_certificate_is_refused_before_any_provider_call(
    tmp_path: Path, problem: str
) -> None:
    cert, key = _expired_signer(tmp_path)
    if problem == "garbage":
        cert.write_bytes(b"\x00\xff not a certificate")
    calls: list[str] = []
    expected = r"valid from .* to " if problem == "expired" else "C2PA"
    with pytest.raises(SetupError, match=expected):
        await _execute(tmp_path / "out", Settings(c2pa_cert_path=cert, c2pa_key_path=key), calls)
    assert calls == []


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr")
def test_without_a_writable_parent_files_are_moved_in_with_the_manifest_last(
    tmp_path: Path,
) -> None:
    parent = tmp_path / "parent"
    out = parent / "out"
    write_set(out, "old", {"v-16x9.mp4": b"old", "w-1x1.mp4": b"old square"})
    (out / "mine.txt").write_text("kept")
    write_set(tmp_path / "set", "new", {"v-16x9.mp4": b"new"})
    if subprocess.run(["chattr", "+i", str(parent)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable flag")
    order: list[str] = []
    try:
        with OutputLock(out, "new"):  # the lock file goes inside the folder instead
            publish(tmp_path / "set", out, "new", step=order.append)
    finally:
        subprocess.run(["chattr", "-i", str(parent)], check=True)
    assert complete_render_in(out) == "new" and order == ["swapped", "published"]
    assert (out / "mine.txt").read_text() == "kept" and not (out / "w-1x1.mp4").exists()
