"""The draft's soundtrack: the final's mix, measured in the pass that writes it, and one encode
at the loudness target with ffmpeg's fast AAC coder."""

from __future__ import annotations

from pathlib import Path

from app.render import audio
from app.render.compose import MUSIC_GAIN_DB
from app.render.draft_audio import (
    draft_encode_argv,
    level_measure_argv,
    mix_measure_argv,
    render_draft_soundtrack,
)
from providers.media import probe, run_ffmpeg
from providers.music import Mood, generate_music
from providers.voice import get_voice


def test_the_mix_is_the_finals_and_is_measured_in_the_same_run() -> None:
    argv = mix_measure_argv(Path("v.wav"), Path("m.wav"), 12.5, Path("mix.wav"), -13.0)
    graph = argv[argv.index("-filter_complex") + 1]
    assert graph.startswith(audio.mix_graph(12.5, -13.0) + ";[mix]asplit=2[keep][meter]")
    assert argv[-10:] == [
        "-map", "[keep]", "-c:a", "pcm_f32le", "mix.wav", "-map", "[measured]", "-f", "null", "-",
    ]  # fmt: skip
    trial = level_measure_argv(Path("mix.wav"), 3.25)
    assert trial[trial.index("-af") + 1] == f"{audio.level_chain(3.25)},ebur128=framelog=quiet"
    assert trial[-3:] == ["-f", "null", "-"]
    encode = draft_encode_argv(Path("mix.wav"), Path("a.m4a"), 3.25, "192k")
    assert f"{audio.level_chain(3.25)},aresample=48000" in encode
    assert encode[encode.index("-aac_coder") + 1] == "fast" and "192k" in encode


async def test_the_draft_soundtrack_is_narration_over_music_at_the_target(tmp_path: Path) -> None:
    voice = get_voice("espeak")
    lines = ["A quiet harbour at dawn.", "Boats slip out past the breakwater.", "Gulls follow."]
    placements = []
    for i, line in enumerate(lines):
        said = await voice.synthesize(line, tmp_path / f"n{i}.wav")
        placements.append(audio.VoicePlacement(said.path, 0.35 + 4.0 * i))
    total = 12.0
    music = await generate_music(Mood.CORPORATE, total + 1.0, 7, tmp_path / "music.wav")
    work = tmp_path / "work"
    work.mkdir()
    encoded = await render_draft_soundtrack(
        placements, music.path, total, work, "192k", MUSIC_GAIN_DB
    )
    assert encoded == work / "audio.m4a" and sorted(p.name for p in work.iterdir()) == ["audio.m4a"]
    info = probe(encoded)
    assert info.audio_codec == "aac" and info.sample_rate == 48000 and not info.has_video
    assert abs(info.duration - total) < 0.1
    loudness = audio.parse_ebur128(await run_ffmpeg(audio.ebur128_argv(encoded)))
    assert abs(loudness.integrated - audio.TARGET_LUFS) <= audio.LUFS_TOLERANCE, loudness
