"""The composer and the streaming mixdown: bounded memory, bar independence, levelling."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from providers.music import Mood
from providers.music.render import Mixdown, level
from providers.music.score import bar_notes, plan


def _stream(rate: int, seconds: int) -> tuple[list[int], int, int]:
    """Block sizes, the largest allowed block, and the peak traced memory of a mixdown."""
    tracemalloc.start()
    try:
        mix = Mixdown(plan(Mood.CALM, 3), rate, rate * seconds)
        sizes = [len(block) for block in mix.blocks()]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return sizes, mix.max_block, peak


def test_ten_minutes_stream_in_bounded_blocks_and_bounded_memory() -> None:
    # 8 kHz keeps this quick; the structure (one bar per block) is the same at any rate.
    rate = 8000
    sizes, max_block, peak = _stream(rate, 600)
    _, _, peak_one_minute = _stream(rate, 60)
    assert sum(sizes) == rate * 600
    assert max(sizes) <= max_block < rate * 4  # one bar of a slow tempo, never the song
    whole_song_bytes = rate * 600 * 2 * 4  # float32 stereo
    assert peak < whole_song_bytes / 4
    # Ten times the music needs no more memory than one minute of it.
    assert peak < 1.25 * peak_one_minute + 256 * 1024


def test_bars_are_composed_independently_and_deterministically() -> None:
    arr = plan(Mood.UPBEAT, 11)
    in_order = [bar_notes(arr, b) for b in range(40)]
    assert bar_notes(plan(Mood.UPBEAT, 11), 37) == in_order[37]
    for notes in in_order:
        assert all(0.0 <= n.at < arr.bar for n in notes)
    assert bar_notes(plan(Mood.UPBEAT, 12), 37) != in_order[37]
    assert bar_notes(plan(Mood.UPBEAT, -5), 3)  # any int is a seed


@pytest.mark.parametrize("mood", list(Mood))
def test_each_mood_has_its_character(mood: Mood) -> None:
    arr = plan(mood, 1)
    low, high = arr.style.tempo
    assert low <= arr.bpm <= high
    parts = {n.part.value for b in range(48) for n in bar_notes(arr, b)}
    assert "pad" in parts and "bass" in parts
    has_drums = "kick" in parts
    assert has_drums == (mood in {Mood.UPBEAT, Mood.CORPORATE})


def test_levelling_never_exceeds_target_and_leaves_quiet_blocks_alone() -> None:
    t = np.linspace(0, 1, 1000, dtype=np.float32)
    quiet = (0.3 * np.sin(40 * t))[:, None].repeat(2, axis=1).astype(np.float32)
    loud = quiet * np.float32(3.0)
    out = list(level(iter([quiet, loud, quiet]), target=0.5, ramp=100))
    assert max(float(np.abs(b).max()) for b in out) <= 0.5 + 1e-6
    np.testing.assert_array_equal(out[0][:800], quiet[:800])  # untouched until the glide
    assert float(np.abs(out[1]).max()) == pytest.approx(0.5, rel=1e-3)


@pytest.mark.parametrize("mood", list(Mood))
def test_the_mix_buffer_holds_every_note_whole(mood: Mood) -> None:
    rate = 8000
    arr = plan(mood, 5)
    mix = Mixdown(arr, rate, rate * 5)
    capacity = mix.max_block + mix.instruments.max_frames(arr.bar)
    for bar in range(48):
        for note in bar_notes(arr, bar):
            end = round(note.at * rate) + len(mix.instruments.render(note))
            assert end <= capacity
