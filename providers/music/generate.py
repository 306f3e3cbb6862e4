"""`generate_music`: a procedural, royalty-free background track written as a WAV file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np

from providers.media import sha256_file
from providers.music.model import MUSIC_LICENCE, MUSIC_SOURCE, Mood, MusicTrack
from providers.music.render import Mixdown
from providers.music.score import plan
from providers.voice.wavio import atomic_wav_writer

MAX_DURATION = 3 * 3600.0  # seconds; a sanity bound, not a memory one
SAMPLE_RATES = range(8000, 192001)


async def generate_music(
    mood: Mood, duration: float, seed: int, dest: Path, sample_rate: int = 48000
) -> MusicTrack:
    """Compose and write a stereo 16-bit WAV of exactly round(duration * sample_rate) frames.

    The same (mood, duration, seed, sample_rate) always gives the same bytes on the same
    platform and numpy build. It fades in over 2 s and out over 3 s and peaks near -6 dBFS.
    The CPU work runs in a worker thread, bar by bar, so memory stays flat for any length.
    """
    mood = Mood(mood)
    if not 0 < duration <= MAX_DURATION:
        raise ValueError(f"duration must be in (0, {MAX_DURATION:g}] seconds, got {duration}")
    if sample_rate not in SAMPLE_RATES:
        raise ValueError(f"sample_rate must be 8000..192000 Hz, got {sample_rate}")
    frames = round(duration * sample_rate)
    if frames < 1:
        raise ValueError(f"duration {duration} s is shorter than one frame")
    digest = await asyncio.to_thread(_write, mood, seed, frames, sample_rate, dest)
    return MusicTrack(
        path=dest,
        duration=frames / sample_rate,
        mood=mood,
        seed=seed,
        source=MUSIC_SOURCE,
        licence=MUSIC_LICENCE,
        sha256=digest,
    )


def _write(mood: Mood, seed: int, frames: int, sample_rate: int, dest: Path) -> str:
    mix = Mixdown(plan(mood, seed), sample_rate, frames)
    with atomic_wav_writer(dest, channels=2, sample_rate=sample_rate) as wav:
        wav.setnframes(frames)  # header right the first time: no seek back at close
        for block in mix.blocks():
            pcm = np.round(np.clip(block, -1.0, 1.0) * 32767.0).astype("<i2")
            wav.writeframes(pcm.tobytes())
    return sha256_file(dest)
