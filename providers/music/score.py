"""The composition: which notes sound in each bar, decided by (mood, seed, bar) alone.

Every bar draws its random choices from its own generator seeded with (seed, mood, bar),
so any bar can be composed without composing the ones before it: that is what lets the
renderer stream a long track bar by bar, and what makes a track byte-identical on re-run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from providers.music.model import Mood
from providers.music.styles import MAJOR, STYLES, Part, Style

_MOOD_INDEX = {mood: i for i, mood in enumerate(Mood)}
_SEED_SPACE = 1 << 64  # numpy seeds are non-negative; any int seed maps into this range
_MAJOR_PENTATONIC = (0, 2, 4, 7, 9)
_MINOR_PENTATONIC = (0, 3, 5, 7, 10)
# Registers (MIDI note windows, [low, low + 12)) that keep parts out of each other's way.
PAD_LOW, ARP_LOW, BASS_LOW, BOOM_LOW = 55, 64, 36, 31
BELL_RANGE = (72, 86)


@dataclass(frozen=True)
class Note:
    """One event: `pitches` sound together from `at` for `length` seconds (plus release)."""

    part: Part
    at: float  # seconds after the bar starts
    length: float
    pitches: tuple[int, ...]  # MIDI note numbers
    velocity: float = 1.0
    pan: float = 0.0  # -1 left .. 1 right


@dataclass(frozen=True)
class Arrangement:
    mood: Mood
    seed: int
    bpm: float
    tonic: int  # pitch class 0..11

    @property
    def style(self) -> Style:
        return STYLES[self.mood]

    @property
    def beat(self) -> float:
        return 60.0 / self.bpm

    @property
    def bar(self) -> float:
        return 4 * self.beat

    @cached_property
    def _cycle(self) -> int:
        return sum(bars for bars, _ in self.style.form)

    def rng(self, *key: int) -> np.random.Generator:
        """A generator for one decision, independent of every other decision's draws."""
        return np.random.default_rng([self.seed % _SEED_SPACE, _MOOD_INDEX[self.mood], *key])

    def section(self, bar: int) -> tuple[int, frozenset[Part], int]:
        """(section number, parts playing, bar within the section) for `bar`."""
        cycles, offset = divmod(bar, self._cycle)
        number = cycles * len(self.style.form)
        for bars, parts in self.style.form:
            if offset < bars:
                return number, parts, offset
            offset -= bars
            number += 1
        raise AssertionError("unreachable: offset is within one cycle")

    def chord(self, bar: int) -> tuple[tuple[int, ...], bool]:
        """Pitch classes of the chord at `bar` (root first) and whether it starts there."""
        number, _, within = self.section(bar)
        progressions = self.style.progressions
        progression = progressions[int(self.rng(1, number).integers(len(progressions)))]
        step, offset = divmod(within, self.style.bars_per_chord)
        degree = progression[step % len(progression)]
        return self.chord_tones(degree), offset == 0

    def chord_tones(self, degree: int) -> tuple[int, ...]:
        scale = self.style.scale
        steps = [degree + 2 * k for k in range(self.style.chord_size)]
        return tuple((self.tonic + scale[s % 7]) % 12 for s in steps)

    def pentatonic(self) -> tuple[int, ...]:
        shape = _MAJOR_PENTATONIC if self.style.scale == MAJOR else _MINOR_PENTATONIC
        return tuple((self.tonic + p) % 12 for p in shape)


def plan(mood: Mood, seed: int) -> Arrangement:
    """Pick tempo and key for (mood, seed)."""
    style = STYLES[mood]
    rng = np.random.default_rng([seed % _SEED_SPACE, _MOOD_INDEX[mood], 0])
    bpm = float(rng.integers(style.tempo[0], style.tempo[1] + 1))
    tonic = style.tonics[int(rng.integers(len(style.tonics)))]
    return Arrangement(mood=mood, seed=seed, bpm=bpm, tonic=tonic)


def place(pitch_class: int, low: int) -> int:
    """The MIDI note of `pitch_class` in the octave window [low, low + 12)."""
    return low + (pitch_class - low) % 12


def bar_notes(arr: Arrangement, bar: int) -> list[Note]:
    """Every note that starts in `bar`."""
    _, parts, _ = arr.section(bar)
    chord, starts = arr.chord(bar)
    rng = arr.rng(2, bar)
    notes: list[Note] = []
    if starts:
        notes += _chord_parts(arr, parts, chord)
    if Part.ARP in parts:
        notes += _arpeggio(arr, bar, chord, rng)
    if Part.BELL in parts:
        notes += _melody(arr, chord, rng)
    notes += _drums(arr, parts, rng)
    return notes


def _chord_parts(arr: Arrangement, parts: frozenset[Part], chord: tuple[int, ...]) -> list[Note]:
    """Pad, swell, bass and boom: the parts that follow chord changes."""
    style, hold = arr.style, arr.bar * arr.style.bars_per_chord
    # Closed triad in the pad register; a seventh goes an octave up so it never rubs the root.
    triad = sorted(place(p, PAD_LOW) for p in chord[:3])
    voicing = tuple(triad + [place(p, PAD_LOW + 12) for p in chord[3:]])
    root_bass = place(chord[0], BASS_LOW)
    notes: list[Note] = []
    if Part.PAD in parts:
        notes.append(Note(Part.PAD, 0.0, hold, voicing))
    if Part.SWELL in parts:
        notes.append(Note(Part.SWELL, 0.0, hold, tuple(p - 12 for p in triad)))
    if Part.BASS in parts:
        for beat, beats, interval in style.bass:
            notes.append(
                Note(Part.BASS, beat * arr.beat, beats * arr.beat, (root_bass + interval,))
            )
    if Part.BOOM in parts:
        notes.append(Note(Part.BOOM, 0.0, arr.bar, (place(chord[0], BOOM_LOW),)))
    return notes


def _arpeggio(
    arr: Arrangement, bar: int, chord: tuple[int, ...], rng: np.random.Generator
) -> list[Note]:
    """A plucked pattern through the chord, one shape per section (up, up-down, broken)."""
    tones = sorted(place(p, ARP_LOW) for p in chord)
    tones.append(tones[0] + 12)
    number, _, _ = arr.section(bar)
    shape = int(arr.rng(3, number).integers(3))
    up_down = tones + tones[-2:0:-1]
    broken = [t for pair in zip(tones[::2], tones[1::2], strict=False) for t in pair] or tones
    order = (tones, up_down, broken)[shape]
    step = arr.style.arp_step
    notes = []
    for i in range(round(4 / step)):
        on_beat = (i * step) % 1.0 == 0.0
        velocity = (1.0 if on_beat else 0.72) * float(rng.uniform(0.9, 1.05))
        pan = 0.25 if i % 2 else -0.25
        notes.append(
            Note(
                Part.ARP,
                i * step * arr.beat,
                step * arr.beat,
                (order[i % len(order)],),
                velocity,
                pan,
            )
        )
    return notes


def _melody(arr: Arrangement, chord: tuple[int, ...], rng: np.random.Generator) -> list[Note]:
    """A few bell notes on eighth-note slots, leaning on chord tones, moving by small steps."""
    low, high = BELL_RANGE
    chord_set, scale = set(chord), set(arr.pentatonic()) | set(chord)
    pool = [m for m in range(low, high) if m % 12 in scale]
    weights = np.array([3.0 if m % 12 in chord_set else 1.0 for m in pool])
    count = int(rng.integers(arr.style.bell_notes[0], arr.style.bell_notes[1] + 1))
    slots = sorted(int(s) for s in rng.choice(8, size=count, replace=False))
    notes, previous = [], None
    for slot in slots:
        near = weights * (1.0 if previous is None else (np.abs(np.array(pool) - previous) <= 5))
        pitch = pool[int(rng.choice(len(pool), p=near / near.sum()))]
        previous = pitch
        velocity = float(rng.uniform(0.7, 1.0))
        pan = float(rng.uniform(-0.35, 0.35))
        notes.append(
            Note(Part.BELL, slot * 0.5 * arr.beat, 1.5 * arr.beat, (pitch,), velocity, pan)
        )
    return notes


def _drums(arr: Arrangement, parts: frozenset[Part], rng: np.random.Generator) -> list[Note]:
    notes: list[Note] = []
    if Part.KICK in parts:
        notes += [Note(Part.KICK, b * arr.beat, 0.4, (0,)) for b in arr.style.kick]
    if Part.HAT in parts:
        for beat, velocity in arr.style.hat:
            jitter = float(rng.uniform(0.85, 1.0))
            notes.append(Note(Part.HAT, beat * arr.beat, 0.08, (0,), velocity * jitter, 0.3))
    return notes
