"""The draft's soundtrack: the final's narration and ducked music, at the final's loudness
target, in two ffmpeg passes.

The final finds its gain by correcting passes on the PCM and on the encoded AAC, each measured
for true peak (`app.render.compose.render_soundtrack`): on the 3-minute bench timeline that was
five to nine ffmpeg runs and 18.6 CPU s, 12-14 of them the AAC encoder's default `twoloop`
coder. A draft is a preview the player must start soon, so it takes one measurement and one
encode:

1. mix, written as PCM and measured (integrated loudness only) in the same pass;
2. the final's gain and limiter chain at `TARGET - measured`, AAC-encoded with the `fast`
   coder (3.5 CPU s instead of 13.8 for those 3 minutes, same bitrate).

No correcting pass: the limiter may leave the draft a few tenths of a LU under the target,
which a preview can afford (the final still settles within its tolerance).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from pathlib import Path

from app.render import audio
from providers.media import run_ffmpeg

DRAFT_AAC_CODER = "fast"  # ffmpeg's own AAC encoder, its cheapest coder


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
    measured = audio.parse_integrated(report)
    gain = audio.TARGET_LUFS - measured if math.isfinite(measured) else 0.0  # silence: as is
    await run_ffmpeg(draft_encode_argv(mixed, encoded, gain, bitrate))
    for scratch in (narration, mixed):
        scratch.unlink(missing_ok=True)
    return encoded
