"""The eSpeak NG engine through the real libespeak-ng: audio, word timings, thread safety."""

from __future__ import annotations

import asyncio
import ctypes
import itertools
import wave
from pathlib import Path

import pytest

from providers.voice import EspeakEngine, Narration, get_voice
from providers.voice.espeak_lib import EspeakEvent, get_library

PANGRAM = "The quick brown fox jumps over the lazy dog."


@pytest.fixture(scope="module")
def espeak() -> EspeakEngine:
    engine = get_voice("espeak")
    assert isinstance(engine, EspeakEngine)
    return engine


def assert_well_timed(narration: Narration, expected_words: list[str]) -> None:
    words = narration.words
    assert [w.word for w in words] == expected_words
    for word in words:
        assert 0.0 <= word.start < word.end <= narration.duration + 1e-3
    for word, following in itertools.pairwise(words):
        assert word.end <= following.start
    # Timings cover the speech: the first word starts near the beginning, the last ends
    # near the end.
    assert words[0].start < 0.3
    assert words[-1].end > narration.duration - 0.3


def test_event_struct_matches_speak_lib_h() -> None:
    # 6 ints, a pointer, and a union of int / char* / char[8] on LP64.
    assert EspeakEvent.text_position.offset == 8
    assert EspeakEvent.audio_position.offset == 16
    assert EspeakEvent.user_data.offset == 24
    assert EspeakEvent.id.offset == 32
    assert ctypes.sizeof(EspeakEvent) == 40
    assert get_library().sample_rate == 22050


async def test_speaks_with_real_word_timings(espeak: EspeakEngine, tmp_path: Path) -> None:
    narration = await espeak.synthesize(PANGRAM, tmp_path / "pangram.wav")
    with wave.open(str(narration.path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert wav.getnframes() / 22050 == pytest.approx(narration.duration)
    assert narration.duration > 1.0
    assert_well_timed(narration, PANGRAM.split())


async def test_times_every_written_word_of_awkward_text(
    espeak: EspeakEngine, tmp_path: Path
) -> None:
    # "déjà vu" is one dictionary entry, "$42.50" is read as several words, and the dash is
    # not a word at all.
    text = "Café déjà vu, naïve résumé. It costs $42.50 — really!"
    narration = await espeak.synthesize(text, tmp_path / "awkward.wav")
    expected = ["Café", "déjà", "vu,", "naïve", "résumé.", "It", "costs", "$42.50", "really!"]
    assert_well_timed(narration, expected)


async def test_concurrent_syntheses_keep_their_own_audio_and_words(
    espeak: EspeakEngine, tmp_path: Path
) -> None:
    texts = ["One small step.", PANGRAM, "Numbers like 1984 take longer to say."]
    narrations = await asyncio.gather(
        *(espeak.synthesize(t, tmp_path / f"{i}.wav") for i, t in enumerate(texts))
    )
    for text, narration in zip(texts, narrations, strict=True):
        assert_well_timed(narration, text.split())
    assert narrations[0].duration < narrations[1].duration


@pytest.mark.parametrize("text", ["", " \n ", " ... — !"])
async def test_text_without_words_is_rejected(
    espeak: EspeakEngine, text: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"empty|no words"):
        await espeak.synthesize(text, tmp_path / "x.wav")


def test_info(espeak: EspeakEngine) -> None:
    info = espeak.info
    assert info.engine == "espeak-ng"
    assert info.voice == "en-us"
    assert len(info.model_sha256) == 64
    assert "GPL-3.0" in info.licence
    assert "1.52" in info.source and "espeakng-loader" in info.source
