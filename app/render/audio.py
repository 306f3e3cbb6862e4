"""The soundtrack: narration laid on the timeline, music ducked under it, loudness normalised.

Loudness is measured on the *encoded* AAC, because the encoder can lift true peaks: the target is
-14 LUFS integrated with true peak at or below -1 dBTP on the file people actually get.
"""

from __future__ import annotations

import re
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TARGET_LUFS = -14.0
MAX_TRUE_PEAK = -1.0
LUFS_TOLERANCE = 0.5
PCM_TOLERANCE = 0.2  # tighter on the PCM, leaving room for the encoder's small drift
MIX_RATE = 48000
_CHUNK_FRAMES = 1 << 16


@dataclass(frozen=True)
class VoicePlacement:
    path: Path  # mono 16-bit WAV of one scene's narration
    start: float  # seconds on the timeline


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS
    true_peak: float  # dBTP

    def within_target(self, tolerance: float = LUFS_TOLERANCE) -> bool:
        return abs(self.integrated - TARGET_LUFS) <= tolerance and self.true_peak <= MAX_TRUE_PEAK


def assemble_narration(placements: Sequence[VoicePlacement], total: float, dest: Path) -> None:
    """Write one mono WAV of `total` seconds with each narration at its start, streaming.

    Streams chunk by chunk so a long video never holds its whole voice track in memory.
    Every narration must share one sample rate and format (one voice engine per render).
    """
    if not placements:
        raise ValueError("a soundtrack needs at least one narration")
    with wave.open(str(placements[0].path), "rb") as first:
        rate, width = first.getframerate(), first.getsampwidth()
    total_frames = round(total * rate)
    with wave.open(str(dest), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(width)
        out.setframerate(rate)
        written = 0
        for place in sorted(placements, key=lambda p: p.start):
            written = _write_silence(out, round(place.start * rate) - written, width, written)
            written = _copy_voice(out, place.path, (rate, width), total_frames - written, written)
        _write_silence(out, total_frames - written, width, written)


def _write_silence(out: wave.Wave_write, n: int, width: int, written: int) -> int:
    while n > 0:
        step = min(n, _CHUNK_FRAMES)
        out.writeframes(b"\x00" * step * width)
        n -= step
        written += step
    return written


def _copy_voice(
    out: wave.Wave_write, path: Path, fmt: tuple[int, int], room: int, written: int
) -> int:
    with wave.open(str(path), "rb") as src:
        if (src.getframerate(), src.getsampwidth()) != fmt or src.getnchannels() != 1:
            raise ValueError(f"{path}: narration must be mono {fmt[0]} Hz like the others")
        remaining = min(src.getnframes(), max(0, room))
        while remaining > 0:
            data = src.readframes(min(remaining, _CHUNK_FRAMES))
            if not data:
                break
            out.writeframes(data)
            n = len(data) // fmt[1]
            remaining -= n
            written += n
    return written


def mix_graph(total: float, music_gain_db: float) -> str:
    """Voice (input 0) over music (input 1), ending in `[mix]`; the music ducks whenever the
    voice speaks (sidechain compression)."""
    return (
        f"[0:a]aresample={MIX_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
        "asplit=2[voice][key];"
        f"[1:a]aresample={MIX_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
        f"volume={music_gain_db}dB[bed];"
        "[bed][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=450[ducked];"
        "[voice][ducked]amix=inputs=2:duration=longest:normalize=0,"
        f"apad=whole_dur={total:.4f},atrim=end={total:.4f}[mix]"
    )


def mix_argv(voice: Path, music: Path, total: float, dest: Path, music_gain_db: float) -> list[str]:
    """The mix of `mix_graph`, written as float PCM."""
    return [
        "-i", str(voice), "-i", str(music), "-filter_complex", mix_graph(total, music_gain_db),
        "-map", "[mix]", "-c:a", "pcm_f32le", str(dest),
    ]  # fmt: skip


def level_chain(gain_db: float) -> str:
    """A gain trim, then a limiter holding sample peaks ~1 dB under the true-peak ceiling."""
    return f"volume={gain_db:.2f}dB,alimiter=limit=0.80:level=false:attack=2:release=60"


def level_argv(src: Path, dest: Path, gain_db: float) -> list[str]:
    """The encoder's input, as PCM: cheap to make and measure while the gain is being found."""
    return [
        "-i", str(src), "-af", f"{level_chain(gain_db)},aresample={MIX_RATE}",
        "-c:a", "pcm_f32le", str(dest),
    ]  # fmt: skip


def encode_argv(src: Path, dest: Path, gain_db: float, bitrate: str) -> list[str]:
    """AAC encode of exactly what `level_argv` makes with the same gain."""
    return [
        "-i", str(src), "-af", f"{level_chain(gain_db)},aresample={MIX_RATE}",
        "-c:a", "aac", "-b:a", bitrate, "-ar", str(MIX_RATE), str(dest),
    ]  # fmt: skip


def ebur128_argv(src: Path) -> list[str]:
    return ["-i", str(src), "-af", "ebur128=peak=true", "-f", "null", "-"]


_SUMMARY_I = re.compile(r"Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+|-inf)\s*LUFS")
_SUMMARY_TP = re.compile(r"True peak:\s*\n\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS")


def parse_integrated(stderr: str) -> float:
    """Integrated loudness (LUFS) from ebur128's closing summary (no true peak asked for)."""
    i = _SUMMARY_I.findall(stderr)
    if not i:
        raise ValueError("ebur128 printed no summary")
    return float(i[-1])


def parse_ebur128(stderr: str) -> Loudness:
    """Integrated loudness and true peak from ebur128's closing summary."""
    i = _SUMMARY_I.findall(stderr)
    tp = _SUMMARY_TP.findall(stderr)
    if not i or not tp:
        raise ValueError("ebur128 printed no summary")
    return Loudness(float(i[-1]), float(tp[-1]))


def correction_db(measured: Loudness) -> float:
    """Gain that moves loudness to target without pushing the true peak over the ceiling."""
    towards_target = TARGET_LUFS - measured.integrated
    headroom = (MAX_TRUE_PEAK - 0.3) - measured.true_peak
    return min(towards_target, headroom) if measured.true_peak > MAX_TRUE_PEAK else towards_target
