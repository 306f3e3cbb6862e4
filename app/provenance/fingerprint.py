"""Perceptual fingerprint of a video's picture: the soft binding that finds a stripped copy.

A platform that strips metadata and re-encodes a video removes its C2PA manifest; the picture
survives. We sample frames at a low rate, shrink each to 32x32 grey in the same single ffmpeg
call (no per-frame work over full-size frames in Python), and hash each with a 64-bit DCT
perceptual hash (numpy, all frames at once): the sign of each of the 8x8 lowest-frequency DCT
coefficients against their median. Re-encoding, scaling and stripping barely move these bits;
another video's frames differ in about half of them.

Matching slides the copy's hash sequence along each known output's and takes the offset with
the lowest mean Hamming distance, so a trimmed copy is placed in time. The copy is sampled at
`QUERY_FPS` (a multiple of the stored rate) and tried at every phase, so a trim by a fraction
of a second still lines up with the stored samples.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from providers.media import run_ffmpeg

ALG = "org.reelroute.phash-dct64/1"
FPS = 1  # stored samples per second
QUERY_FPS = 4  # a copy is sampled finer, and every phase is tried
SIDE = 32  # frames are hashed at SIDE x SIDE grey
LOW = 8  # the LOW x LOW lowest DCT frequencies give the 64 bits
MATCH_BITS = 10.0  # mean Hamming distance (of 64) at or below which two sequences match
MIN_OVERLAP_S = 5  # seconds of overlap needed (or the whole shorter video)

Hashes = npt.NDArray[np.uint64]


def _dct_matrix(n: int) -> npt.NDArray[np.float64]:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    return np.cos(np.pi * (2 * i + 1) * k / (2 * n))


_DCT = _dct_matrix(SIDE)
_WEIGHTS = (np.uint64(1) << np.arange(LOW * LOW, dtype=np.uint64))[::-1]


def hash_frames(frames: npt.NDArray[np.uint8]) -> Hashes:
    """One 64-bit perceptual hash per SIDE x SIDE grey frame (array of shape (n, SIDE, SIDE))."""
    coeffs = _DCT @ frames.astype(np.float64) @ _DCT.T
    low = coeffs[:, :LOW, :LOW].reshape(len(frames), LOW * LOW)
    median = np.median(low[:, 1:], axis=1, keepdims=True)  # the DC term would skew it
    bits = (low > median).astype(np.uint64)
    hashes: Hashes = (bits * _WEIGHTS).sum(axis=1, dtype=np.uint64)
    return hashes


async def video_hashes(video: Path, fps: int = FPS) -> Hashes:
    """Hashes of `video`'s frames sampled at `fps` from t=0, from one ffmpeg call."""
    with tempfile.TemporaryDirectory(prefix="reelroute-fp-") as tmp:
        raw = Path(tmp) / "frames.gray"
        await run_ffmpeg([
            "-v", "error", "-i", str(video.resolve()), "-an", "-sn", "-dn",
            "-vf", f"fps={fps}:round=down,scale={SIDE}:{SIDE}:flags=area,format=gray",
            "-f", "rawvideo", str(raw),
        ])  # fmt: skip
        data = np.fromfile(raw, dtype=np.uint8)
    frames = data[: len(data) - len(data) % (SIDE * SIDE)].reshape(-1, SIDE, SIDE)
    return hash_frames(frames)


def to_hex(hashes: Hashes) -> list[str]:
    return [f"{int(h):016x}" for h in hashes]


def from_hex(values: list[str]) -> Hashes:
    return np.array([int(v, 16) for v in values], dtype=np.uint64)


@dataclass(frozen=True)
class Alignment:
    distance: float  # mean Hamming distance over the overlap, in bits of 64
    start_s: float  # where the copy's overlap starts in the stored video
    end_s: float
    copy_start_s: float  # where it starts in the copy

    @property
    def matches(self) -> bool:
        return self.distance <= MATCH_BITS


def _best_offset(query: Hashes, stored: Hashes, min_overlap: int) -> tuple[float, int, int]:
    """(mean distance, offset, overlap) of the best alignment: stored[j + offset] ~ query[j]."""
    dist = np.bitwise_count(query[:, None] ^ stored[None, :]).astype(np.float64)
    best = (float("inf"), 0, 0)
    for offset in range(min_overlap - len(query), len(stored) - min_overlap + 1):
        diagonal = np.diagonal(dist, offset=offset)
        if len(diagonal) >= min_overlap and (mean := float(diagonal.mean())) < best[0]:
            best = (mean, offset, len(diagonal))
    return best


def align(query_fine: Hashes, stored: Hashes, fps: int = FPS) -> Alignment | None:
    """The best placement of a copy (hashed at QUERY_FPS) in a stored sequence (at `fps`)."""
    step = QUERY_FPS // fps
    best: Alignment | None = None
    for phase in range(step):
        query = query_fine[phase::step]
        need = min(MIN_OVERLAP_S * fps, len(query), len(stored))
        if need < 1:
            continue
        distance, offset, overlap = _best_offset(query, stored, need)
        first_stored = max(offset, 0)
        found = Alignment(
            distance=distance,
            start_s=first_stored / fps,
            end_s=(first_stored + overlap) / fps,
            copy_start_s=(first_stored - offset) / fps + phase / QUERY_FPS,
        )
        if best is None or found.distance < best.distance:
            best = found
    return best
