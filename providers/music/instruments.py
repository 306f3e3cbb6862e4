"""Instrument voices: each turns one `Note` into float32 audio.

Everything is band-limited by construction: tones are sums of harmonics kept under the
Nyquist frequency (directly, or through single-cycle wavetables built from them), so there
is no aliasing to filter away. "Filter" movement comes from giving upper harmonics their
own envelope: they open with the attack and close first on the release, which is what makes
a pad sound soft rather than buzzy and a pluck sound plucked rather than beeped.

Renders are deterministic and cached per track: a four-chord progression repeats, so each
chord, pluck and drum hit is synthesised once and mixed many times.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from providers.music.score import Note
from providers.music.styles import Part, Style

Audio = npt.NDArray[np.float32]
_TABLE_SIZE = 4096
_NOISE_SEED = 0x4E015E  # fixed: hats and booms are the same "samples" in every track
_PAD_VOICES = ((-7.0, -0.8), (0.0, 0.0), (7.0, 0.8))  # (detune in cents, pan)
_CACHE_LIMIT = 256  # renders kept per track; bounds memory on long tracks


def midi_hz(pitch: float) -> float:
    return float(440.0 * 2.0 ** ((pitch - 69.0) / 12.0))


def pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power pan: the same loudness anywhere between the speakers."""
    angle = (pan + 1.0) * np.pi / 4.0
    return float(np.cos(angle)), float(np.sin(angle))


def envelope(hold: int, attack: int, release: int) -> Audio:
    """Raised-cosine attack, sustain for `hold` frames, raised-cosine release after it."""
    n = hold + release
    frames = np.arange(n, dtype=np.float32)
    rise = np.minimum(frames / max(attack, 1), 1.0)
    fall = np.clip((frames - hold) / max(release, 1), 0.0, 1.0)
    curve = (0.5 - 0.5 * np.cos(np.pi * rise)) * (0.5 + 0.5 * np.cos(np.pi * fall))
    return curve.astype(np.float32)


@cache
def _table(first: int, last: int, slope: float) -> Audio:
    """One cycle holding harmonics first..last with amplitudes 1/k**slope."""
    phase = np.arange(_TABLE_SIZE) / _TABLE_SIZE
    cycle = np.zeros(_TABLE_SIZE)
    for k in range(first, last + 1):
        cycle += np.sin(2 * np.pi * k * phase) / k**slope
    return cycle.astype(np.float32)


def _oscillator(freq: float, n: int, sample_rate: int, phase: float) -> npt.NDArray[np.intp]:
    """Wavetable indices of a steady tone (phase kept in float64 so long notes stay in tune)."""
    cycles = phase + np.arange(n) * (freq / sample_rate)
    return ((cycles % 1.0) * _TABLE_SIZE).astype(np.intp)


class Instruments:
    """Synthesises notes for one track at one sample rate, caching repeated renders."""

    def __init__(self, style: Style, sample_rate: int) -> None:
        self.style = style
        self.rate = sample_rate
        self._cache: dict[tuple[Part, tuple[int, ...], int], Audio] = {}

    def render(self, note: Note) -> Audio:
        """(frames,) mono or (frames, 2) stereo audio of `note` at unit velocity."""
        hold = max(1, round(note.length * self.rate))
        key = (note.part, note.pitches, hold)
        audio = self._cache.get(key)
        if audio is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            audio = self._synthesise(note.part, note.pitches, hold)
            audio.flags.writeable = False
            self._cache[key] = audio
        return audio

    def max_frames(self, bar_seconds: float) -> int:
        """Upper bound on any render's length for this style (sizes the mix buffer)."""
        longest_note = bar_seconds * self.style.bars_per_chord
        tails = max(self.style.pad_release, 2.0) + 1.5
        return int((longest_note + tails) * self.rate) + 1

    def _synthesise(self, part: Part, pitches: tuple[int, ...], hold: int) -> Audio:
        style, rate = self.style, self.rate
        if part is Part.PAD:
            return self._pad(pitches, hold, style.pad_attack, style.pad_release, 0.9)
        if part is Part.SWELL:
            return self._pad(pitches, hold, 0.6 * hold / rate, 2.0, 0.25)
        if part is Part.ARP:
            return self._pluck(pitches[0], hold)
        if part is Part.BELL:
            return self._bell(pitches[0], hold)
        if part is Part.BASS:
            return self._bass(pitches[0], hold)
        if part is Part.KICK:
            return _kick(rate)
        if part is Part.HAT:
            return _hat(rate)
        return _boom(pitches[0], rate)

    def _pad(
        self, pitches: tuple[int, ...], hold: int, attack: float, release: float, brightness: float
    ) -> Audio:
        """Three detuned voices per note spread across the stereo field."""
        rate = self.rate
        env = envelope(hold, round(attack * rate), round(release * rate))
        # Upper harmonics follow the envelope squared: they bloom late and fade early.
        bright = env * env * np.float32(brightness)
        out = np.zeros((len(env), 2), dtype=np.float32)
        base = _table(1, 2, 1.2)
        for pitch in pitches:
            freq = midi_hz(pitch)
            upper = _table(3, max(3, min(12, int(0.4 * rate / freq))), 1.5)
            for i, (cents, pan) in enumerate(_PAD_VOICES):
                idx = _oscillator(freq * 2 ** (cents / 1200), len(env), rate, 0.37 * i + pitch / 12)
                voice = base[idx] * env + upper[idx] * bright
                left, right = pan_gains(pan)
                out[:, 0] += left * voice
                out[:, 1] += right * voice
        out /= np.float32(np.sqrt(len(pitches) * len(_PAD_VOICES)))
        return out

    def _partials(
        self, freq: float, n: int, partials: tuple[tuple[float, float, float], ...]
    ) -> Audio:
        """Sum of decaying sines: (frequency ratio, amplitude, decay time in seconds)."""
        t = np.arange(n, dtype=np.float64) / self.rate
        out = np.zeros(n, dtype=np.float64)
        for ratio, amplitude, decay in partials:
            if freq * ratio < 0.45 * self.rate:
                out += amplitude * np.sin(2 * np.pi * freq * ratio * t) * np.exp(-t / decay)
        # A few milliseconds of attack and a short fade at the end avoid clicks.
        out *= envelope(
            n - round(0.02 * self.rate), round(0.003 * self.rate), round(0.02 * self.rate)
        )
        return out.astype(np.float32)

    def _pluck(self, pitch: int, hold: int) -> Audio:
        """A soft plucked string: higher harmonics die away faster than the fundamental."""
        partials = tuple((float(k), 1.0 / k**1.3, 0.6 / (1 + 0.6 * (k - 1))) for k in range(1, 11))
        n = hold + round(0.35 * self.rate)
        return self._partials(midi_hz(pitch), n, partials)

    def _bell(self, pitch: int, hold: int) -> Audio:
        """An electric-piano-like tone with a faint, fast-decaying metallic tine."""
        partials = ((1.0, 1.0, 1.4), (2.0, 0.3, 0.7), (3.0, 0.08, 0.35), (5.4, 0.05, 0.06))
        n = hold + round(1.4 * self.rate)
        return self._partials(midi_hz(pitch), n, partials)

    def _bass(self, pitch: int, hold: int) -> Audio:
        """A round bass: fundamental plus a little second and third harmonic."""
        rate = self.rate
        n = hold + round(0.08 * rate)
        t = np.arange(n, dtype=np.float64) / rate
        phase = 2 * np.pi * midi_hz(pitch) * t
        tone = np.sin(phase) + 0.3 * np.sin(2 * phase) + 0.08 * np.sin(3 * phase)
        decay = np.exp(-t / 2.5)  # plucked basses lean in then relax
        env = envelope(hold, round(0.01 * rate), round(0.08 * rate))
        return (tone * decay * env / 1.2).astype(np.float32)


@cache
def _noise(n: int) -> npt.NDArray[np.float64]:
    return np.random.default_rng(_NOISE_SEED).standard_normal(n)


@cache
def _kick(rate: int) -> Audio:
    """A soft sine kick: a quick pitch drop from ~115 Hz to 45 Hz, no click."""
    n = round(0.4 * rate)
    t = np.arange(n) / rate
    freq = 45.0 + 70.0 * np.exp(-t / 0.03)
    tone = np.sin(2 * np.pi * np.cumsum(freq) / rate) * np.exp(-t / 0.16)
    return (
        tone * envelope(n - round(0.02 * rate), round(0.002 * rate), round(0.02 * rate))
    ).astype(np.float32)


@cache
def _hat(rate: int) -> Audio:
    """A short tick of high-passed noise (first difference), softened at the very top."""
    n = round(0.06 * rate)
    noise = np.diff(_noise(n + 2))
    tick = 0.5 * (noise[:-1] + noise[1:])
    t = np.arange(n) / rate
    return (tick * np.exp(-t / 0.012) * np.minimum(t / 0.001, 1.0) / 2.0).astype(np.float32)


@cache
def _boom(pitch: int, rate: int) -> Audio:
    """A deep cinematic hit: a falling sub tone with a dull noise thud under it."""
    n = round(3.0 * rate)
    t = np.arange(n) / rate
    freq = midi_hz(pitch) * (1.0 + np.exp(-t / 0.12))
    tone = np.sin(2 * np.pi * np.cumsum(freq) / rate) * np.exp(-t / 1.0)
    thud = np.convolve(_noise(n), np.ones(64) / 8.0, mode="same") * np.exp(-t / 0.08)
    env = envelope(n - round(0.2 * rate), round(0.004 * rate), round(0.2 * rate))
    return ((tone + 0.3 * thud) * env).astype(np.float32)
