"""Procedural background music, royalty-free by construction (no samples, no recordings).

track = await generate_music(Mood.CALM, duration=95.0, seed=7, dest=Path("music.wav"))
manifest["music"] = {"source": track.source, "licence": track.licence, "sha256": track.sha256}
"""

from __future__ import annotations

from providers.music.generate import generate_music
from providers.music.model import MUSIC_LICENCE, MUSIC_SOURCE, Mood, MusicTrack

__all__ = ["MUSIC_LICENCE", "MUSIC_SOURCE", "Mood", "MusicTrack", "generate_music"]
