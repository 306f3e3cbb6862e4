"""captions.srt and captions.vtt: the burned-in captions as sidecar files, for platforms that
take captions beside the video. Same cues, same times as the pictures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from app.render.timeline import Timeline


def _cues(tl: Timeline) -> Iterator[tuple[float, float, str]]:
    for slot in tl.slots:
        for cap in slot.captions:
            text = " ".join(cap.text.replace("-->", "->").split())
            if text:
                yield slot.start + cap.start, slot.start + cap.end, text


def _stamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt_document(tl: Timeline) -> str:
    blocks = [
        f"{n}\n{_stamp(a, ',')} --> {_stamp(b, ',')}\n{text}\n"
        for n, (a, b, text) in enumerate(_cues(tl), start=1)
    ]
    return "\n".join(blocks)


def vtt_document(tl: Timeline) -> str:
    blocks = [f"{_stamp(a, '.')} --> {_stamp(b, '.')}\n{text}\n" for a, b, text in _cues(tl)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def write_caption_files(tl: Timeline, folder: Path) -> tuple[Path, Path]:
    srt, vtt = folder / "captions.srt", folder / "captions.vtt"
    srt.write_text(srt_document(tl), encoding="utf-8")
    vtt.write_text(vtt_document(tl), encoding="utf-8")
    return srt, vtt
