"""Streaming mixdown: composes, synthesises and masters a track one bar at a time.

Memory is bounded by design, whatever the duration: notes that start in a bar are added
into a fixed-size mix buffer (one bar plus the longest possible note tail), the finished bar
is taken off the front, and the reverb carries only its own tail between bars. Nothing ever
holds the whole song.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from providers.music.instruments import Audio, Instruments, pan_gains
from providers.music.score import Arrangement, Note, bar_notes
from providers.music.styles import Part

FADE_IN = 2.0  # seconds
FADE_OUT = 3.0
# Loud bars are turned down so their peak is TARGET (-6 dBFS); gain changes glide over
# RAMP seconds. CEILING is a safety net that the leveller should leave untouched.
TARGET = 0.5
RAMP = 0.3
CEILING = 0.56
KNEE = 0.52
_ROOM_SEED = 0x2EE1
# How much of each part goes to the room, relative to the style's reverb send.
_SEND = {
    Part.PAD: 0.8,
    Part.SWELL: 0.9,
    Part.BELL: 1.0,
    Part.ARP: 0.7,
    Part.BASS: 0.1,
    Part.KICK: 0.05,
    Part.HAT: 0.3,
    Part.BOOM: 0.6,
}


def _smooth_size(n: int) -> int:
    """The smallest 2^a·3^b·5^c >= n: sizes numpy's FFT handles quickly."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            size = p35
            while size < n:
                size *= 2
            best = min(best, size)
            p35 *= 3
        p5 *= 5
    return best


def room_response(seconds: float, sample_rate: int) -> npt.NDArray[np.float32]:
    """A stereo impulse response of a soft room: decaying noise whose highs die first."""
    n = max(1, round(seconds * sample_rate))
    t = (np.arange(n) / sample_rate)[:, None]
    noise = np.random.default_rng(_ROOM_SEED).standard_normal((n, 2))
    width = max(2, sample_rate // 6000)  # averaging this many samples keeps roughly < 3 kHz
    kernel = np.ones(width) / width
    low = np.stack([np.convolve(noise[:, c], kernel, mode="same") for c in range(2)], axis=1)
    decay = seconds / 6.91  # amplitude time constant for a 60 dB fall over `seconds`
    ir = low * np.exp(-t / decay) + 0.3 * (noise - low) * np.exp(-t / (0.3 * decay))
    ir *= np.minimum(t / 0.03, 1.0)  # a soft onset, no slap
    predelay = np.zeros((round(0.02 * sample_rate), 2))
    ir = np.concatenate([predelay, ir])
    ir /= np.sqrt((ir**2).sum(axis=0, keepdims=True))
    return ir.astype(np.float32)


class Reverb:
    """Convolution with `room_response`, block by block (overlap-add), mono in, stereo out."""

    def __init__(self, seconds: float, sample_rate: int, max_block: int) -> None:
        ir = room_response(seconds, sample_rate)
        self._taps = len(ir)
        self._size = _smooth_size(max_block + self._taps - 1)
        self._response = np.fft.rfft(ir, self._size, axis=0)
        self._tail = np.zeros((self._taps - 1, 2), dtype=np.float32)

    def process(self, block: npt.NDArray[np.float32]) -> Audio:
        n = len(block)
        spectrum = np.fft.rfft(block, self._size)[:, None] * self._response
        full = np.fft.irfft(spectrum, self._size, axis=0)[: n + self._taps - 1]
        full[: self._taps - 1] += self._tail
        self._tail = full[n:].astype(np.float32)
        return full[:n].astype(np.float32)


class Mixdown:
    """Yields the mastered track as float32 (frames, 2) blocks, one per bar."""

    def __init__(self, arr: Arrangement, sample_rate: int, total_frames: int) -> None:
        self.arr = arr
        self.rate = sample_rate
        self.total = total_frames
        self.instruments = Instruments(arr.style, sample_rate)
        self.max_block = int(np.ceil(arr.bar * sample_rate)) + 1
        capacity = self.max_block + self.instruments.max_frames(arr.bar)
        self._dry = np.zeros((capacity, 2), dtype=np.float32)
        self._send = np.zeros(capacity, dtype=np.float32)
        self._reverb = Reverb(arr.style.reverb_seconds, sample_rate, self.max_block)
        duration = total_frames / sample_rate
        self._fade_in = min(FADE_IN, 0.3 * duration)
        self._fade_out = min(FADE_OUT, 0.45 * duration)

    def blocks(self) -> Iterator[Audio]:
        """The finished track, block by block (at most `max_block` frames each)."""
        start = 0
        for block in level(self._bars(), TARGET, round(RAMP * self.rate)):
            yield self._master(block, start)
            start += len(block)

    def _bars(self) -> Iterator[Audio]:
        """The raw mix (style gain applied, before levelling and fades), one bar per block."""
        bar, start = 0, 0
        while start < self.total:
            stop = min(self.total, round((bar + 1) * self.arr.bar * self.rate))
            for note in bar_notes(self.arr, bar):
                self._add(note)
            yield self._take(stop - start) * np.float32(self.arr.style.master)
            bar, start = bar + 1, stop

    def _add(self, note: Note) -> None:
        audio = self.instruments.render(note)
        at = round(note.at * self.rate)
        n = min(len(audio), len(self._dry) - at)  # capacity is sized so this never cuts
        gain = self.arr.style.levels.get(note.part, 0.0) * note.velocity
        send = gain * _SEND[note.part] * self.arr.style.reverb_send
        dry, room = self._dry[at : at + n], self._send[at : at + n]
        if audio.ndim == 1:
            left, right = pan_gains(note.pan)
            dry[:, 0] += audio[:n] * np.float32(gain * left)
            dry[:, 1] += audio[:n] * np.float32(gain * right)
            room += audio[:n] * np.float32(send)
        else:
            dry += audio[:n] * np.float32(gain)
            room += (audio[:n, 0] + audio[:n, 1]) * np.float32(0.5 * send)

    def _take(self, n: int) -> Audio:
        """Remove and return the first `n` frames of the mix, room included."""
        block = self._dry[:n] + self._reverb.process(self._send[:n].copy())
        for buffer in (self._dry, self._send):
            buffer[:-n] = buffer[n:]
            buffer[-n:] = 0.0
        return block

    def _master(self, block: Audio, start: int) -> Audio:
        """Fade in and out (by absolute frame position), then the safety limiter."""
        n = len(block)
        fade_in_end = round(self._fade_in * self.rate)
        fade_out_start = self.total - round(self._fade_out * self.rate)
        if start < fade_in_end or start + n > fade_out_start:
            frames = start + np.arange(n)
            fade = _ramp(frames / self.rate / self._fade_in)
            fade *= _ramp((self.total - frames) / self.rate / self._fade_out)
            block = block * fade.astype(np.float32)[:, None]
        return soft_limit(block)


def level(blocks: Iterator[Audio], target: float, ramp: int) -> Iterator[Audio]:
    """Turn down any block whose peak exceeds `target`, looking one block ahead.

    Each block gets the gain that brings its own peak to `target` (never above 1). At a
    boundary both neighbours meet at the smaller of their gains, gliding to it over `ramp`
    frames inside each block, so no sample of a block ever gets more gain than that block's
    own: the output cannot exceed `target`, and there are no gain steps to hear.
    """
    current = next(blocks, None)
    if current is None:
        return
    gain = _block_gain(current, target)
    edge = gain
    for following in blocks:
        following_gain = _block_gain(following, target)
        boundary = min(gain, following_gain)
        yield current * _gain_curve(len(current), edge, gain, boundary, ramp)[:, None]
        current, gain, edge = following, following_gain, boundary
    yield current * _gain_curve(len(current), edge, gain, gain, ramp)[:, None]


def _block_gain(block: Audio, target: float) -> float:
    peak = float(np.abs(block).max()) if len(block) else 0.0
    return min(1.0, target / peak) if peak > 0 else 1.0


def _gain_curve(n: int, start: float, middle: float, end: float, ramp: int) -> Audio:
    curve = np.full(n, middle, dtype=np.float32)
    ramp = min(ramp, n // 2)
    if ramp > 0:
        rise = _ramp(np.arange(ramp) / ramp).astype(np.float32)
        curve[:ramp] = start + (middle - start) * rise
        curve[n - ramp :] = middle + (end - middle) * rise
    return curve


def _ramp(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """0 -> 1 raised-cosine over x in [0, 1], clamped outside."""
    result: npt.NDArray[np.float64] = 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0.0, 1.0))
    return result


def soft_limit(block: Audio) -> Audio:
    """Pass samples under KNEE untouched; bend louder ones smoothly under CEILING."""
    magnitude = np.abs(block)
    over = magnitude > KNEE
    if not over.any():
        return block
    room = CEILING - KNEE
    bent = KNEE + room * np.tanh((magnitude[over] - KNEE) / room)
    out = block.copy()
    out[over] = np.sign(block[over]) * bent
    return out
