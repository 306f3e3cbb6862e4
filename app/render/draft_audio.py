"""The draft's soundtrack: the final's narration and ducked music, at the final's loudness
target, in two ffmpeg passes.

The final finds its gain by correcting passes on the PCM and on the encoded AAC, each measured
for true peak (`app.render.compose.render_soundtrack`): on the 3-minute bench timeline that was
five to nine ffmpeg runs and 18.6 CPU s, 12-14 of them the AAC encoder's default `twoloop`
coder. A draft is a preview the player must start soon, so:

1. the mix is written as PCM and measured (integrated loudness only) in the same pass;
2. the final's gain and limiter chain is tried on it and measured, without writing anything,
   and the gain corrected (at most `LEVEL_PASSES` times: the limiter takes loudness from a
   peaky voice, 2 LU on a short eSpeak narration);
3. one AAC encode at the corrected gain with the `fast` coder (3.5 CPU s instead of 13.8 for
   the 3-minute bench soundtrack, same bitrate), not measured again.

The draft is within about half a LU of the final's -14 LUFS; the final still settles within
its own tolerance on the encoded file, with true peak.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from pathlib import Path

from app.render import audio
from providers.media import run_ffmpeg

DRAFT_AAC_CODER = "fast"  # ffmpeg's own AAC encoder, its cheapest coder
LEVEL_PASSES = 2  # gain corrections tried on the PCM before the one encode


def mix_measure_argv(
    voice: Path, music: Path, total: float, dest: Path, music_gain_db: float
) -> list[str]:
    """The final's mix, written as float PCM and measured by ebur128 in the same run."""
    graph = (
        audio.mix_graph(total, music_gain_db)
        + ";[mix]asplit=2[keep][meter];[meter]ebur128=framelog=quiet[measured]"
    )
    return [
        "-i", str(voice), "-i", str(music), "-filter_complex", graph,
        "-map", "[keep]", "-c:a", "pcm_f32le", str(dest),
        "-map", "[measured]", "-f", "null", "-",
    ]  # fmt: skip


def level_measure_argv(src: Path, gain_db: float) -> list[str]:
    """The final's gain and limiter chain at `gain_db`, measured, nothing written."""
    return [
        "-i", str(src), "-af", f"{audio.level_chain(gain_db)},ebur128=framelog=quiet",
        "-f", "null", "-",
    ]  # fmt: skip


def draft_encode_argv(src: Path, dest: Path, gain_db: float, bitrate: str) -> list[str]:
    """The final's gain and limiter chain, AAC-encoded with the fast coder."""
    return [
        "-i", str(src), "-af", f"{audio.level_chain(gain_db)},aresample={audio.MIX_RATE}",
        "-c:a", "aac", "-aac_coder", DRAFT_AAC_CODER, "-b:a", bitrate,
        "-ar", str(audio.MIX_RATE), str(dest),
    ]  # fmt: skip


async def render_draft_soundtrack(
    voices: Sequence[audio.VoicePlacement],
    music: Path,
    total: float,
    workdir: Path,
    bitrate: str,
    music_gain_db: float,
) -> Path:
    """Narration + ducked music at the loudness target, AAC in `workdir/audio.m4a`."""
    narration, mixed = workdir / "narration.wav", workdir / "mix.wav"
    encoded = workdir / "audio.m4a"
    await asyncio.to_thread(audio.assemble_narration, voices, total, narration)
    report = await run_ffmpeg(mix_measure_argv(narration, music, total, mixed, music_gain_db))
    gain = await _settled_gain(mixed, audio.parse_integrated(report))
    await run_ffmpeg(draft_encode_argv(mixed, encoded, gain, bitrate))
    for scratch in (narration, mixed):
        scratch.unlink(missing_ok=True)
    return encoded


async def _settled_gain(mixed: Path, measured: float) -> float:
    """The gain that brings `mixed` through the limiter to the target, found on the PCM.

    Each correction divides the miss by the loudness gained per dB of gain so far (1 at
    first): where the limiter works, a dB of gain buys much less than a dB of loudness."""
    if not math.isfinite(measured):
        return 0.0  # silence: nothing to bring up
    gain, level, slope = audio.TARGET_LUFS - measured, measured, 1.0
    tried = 0.0
    for _ in range(LEVEL_PASSES):
        now = audio.parse_integrated(await run_ffmpeg(level_measure_argv(mixed, gain)))
        if not math.isfinite(now) or abs(now - audio.TARGET_LUFS) <= audio.PCM_TOLERANCE:
            break
        if gain != tried:
            slope = min(1.0, max(0.2, (now - level) / (gain - tried)))
        tried, level = gain, now
        gain += (audio.TARGET_LUFS - now) / slope
    return gain
