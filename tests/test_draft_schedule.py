"""The draft's soundtrack holds one of its two places from the start: while the music is still
being made the segments go on in the other place, one at a time in scene order, and the draft
is announced playable only once the soundtrack is there."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from app.pipeline.draft import DraftBuilder, DraftSpec
from app.pipeline.draft_plan import draft_timeline
from app.render.audio import VoicePlacement
from app.render.captions import time_captions
from providers.music import Mood, MusicTrack, generate_music
from providers.types import Aspect, ClipRequest, SceneKind
from providers.voice import get_voice

LINES = ("A quiet harbour at dawn.", "Sales grew 40 percent.", "Gulls follow the boats.")


async def _spec(tmp_path: Path) -> DraftSpec:
    voice = get_voice("espeak")
    said = [await voice.synthesize(t, tmp_path / f"n{i}.wav") for i, t in enumerate(LINES)]
    durations = [max(2.5, 0.35 + s.duration + 0.55) for s in said]
    requests = [
        ClipRequest(prompt=t, duration=d + 0.4, aspect=Aspect.LANDSCAPE, width=1920,
                    height=1080, kind=kind, on_screen_text=t.split()[0], seed=i)
        for i, (t, d, kind) in enumerate(
            zip(LINES, durations, (SceneKind.LANDSCAPE, SceneKind.DATA, SceneKind.TEXT),
                strict=True))
    ]  # fmt: skip
    captions = [
        time_captions(t, 0.35, s.duration, [(w.start, w.end) for w in s.words])
        for t, s in zip(LINES, said, strict=True)
    ]
    tl = draft_timeline(requests, durations, captions, Aspect.LANDSCAPE, 0.4)
    voices = tuple(
        VoicePlacement(s.path, slot.start + 0.35) for s, slot in zip(said, tl.slots, strict=True)
    )
    return DraftSpec("sched", "local", "Schedule", Aspect.LANDSCAPE, tl, voices, None, False)


def _listed(playlist: Path) -> int:
    if not playlist.exists():
        return 0
    return sum(1 for line in playlist.read_text().splitlines() if line.startswith("seg_"))


async def test_segments_go_on_while_the_music_is_made_and_playable_waits_for_it(
    tmp_path: Path,
) -> None:
    spec = await _spec(tmp_path)
    news: list[dict[str, Any]] = []
    music: asyncio.Future[MusicTrack] = asyncio.get_running_loop().create_future()
    builder = DraftBuilder(spec, tmp_path / "draft", news.append)
    (tmp_path / "draft").mkdir()
    task = asyncio.ensure_future(builder.run(music))
    try:
        async with asyncio.timeout(120):
            while _listed(builder.folder / "video.m3u8") < len(LINES):
                assert not task.done(), news
                await asyncio.sleep(0.05)
        assert news == [], "nothing is announced before the soundtrack exists"
        assert not (builder.folder / "draft.m3u8").exists()
        made = await generate_music(Mood.CORPORATE, spec.timeline.duration + 1.0, 7,
                                    tmp_path / "music.wav")  # fmt: skip
        music.set_result(made)
        builder.close()
        async with asyncio.timeout(120):
            await task
    finally:
        task.cancel()
    assert [n["state"] for n in news] == ["playable", "ready"]
    assert news[-1]["scenes"] == ["placeholder"] * len(LINES)
    assert (builder.folder / "draft.mp4").exists() and (builder.folder / "audio.ts").exists()
