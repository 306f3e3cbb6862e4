"""Scenes are narrated side by side (one per core), in scene order, through the same cache as
one by one; a text several scenes say is spoken once, and a failure stops the rest."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.pipeline.narration import narrate_all, narrate_one
from providers.errors import ProviderError
from providers.voice import Narration, VoiceEngine, VoiceInfo, get_voice


@dataclass
class WatchedVoice:
    """The real eSpeak voice, noting what it is asked to say and how many calls overlap."""

    inner: VoiceEngine
    refuse: str = ""  # a text this voice fails on, as a broken engine would
    spoken: list[str] = field(default_factory=list)
    running: int = 0
    most_at_once: int = 0

    @property
    def info(self) -> VoiceInfo:
        return self.inner.info

    async def synthesize(self, text: str, dest: Path) -> Narration:
        self.spoken.append(text)
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(0.05)  # both calls are in flight before either finishes
            if text == self.refuse:
                raise ProviderError("the voice refused", provider_id="espeak")
            return await self.inner.synthesize(text, dest)
        finally:
            self.running -= 1


TEXTS = ["The harbour wakes.", "Boats leave at dawn.", "The harbour wakes.", "Gulls follow."]


async def test_scenes_are_spoken_side_by_side_in_order_and_a_repeat_once(tmp_path: Path) -> None:
    voice = WatchedVoice(get_voice("espeak"))
    progress: list[int] = []
    said = await narrate_all(voice, TEXTS, tmp_path, progress.append, at_once=2)
    assert voice.most_at_once == 2
    assert sorted(voice.spoken) == sorted(set(TEXTS)), "the repeated text is spoken once"
    assert said[0].sha256 == said[2].sha256 and said[0].narration.path == said[2].narration.path
    assert len({s.sha256 for s in said}) == 3
    assert progress[-1] == len(TEXTS) and progress == sorted(progress)
    for text, voice_said in zip(TEXTS, said, strict=True):  # each is what narrate_one caches
        alone = await narrate_one(voice, text, tmp_path)
        assert (
            alone.sha256 == voice_said.sha256
            and alone.narration.words == voice_said.narration.words
        )
    assert len(voice.spoken) == 3, "the cache answered every scene afterwards"


async def test_a_failing_scene_stops_the_others_with_its_own_error(tmp_path: Path) -> None:
    voice = WatchedVoice(get_voice("espeak"), refuse=TEXTS[1])
    with pytest.raises(ProviderError, match="refused"):
        await narrate_all(voice, TEXTS, tmp_path, at_once=2)
    assert voice.running == 0, "nothing is left speaking once the error is raised"
