"""captions.srt and captions.vtt: the burned-in captions as sidecar files, for platforms that
take captions beside the video. Same cues, same times as the pictures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from app.provenance.disclosure import clean_cue, cue_time
from app.render.timeline import Timeline


def _cues(tl: Timeline) -> Iterator[tuple[float, float, str]]:
    for slot in tl.slots:
        for cap in slot.captions:
            text = clean_cue(cap.text)
            if text:
                yield slot.start + cap.start, slot.start + cap.end, text


def srt_document(tl: Timeline) -> str:
    blocks = [
        f"{n}\n{cue_time(a, ',')} --> {cue_time(b, ',')}\n{text}\n"
        for n, (a, b, text) in enumerate(_cues(tl), start=1)
    ]
    return "\n".join(blocks)


def vtt_document(tl: Timeline) -> str:
    blocks = [f"{cue_time(a, '.')} --> {cue_time(b, '.')}\n{text}\n" for a, b, text in _cues(tl)]
    return "WEBVTT\n\n" + "\n".join(blocks)


def write_caption_files(tl: Timeline, folder: Path) -> tuple[Path, Path]:
    srt, vtt = folder / "captions.srt", folder / "captions.vtt"
    srt.write_text(srt_document(tl), encoding="utf-8")
    vtt.write_text(vtt_document(tl), encoding="utf-8")
    return srt, vtt
