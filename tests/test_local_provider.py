"""LocalProvider end to end with the real ffmpeg: tiny clips of every kind, probed and checked."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import replace
from pathlib import Path

import av
import pytest

from providers.base import VideoProvider
from providers.errors import CapabilityNotSupported, GenerationFailed
from providers.local import MODEL_ID, LocalProvider, request_fingerprint
from providers.media import RenderError, ffmpeg_exe, probe, sha256_file
from providers.types import Aspect, ClipRequest, SceneKind

TEXTS = {
    SceneKind.TEXT: "Simplicity is the ultimate sophistication.",
    SceneKind.STYLIZED: "Imagine a city that breathes",
    SceneKind.DATA: "Apples 40, oranges 25 and pears 10",
    SceneKind.LANDSCAPE: "Where the mountains meet the light",
    SceneKind.ACTION: "Faster than ever",
    SceneKind.PRODUCT: "Meet the Aurora lamp",
    SceneKind.TALKING_HEAD: "Dr. Maya Chen — Lead researcher",
    SceneKind.PEOPLE: "Volunteers rebuilt the park",
}


def tiny(kind: SceneKind = SceneKind.STYLIZED, **changes: object) -> ClipRequest:
    base = ClipRequest(
        prompt="A calm lake at dawn",
        duration=1.0,
        aspect=Aspect.LANDSCAPE,
        width=320,
        height=180,
        kind=kind,
        on_screen_text=TEXTS[kind],
        seed=11,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def frame_hashes(path: Path) -> list[str]:
    with av.open(str(path)) as container:
        return [
            hashlib.sha256(frame.to_ndarray().tobytes()).hexdigest()
            for frame in container.decode(video=0)
        ]


@pytest.fixture
def provider() -> LocalProvider:
    return LocalProvider()


def test_it_is_a_video_provider(provider: LocalProvider) -> None:
    assert isinstance(provider, VideoProvider)
    assert provider.id == "local" and provider.is_configured()


@pytest.mark.parametrize("kind", list(SceneKind))
async def test_every_kind_renders_an_exact_clip(
    provider: LocalProvider, kind: SceneKind, tmp_path: Path
) -> None:
    dest = tmp_path / f"{kind.value}.mp4"
    clip = await provider.generate(tiny(kind), MODEL_ID, dest)
    info = probe(dest)
    assert (info.width, info.height, info.fps) == (320, 180, 30.0)
    assert info.video_codec == "h264" and not info.has_audio
    assert info.duration == pytest.approx(1.0, abs=1 / 30)
    assert len(frame_hashes(dest)) == 30
    assert clip.path == dest and clip.sha256 == sha256_file(dest)
    assert (clip.width, clip.height, clip.fps, clip.duration) == (320, 180, 30.0, 1.0)
    assert (clip.provider_id, clip.model_id, clip.cost_usd) == ("local", MODEL_ID, 0.0)
    assert clip.provider_job_id == f"local-{request_fingerprint(tiny(kind), MODEL_ID)[:24]}"
    assert [p.name for p in tmp_path.iterdir()] == [dest.name]  # no work files left behind


async def test_clip_is_faststart_yuv420p(provider: LocalProvider, tmp_path: Path) -> None:
    dest = tmp_path / "clip.mp4"
    await provider.generate(tiny(), MODEL_ID, dest)
    head = dest.read_bytes()[:4096]
    assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head
    with av.open(str(dest)) as container:
        assert container.streams.video[0].codec_context.pix_fmt == "yuv420p"


@pytest.mark.parametrize(
    ("aspect", "width", "height", "duration", "fps", "frames"),
    [
        (Aspect.PORTRAIT, 180, 320, 0.5, 24, 12),
        (Aspect.FOUR_FIVE, 256, 320, 0.7, 25, 18),
        (Aspect.SQUARE, 240, 240, 1.02, 30, 31),
    ],
)
async def test_size_fps_and_frame_count_follow_the_request(
    provider: LocalProvider,
    tmp_path: Path,
    aspect: Aspect,
    width: int,
    height: int,
    duration: float,
    fps: int,
    frames: int,
) -> None:
    request = tiny(
        SceneKind.TEXT, aspect=aspect, width=width, height=height, duration=duration, fps=fps
    )
    clip = await provider.generate(request, MODEL_ID, tmp_path / "c.mp4")
    info = probe(clip.path)
    assert (info.width, info.height, info.fps) == (width, height, fps)
    assert len(frame_hashes(clip.path)) == frames == round(duration * fps)
    assert clip.duration == pytest.approx(frames / fps)


async def test_animation_moves_on_every_frame(provider: LocalProvider, tmp_path: Path) -> None:
    """Bars grow and labels rise in the first second: no frame may repeat an earlier one."""
    clip = await provider.generate(tiny(SceneKind.DATA, duration=1.2), MODEL_ID, tmp_path / "d.mp4")
    hashes = frame_hashes(clip.path)[15:33]  # 0.5 s .. 1.1 s
    assert len(set(hashes)) == len(hashes)


async def test_same_request_same_pixels(provider: LocalProvider, tmp_path: Path) -> None:
    first = await provider.generate(tiny(SceneKind.PRODUCT), MODEL_ID, tmp_path / "a.mp4")
    second = await provider.generate(tiny(SceneKind.PRODUCT), MODEL_ID, tmp_path / "b.mp4")
    assert frame_hashes(first.path) == frame_hashes(second.path)
    assert first.provider_job_id == second.provider_job_id
    other = await provider.generate(tiny(SceneKind.PRODUCT, seed=12), MODEL_ID, tmp_path / "c.mp4")
    assert other.provider_job_id != first.provider_job_id


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "inputs" / "my photo 100% [final].png"
    path.parent.mkdir()
    source = ["-f", "lavfi", "-i", "testsrc2=s=400x300:d=1"]
    subprocess.run([ffmpeg_exe(), "-v", "error", *source, "-frames:v", "1", str(path)], check=True)
    return path


@pytest.mark.parametrize("kind", [SceneKind.LANDSCAPE, SceneKind.DATA])
async def test_ken_burns_over_a_reference_image(
    provider: LocalProvider, photo: Path, tmp_path: Path, kind: SceneKind
) -> None:
    dest = tmp_path / "kb.mp4"
    clip = await provider.generate(tiny(kind, reference_image=photo), MODEL_ID, dest)
    info = probe(dest)
    assert (info.width, info.height) == (320, 180)
    hashes = frame_hashes(clip.path)
    assert len(hashes) == 30 and len(set(hashes)) > 20  # the camera keeps moving
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs", "kb.mp4"]


HOSTILE = (
    "It's 100% \"real\": C:\\path\\to [x], y; z %{pts} \\' emoji 😀🚀 ‮rtl‬ tab\there\n"
    + "lorem ipsum dolor sit amet " * 75
)[:2000]


@pytest.mark.parametrize("kind", list(SceneKind))
async def test_hostile_text_renders(
    provider: LocalProvider, tmp_path: Path, kind: SceneKind
) -> None:
    assert len(HOSTILE) == 2000
    clip = await provider.generate(tiny(kind, on_screen_text=HOSTILE), MODEL_ID, tmp_path / "h.mp4")
    assert probe(clip.path).duration == pytest.approx(1.0, abs=1 / 30)


@pytest.mark.parametrize("kind", list(SceneKind))
async def test_no_words_at_all_still_renders(
    provider: LocalProvider, tmp_path: Path, kind: SceneKind
) -> None:
    request = tiny(kind, on_screen_text="🚀✨", prompt="", duration=0.3)
    clip = await provider.generate(request, MODEL_ID, tmp_path / "e.mp4")
    assert len(frame_hashes(clip.path)) == 9


async def test_the_registry_builds_it() -> None:
    from providers.registry import default_registry

    assert isinstance(default_registry(plugins=False).get("local"), LocalProvider)


async def test_progress_is_reported(provider: LocalProvider, tmp_path: Path) -> None:
    seen: list[tuple[float, str]] = []

    async def report(fraction: float, status: str) -> None:
        seen.append((fraction, status))

    await provider.generate(tiny(), MODEL_ID, tmp_path / "p.mp4", report)
    await provider.generate(tiny(), MODEL_ID, tmp_path / "q.mp4", lambda f, s: seen.append((f, s)))
    assert [fraction for fraction, _ in seen] == [0.0, 1.0, 0.0, 1.0]


async def test_unknown_model_is_refused(provider: LocalProvider, tmp_path: Path) -> None:
    with pytest.raises(CapabilityNotSupported, match="local-motion-1") as err:
        await provider.generate(tiny(), "local-motion-2", tmp_path / "x.mp4")
    assert err.value.provider_id == "local"
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    "changes",
    [
        {"duration": 0.0},
        {"duration": -2.0},
        {"width": 321},
        {"height": 0},
        {"reference_image": Path("/no/such/image.png")},
    ],
)
async def test_bad_input_is_refused_before_rendering(
    provider: LocalProvider, tmp_path: Path, changes: dict[str, object]
) -> None:
    dest = tmp_path / "out" / "x.mp4"
    with pytest.raises(CapabilityNotSupported):
        await provider.generate(tiny(SceneKind.STYLIZED, **changes), MODEL_ID, dest)
    assert not dest.parent.exists()


async def test_a_failed_render_leaves_nothing_behind(
    provider: LocalProvider, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"this is not an image")
    dest = tmp_path / "out" / "clip.mp4"
    dest.parent.mkdir()
    dest.write_bytes(b"previous clip")
    with pytest.raises(GenerationFailed) as err:
        await provider.generate(tiny(reference_image=broken), MODEL_ID, dest)
    assert isinstance(err.value.__cause__, RenderError)
    assert dest.read_bytes() == b"previous clip"  # untouched, not half-written
    assert [p.name for p in dest.parent.iterdir()] == ["clip.mp4"]
