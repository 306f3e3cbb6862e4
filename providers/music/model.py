"""The music vocabulary: moods a render can ask for and the track it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

MUSIC_SOURCE = "reelroute procedural music generator v1"
MUSIC_LICENCE = (
    "CC0-1.0: generated procedurally by reelroute from its mood, duration and seed; "
    "no samples, loops or recordings are used"
)


class Mood(StrEnum):
    CALM = "calm"  # slow major-seventh pads, soft bass, sparse bell melody; no drums
    UPBEAT = "upbeat"  # brisk pop progression, plucked 8th/16th arpeggio, soft kick and hats
    CINEMATIC = "cinematic"  # slow minor chords, long swells, low booms at phrase starts
    CORPORATE = "corporate"  # mid-tempo, bright plucked arpeggio, steady light groove


@dataclass(frozen=True)
class MusicTrack:
    """A stereo 16-bit WAV at `path`, exactly `duration` seconds (to one frame) long."""

    path: Path
    duration: float
    mood: Mood
    seed: int
    source: str
    licence: str
    sha256: str
