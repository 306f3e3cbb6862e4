"""eSpeak NG narration: robotic but tiny, instant, and with real word timings.

The fallback when the neural voice cannot load, and the fast voice for previews and tests.
"""

from __future__ import annotations

import asyncio
import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

import numpy as np

from providers.media import sha256_file
from providers.voice.base import (
    NARRATION_PEAK,
    Narration,
    VoiceInfo,
    require_text,
    to_pcm16,
    write_mono_wav,
)
from providers.voice.espeak_lib import get_library
from providers.voice.timing import VoicedEnvelope, close_words, starts_from_events, text_words

ESPEAK_LICENCE = "GPL-3.0-or-later (eSpeak NG engine and voice data)"
# The files that decide how an English voice sounds: engine, phoneme tables, dictionary.
_VOICE_FILES = (
    "phondata",
    "phonindex",
    "phontab",
    "intonations",
    "en_dict",
    "lang/gmw/en-US",
)


class EspeakEngine:
    """A `VoiceEngine` over libespeak-ng. All instances share the one process-wide library."""

    def __init__(self, voice: str = "en-us", rate_wpm: int = 165) -> None:
        self._voice = voice
        self._rate = rate_wpm

    @property
    def info(self) -> VoiceInfo:
        lib = get_library()
        return VoiceInfo(
            engine="espeak-ng",
            voice=self._voice,
            model_sha256=_voice_data_sha256(),
            licence=ESPEAK_LICENCE,
            source=f"eSpeak NG {lib.version} from PyPI espeakng-loader {_wheel_version()}",
        )

    async def synthesize(self, text: str, dest: Path) -> Narration:
        """Speak `text` into a mono WAV at `dest`; words are timed from eSpeak's word events."""
        text = require_text(text)
        return await asyncio.to_thread(self._synthesize, text, dest)

    def _synthesize(self, text: str, dest: Path) -> Narration:
        spoken = get_library().speak(text, self._voice, self._rate)
        audio = spoken.samples.astype(np.float32) / 32768.0
        peak = float(np.abs(audio).max()) if len(audio) else 0.0
        if peak > 0:
            audio *= NARRATION_PEAK / peak
        env = VoicedEnvelope(audio, spoken.sample_rate)
        words = text_words(text)
        sound = (env.first_voiced(0.0, env.duration) or 0.0, env.duration)
        starts = starts_from_events(words, spoken.word_events, sound)
        timings = close_words([w.text for w in words], starts, env, env.duration)
        duration = write_mono_wav(dest, to_pcm16(audio), spoken.sample_rate)
        return Narration(dest, duration, spoken.sample_rate, tuple(timings))


@cache
def _voice_data_sha256() -> str:
    """One digest over the engine library and the English voice data it reads."""
    import espeakng_loader

    data = Path(espeakng_loader.get_data_path())
    files = [Path(espeakng_loader.get_library_path())] + [data / name for name in _VOICE_FILES]
    digest = hashlib.sha256()
    for path in files:
        if path.exists():
            digest.update(f"{path.name}\0{sha256_file(path)}\n".encode())
    return digest.hexdigest()


def _wheel_version() -> str:
    try:
        return metadata.version("espeakng-loader")
    except metadata.PackageNotFoundError:
        return "unknown"
