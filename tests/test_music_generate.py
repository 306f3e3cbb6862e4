"""generate_music end to end: real files, real bytes, real levels."""

from __future__ import annotations

import hashlib
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from providers.music import MUSIC_LICENCE, Mood, MusicTrack, generate_music


def read_wav(path: Path) -> tuple[wave._wave_params, npt.NDArray[np.float64]]:
    with wave.open(str(path)) as wav:
        params = wav.getparams()
        data = np.frombuffer(wav.readframes(params.nframes), dtype="<i2")
    return params, data.reshape(-1, params.nchannels) / 32768.0


def test_moods_are_a_closed_lowercase_vocabulary() -> None:
    assert [m.value for m in Mood] == ["calm", "upbeat", "cinematic", "corporate"]


async def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    first = await generate_music(Mood.UPBEAT, 4.0, 42, tmp_path / "a.wav")
    again = await generate_music(Mood.UPBEAT, 4.0, 42, tmp_path / "b.wav")
    other = await generate_music(Mood.UPBEAT, 4.0, 43, tmp_path / "c.wav")
    assert first.sha256 == again.sha256 == hashlib.sha256(first.path.read_bytes()).hexdigest()
    assert other.sha256 != first.sha256


@pytest.mark.parametrize(("duration", "rate"), [(1.2345, 48000), (3.0, 44100), (2.00001, 22050)])
async def test_duration_is_exact_to_one_frame(duration: float, rate: int, tmp_path: Path) -> None:
    track = await generate_music(Mood.CALM, duration, 1, tmp_path / "m.wav", sample_rate=rate)
    params, _ = read_wav(track.path)
    assert (params.nchannels, params.sampwidth, params.framerate) == (2, 2, rate)
    assert abs(params.nframes - duration * rate) <= 1
    assert abs(track.duration - duration) <= 1 / rate


@pytest.mark.parametrize("mood", list(Mood))
async def test_every_mood_is_stereo_faded_and_peaks_near_minus_6_dbfs(
    mood: Mood, tmp_path: Path
) -> None:
    track = await generate_music(mood, 10.0, 7, tmp_path / f"{mood}.wav")
    _, audio = read_wav(track.path)
    peak_db = 20 * np.log10(np.abs(audio).max())
    assert -9.0 < peak_db <= -5.9
    left, right = audio[:, 0], audio[:, 1]
    assert np.corrcoef(left, right)[0, 1] < 0.98  # a real stereo image, not dual mono
    edge = 480  # 10 ms: the fades start and end in silence
    assert np.abs(audio[:edge]).max() < 0.01
    assert np.abs(audio[-edge:]).max() < 0.01
    rms_db = 20 * np.log10(np.sqrt((audio[48000:-48000] ** 2).mean()))
    assert -26.0 < rms_db < -14.0  # present, not buried; not squashed either


async def test_track_records_provenance(tmp_path: Path) -> None:
    track = await generate_music(Mood("cinematic"), 2.0, 5, tmp_path / "sub" / "m.wav")
    assert isinstance(track, MusicTrack)
    assert (track.mood, track.seed, track.licence) == (Mood.CINEMATIC, 5, MUSIC_LICENCE)
    assert track.licence.startswith("CC0-1.0")
    assert [p.name for p in track.path.parent.iterdir()] == ["m.wav"]  # no temp files left


@pytest.mark.parametrize(
    ("mood", "duration", "rate"),
    [
        ("jazzy", 5.0, 48000),
        (Mood.CALM, 0.0, 48000),
        (Mood.CALM, -1.0, 48000),
        (Mood.CALM, 5.0, 1000),
    ],
)
async def test_bad_arguments_are_rejected(
    mood: Mood, duration: float, rate: int, tmp_path: Path
) -> None:
    with pytest.raises(ValueError):
        await generate_music(mood, duration, 1, tmp_path / "m.wav", sample_rate=rate)
    assert not (tmp_path / "m.wav").exists()
