"""The narrator's pace is measured with the real engine, once, and cached per voice."""

from __future__ import annotations

from pathlib import Path

from app.pipeline.speaking_rate import CACHE_FILE, measured_rate
from providers.voice import get_voice


async def test_espeak_is_timed_once_and_the_rate_is_cached(tmp_path: Path) -> None:
    voice = get_voice("espeak")
    rate = await measured_rate(voice, tmp_path)
    assert 150 < rate < 260  # espeak runs at 165 wpm; digits count as two spoken words
    cache = tmp_path / CACHE_FILE
    stamp = cache.stat().st_mtime_ns
    assert await measured_rate(voice, tmp_path) == rate
    assert cache.stat().st_mtime_ns == stamp, "the second call reads the cache"
    cache.write_text("{not json")
    assert abs(await measured_rate(voice, tmp_path) - rate) < 1, "a damaged cache is re-measured"
