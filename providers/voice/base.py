"""The narration contract every voice engine meets, and the small helpers they share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from providers.voice.wavio import atomic_wav_writer

# Engines hand back float audio in [-1, 1]; narration is stored a little under full scale so
# the int16 conversion can never wrap and a later resampler has a hair of headroom.
NARRATION_PEAK = 0.89  # about -1 dBFS


@dataclass(frozen=True)
class WordTiming:
    """One spoken word: `word` as written in the script, `start`/`end` in seconds."""

    word: str
    start: float
    end: float


@dataclass(frozen=True)
class Narration:
    """A mono 16-bit PCM WAV at `path`. `words` may be empty when an engine cannot time words."""

    path: Path
    duration: float
    sample_rate: int
    words: tuple[WordTiming, ...]


@dataclass(frozen=True)
class VoiceInfo:
    """What the render manifest records about the voice that spoke a narration."""

    engine: str
    voice: str
    model_sha256: str
    licence: str
    source: str


@runtime_checkable
class VoiceEngine(Protocol):
    """Turns script text into a narration file. Implementations keep the event loop free."""

    @property
    def info(self) -> VoiceInfo: ...

    async def synthesize(self, text: str, dest: Path) -> Narration:
        """Write a mono 16-bit PCM WAV at `dest` (atomically). Empty text -> ValueError."""
        ...


def require_text(text: str) -> str:
    """Return `text` stripped; reject narration that is empty or has no word to speak."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("narration text is empty")
    if not any(ch.isalnum() for ch in stripped):
        raise ValueError(f"narration text has no words to speak: {stripped[:40]!r}")
    return stripped


def to_pcm16(samples: npt.NDArray[np.floating]) -> npt.NDArray[np.int16]:
    """Clip float audio in [-1, 1] to signed 16-bit PCM."""
    scaled = np.clip(samples, -1.0, 1.0) * 32767.0
    pcm: npt.NDArray[np.int16] = np.round(scaled).astype(np.int16)
    return pcm


def write_mono_wav(dest: Path, pcm: npt.NDArray[np.int16], sample_rate: int) -> float:
    """Atomically write mono 16-bit PCM; return its duration in seconds."""
    with atomic_wav_writer(dest, channels=1, sample_rate=sample_rate) as wav:
        wav.writeframes(pcm.tobytes())
    return len(pcm) / sample_rate
