"""Atomic 16-bit PCM WAV writing, shared by narration and music.

A reader (the compositor, a cache lookup, a crashed re-run) must never see a half-written file,
so audio goes to a temporary sibling and is renamed over `dest` only when complete.
"""

from __future__ import annotations

import contextlib
import os
import uuid
import wave
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_wav_writer(dest: Path, *, channels: int, sample_rate: int) -> Iterator[wave.Wave_write]:
    """Yield a 16-bit `wave` writer whose file replaces `dest` only if the block succeeds."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Same folder as dest, so the final rename stays on one filesystem and is atomic.
    tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
    try:
        with wave.open(str(tmp), "wb") as wav:
            wav.setnchannels(channels)
            wav.setsampwidth(2)
            wav.setframerate(sample_rate)
            yield wav
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
