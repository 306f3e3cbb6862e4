"""Narrate every scene, reusing cached audio for text the same voice has spoken before.

The cache holds `<key>.wav` and a `<key>.json` sidecar with the WAV's sha256 and the word
timings; an entry whose WAV no longer matches that sha256 is a miss, as in the clip cache
(`app.pipeline.cache`). With a shared store (the bucket's `narration/`, split workers) an entry
one worker made is fetched by the others instead of synthesized again: a voice that samples
noise (piper) then gives every step of a render, the draft's included, the same take. Two
workers synthesizing the same text at once may still each keep their own take."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import wave
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.provenance.canonical import canonical_json, tagged_sha256
from providers.media import sha256_file
from providers.voice import Narration, VoiceEngine, WordTiming

if TYPE_CHECKING:
    from app.pipeline.cache import ClipStore

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SceneVoice:
    narration: Narration
    sha256: str  # tagged sha256 of the WAV


def _key(engine: VoiceEngine, text: str) -> str:
    info = engine.info
    body = {"engine": info.engine, "voice": info.voice, "model": info.model_sha256, "text": text}
    return tagged_sha256(canonical_json(body)).removeprefix("sha256:")


def _load(wav: Path, meta: Path) -> SceneVoice | None:
    """The cached narration, or None when it is missing, unreadable or no longer hashes to the
    sha256 its sidecar recorded (a damaged cache costs a re-synthesis, never a wrong voice)."""
    if not (wav.is_file() and meta.is_file()):
        return None
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        recorded = str(data["sha256"])
        if "sha256:" + sha256_file(wav) != recorded:
            return None
        with wave.open(str(wav), "rb") as w:
            rate, n = w.getframerate(), w.getnframes()
        words = tuple(WordTiming(str(a), float(b), float(c)) for a, b, c in data["words"])
    except (OSError, ValueError, KeyError, TypeError, wave.Error, ZeroDivisionError):
        return None
    return SceneVoice(
        Narration(path=wav, duration=n / rate, sample_rate=rate, words=words), recorded
    )


def _store_meta(meta: Path, narration: Narration, sha256: str) -> None:
    words = [[w.word, w.start, w.end] for w in narration.words]
    tmp = meta.with_suffix(".json.partial")
    tmp.write_text(json.dumps({"sha256": sha256, "words": words}), encoding="utf-8")
    tmp.replace(meta)  # the sidecar appears whole, after the WAV it vouches for


_speaking: dict[Path, tuple[asyncio.Lock, int]] = {}  # cache entry -> (its lock, its users)


@contextlib.asynccontextmanager
async def _alone(entry: Path) -> AsyncIterator[None]:
    """One narration of a cache entry at a time in this process (a worker's draft step and
    scene step may ask for the same text at once): the second one reuses the first's."""
    lock, users = _speaking.get(entry, (asyncio.Lock(), 0))
    _speaking[entry] = (lock, users + 1)
    try:
        async with lock:
            yield
    finally:
        lock, users = _speaking[entry]
        if users == 1:
            del _speaking[entry]
        else:
            _speaking[entry] = (lock, users - 1)


async def narrate_one(
    engine: VoiceEngine, text: str, cache_dir: Path, shared: ClipStore | None = None
) -> SceneVoice:
    key = _key(engine, text)
    async with _alone(cache_dir / key):
        return await _narrate_one(engine, text, cache_dir, key, shared)


async def _narrate_one(
    engine: VoiceEngine, text: str, cache_dir: Path, key: str, shared: ClipStore | None
) -> SceneVoice:
    wav, meta = cache_dir / f"{key}.wav", cache_dir / f"{key}.json"
    if shared is not None and shared.root != cache_dir:
        shared = None  # another folder than the store's working copy: kept to itself
    cached = _load(wav, meta)
    if cached is None and shared is not None:
        cached = await asyncio.to_thread(_fetch, shared, wav, meta)
    if cached is not None:
        return cached
    cache_dir.mkdir(parents=True, exist_ok=True)
    meta.unlink(missing_ok=True)  # a sidecar never outlives the WAV it described
    narration = await engine.synthesize(text, wav)
    sha256 = "sha256:" + sha256_file(narration.path)
    _store_meta(meta, narration, sha256)
    if shared is not None:
        await asyncio.to_thread(_share, shared, wav, meta)
    return SceneVoice(narration, sha256)


def _fetch(shared: ClipStore, wav: Path, meta: Path) -> SceneVoice | None:
    """The shared store's entry, copied here; None when it has none (or a broken one)."""
    for path in (wav, meta):
        path.unlink(missing_ok=True)  # a local leftover that did not load
    try:
        found = shared.pull(meta.name) and shared.pull(wav.name)
    except OSError as exc:
        _log.warning("narration %s not fetched from the shared store: %s", wav.stem, exc)
        return None
    return _load(wav, meta) if found else None


def _share(shared: ClipStore, wav: Path, meta: Path) -> None:
    """The WAV, then the sidecar that vouches for it; a failure costs other workers a synthesis."""
    try:
        shared.push(wav.name)
        shared.push(meta.name)
    except OSError as exc:
        _log.warning("narration %s not shared: %s", wav.stem, exc)


def scenes_at_once() -> int:
    """How many scenes to synthesise side by side: one per core (at most four).

    A one-sentence scene runs in one onnxruntime thread (piper runs sentences, not a scene, in
    parallel), so scenes spoken one after another left the second core idle: the 36 scenes of
    bench R6 took 20.8 s cold on 2 cores."""
    return max(1, min(4, os.cpu_count() or 1))


async def narrate_all(
    engine: VoiceEngine,
    texts: Sequence[str],
    cache_dir: Path,
    on_done: Callable[[int], None] | None = None,
    at_once: int | None = None,
    *,
    shared: ClipStore | None = None,
) -> list[SceneVoice]:
    """Narrate scenes, `at_once` at a time (default `scenes_at_once`), in scene order: each
    text is spoken by the same `narrate_one` as alone, so the cache and the audio are as if
    spoken one by one. A text said by several scenes is spoken once (two syntheses would race
    for one cache entry). `on_done(k)` reports k scenes done; `shared` is the store other
    machines share narrations through (`narrate_one`)."""
    unique = list(dict.fromkeys(texts))
    gate = asyncio.Semaphore(at_once or scenes_at_once())
    said: dict[str, SceneVoice] = {}
    done = 0

    async def one(text: str) -> None:
        nonlocal done
        async with gate:
            said[text] = await narrate_one(engine, text, cache_dir, shared)
        done += texts.count(text)
        if on_done:
            on_done(done)

    tasks = [asyncio.ensure_future(one(t)) for t in unique]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:  # the first failure stops the others, as it did one by one
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return [said[t] for t in texts]
