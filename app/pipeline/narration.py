"""Narrate every scene, reusing cached audio for text the same voice has spoken before."""

from __future__ import annotations

import asyncio
import json
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.provenance.canonical import canonical_json, tagged_sha256
from providers.media import sha256_file
from providers.voice import Narration, VoiceEngine, WordTiming


@dataclass(frozen=True)
class SceneVoice:
    narration: Narration
    sha256: str  # tagged sha256 of the WAV


def _key(engine: VoiceEngine, text: str) -> str:
    info = engine.info
    body = {"engine": info.engine, "voice": info.voice, "model": info.model_sha256, "text": text}
    return tagged_sha256(canonical_json(body)).removeprefix("sha256:")


def _load(wav: Path, meta: Path) -> Narration | None:
    if not (wav.is_file() and meta.is_file()):
        return None
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        with wave.open(str(wav), "rb") as w:
            rate, n = w.getframerate(), w.getnframes()
        words = tuple(WordTiming(str(a), float(b), float(c)) for a, b, c in data["words"])
    except (OSError, ValueError, KeyError, TypeError, wave.Error):
        return None
    return Narration(path=wav, duration=n / rate, sample_rate=rate, words=words)


async def narrate_one(engine: VoiceEngine, text: str, cache_dir: Path) -> SceneVoice:
    key = _key(engine, text)
    wav, meta = cache_dir / f"{key}.wav", cache_dir / f"{key}.json"
    narration = _load(wav, meta)
    if narration is None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        narration = await engine.synthesize(text, wav)
        words = [[w.word, w.start, w.end] for w in narration.words]
        meta.write_text(json.dumps({"words": words}), encoding="utf-8")
    return SceneVoice(narration, "sha256:" + sha256_file(narration.path))


async def narrate_all(
    engine: VoiceEngine,
    texts: Sequence[str],
    cache_dir: Path,
    on_done: Callable[[int], None] | None = None,
) -> list[SceneVoice]:
    """Narrate scenes one after another: synthesis already uses every core."""
    voices: list[SceneVoice] = []
    for i, text in enumerate(texts):
        voices.append(await narrate_one(engine, text, cache_dir))
        if on_done:
            on_done(i + 1)
        await asyncio.sleep(0)
    return voices
