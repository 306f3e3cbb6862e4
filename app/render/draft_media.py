"""The draft's media as pure data: per-scene MPEG-TS segments (and their fragmented-MP4 copies
for Media Source Extensions), HLS playlists, the stitched MP4.

A draft is one aspect at 540p, encoded with x264 `ultrafast`, one segment per scene. Every
segment is its own encode with the same codec parameters, so each starts on an IDR frame and
holds closed GOPs; its timestamps are offset to the scene's place on the timeline
(`-output_ts_offset`), so the segments, read one after the other, are one continuous stream.
That is what lets a draft be re-joined by stream copy after any one segment was re-encoded.

**Audio stays one track, never cut at scene boundaries.** AAC codes 1024-sample frames (21.3 ms
at 48 kHz) and a fresh encode of each piece adds its own encoder delay (priming samples): cut
at a scene boundary, the pieces would overlap or leave gaps of up to a frame at every join, and
a join by stream copy could not be exact. The narration and music are fixed once the plan is
approved, and a swapped scene never changes them, so the soundtrack is encoded once and joined
only by muxing: in HLS it is a separate audio rendition (`EXT-X-MEDIA`), in the stitched MP4
its second track. Swapping a scene re-encodes that scene's video and touches no audio.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.render.quality import EncodeSettings
from app.render.segments import SegmentJob, segment_argv
from app.render.timeline import Timeline

# Each segment is muxed on its own, so its continuity counters start again at 0: its first
# packets are flagged as a discontinuity, or a demuxer reading one segment after another
# (HLS) would drop the first packet of every segment as corrupt.
_TS_MUX = (
    "-muxdelay", "0", "-muxpreload", "0", "-mpegts_flags", "+initial_discontinuity",
    "-f", "mpegts",
)  # fmt: skip
# H.264 Constrained Baseline (what `ultrafast` writes), level 3.1; AAC-LC.
VIDEO_CODEC, AUDIO_CODEC = "avc1.42c01f", "mp4a.40.2"
HLS_CODECS = f"{VIDEO_CODEC},{AUDIO_CODEC}"
# Fragmented MP4 (an init segment, then a fragment per keyframe) is what Media Source Extensions
# take in every browser; MPEG-TS is not (Chromium's MSE has no MPEG-TS).
_FRAGMENTED = ("-movflags", "+frag_keyframe+empty_moov+default_base_moof", "-f", "mp4")


@dataclass(frozen=True)
class PlaylistEntry:
    """One scene's segment as the video playlist lists it."""

    uri: str  # file name beside the playlist
    duration: float  # seconds


def segment_ts_argv(
    job: SegmentJob, tl: Timeline, enc: EncodeSettings, fonts_dir: str
) -> list[str]:
    """ffmpeg arguments for one draft segment: the compositor's own scene graph, written as an
    MPEG-TS whose timestamps start at the scene's place on the timeline."""
    if len(job.outputs) != 1:
        raise ValueError("a draft segment has exactly one output (one aspect)")
    args = segment_argv(job, tl, enc, fonts_dir)
    dest = args.pop()  # segment_argv ends with its one output's path
    # muxdelay/muxpreload 0: no 0.7 s shift, so video and the audio rendition share one clock.
    return [*args, "-output_ts_offset", f"{job.slot.start:.6f}", *_TS_MUX, dest]


def audio_ts_argv(soundtrack: Path, dest: Path) -> list[str]:
    """The encoded soundtrack, copied into an audio-only MPEG-TS for the HLS rendition."""
    return [
        "-i", str(soundtrack), "-map", "0:a:0", "-c", "copy", *_TS_MUX, str(dest),
    ]  # fmt: skip


def fragment_argv(segment: Path, dest: Path) -> list[str]:
    """A segment copied into a fragmented MP4 for a browser's Media Source Extensions player.
    Its timestamps start at 0: the player places it on the timeline (`timestampOffset`), so the
    same file plays wherever the scene sits."""
    return ["-i", str(segment), "-map", "0:v:0", "-c", "copy", *_FRAGMENTED, str(dest)]


def audio_fragment_argv(soundtrack: Path, dest: Path) -> list[str]:
    """The encoded soundtrack copied into a fragmented MP4 (the MSE player's audio track)."""
    return ["-i", str(soundtrack), "-map", "0:a:0", "-c", "copy", *_FRAGMENTED, str(dest)]


def stitch_argv(list_file: Path, soundtrack: Path, dest: Path, title: str) -> list[str]:
    """Join the segments and the soundtrack, both copied, into one MP4 with its index first (a
    browser plays it while downloading, knows its length and seeks it, without a playlist; a
    fragmented MP4 written before its length is known would give a player no length to seek)."""
    return [
        "-f", "concat", "-safe", "0", "-i", str(list_file), "-i", str(soundtrack),
        "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
        "-movflags", "+faststart",
        "-metadata", f"title={title} (DRAFT)",
        "-metadata", "comment=reelroute draft: a preview, not a publishable output",
        "-f", "mp4", str(dest),
    ]  # fmt: skip


def _target_duration(entries: Sequence[PlaylistEntry], longest: float) -> int:
    return max(1, math.ceil(max([longest, *(e.duration for e in entries)]) - 1e-6))


def video_playlist(entries: Sequence[PlaylistEntry], longest: float, complete: bool) -> str:
    """The video media playlist. While the first draft is written it is an EVENT playlist that
    only grows; `complete` ends it. `longest` is the longest scene still to come, so the
    target duration never has to change."""
    lines = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{_target_duration(entries, longest)}",
        "#EXT-X-PLAYLIST-TYPE:EVENT",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    for e in entries:
        lines += [f"#EXTINF:{e.duration:.6f},", e.uri]
    if complete:
        lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def audio_playlist(uri: str, duration: float) -> str:
    """The soundtrack's media playlist: one segment, the whole track, complete from the start."""
    entry = PlaylistEntry(uri, duration)
    return "\n".join([
        "#EXTM3U", "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{_target_duration([entry], duration)}",
        "#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-MEDIA-SEQUENCE:0",
        f"#EXTINF:{duration:.6f},", uri, "#EXT-X-ENDLIST",
    ]) + "\n"  # fmt: skip


def master_playlist(video_uri: str, audio_uri: str, size: tuple[int, int]) -> str:
    """The playlist a player opens: the video and its separate audio rendition."""
    return "\n".join([
        "#EXTM3U", "#EXT-X-VERSION:3",
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="soundtrack",NAME="narration and music",'
        f'DEFAULT=YES,AUTOSELECT=YES,URI="{audio_uri}"',
        f'#EXT-X-STREAM-INF:BANDWIDTH=2500000,CODECS="{HLS_CODECS}",'
        f'RESOLUTION={size[0]}x{size[1]},AUDIO="soundtrack"',
        video_uri,
    ]) + "\n"  # fmt: skip
