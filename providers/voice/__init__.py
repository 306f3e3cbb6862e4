"""Offline narration: piper (neural, the default) and eSpeak NG (fast fallback).

    voice = default_voice()                      # piper if its model loads, else eSpeak NG
    narration = await voice.synthesize(text, Path("narration.wav"))
    manifest["voice"] = voice.info               # engine, voice, model sha256, licence, source

Word timings: eSpeak NG reports real word starts; piper's are estimated per sentence.
"""

from __future__ import annotations

import logging
import threading

from providers.errors import ConfigurationError
from providers.voice.base import Narration, VoiceEngine, VoiceInfo, WordTiming
from providers.voice.espeak_voice import EspeakEngine
from providers.voice.piper_voice import PiperEngine

__all__ = [
    "VOICES",
    "EspeakEngine",
    "Narration",
    "PiperEngine",
    "VoiceEngine",
    "VoiceInfo",
    "WordTiming",
    "default_voice",
    "get_voice",
]

VOICES = ("piper", "espeak")

_log = logging.getLogger(__name__)
# One engine per name and process, so the 63 MB piper model is loaded once, not per render.
_engines: dict[str, VoiceEngine] = {}
_engines_lock = threading.Lock()


def get_voice(name: str = "piper") -> VoiceEngine:
    """The shared engine called `name` ("piper" or "espeak").

    Raises ValueError for an unknown name and ConfigurationError when the engine's files are
    missing or unreadable (piper's model is checked here; it is loaded on first use, which
    raises ConfigurationError too if the model is corrupt).
    """
    if name not in VOICES:
        raise ValueError(f"unknown voice engine {name!r}; choose one of: {', '.join(VOICES)}")
    with _engines_lock:
        engine = _engines.get(name)
        if engine is None:
            engine = PiperEngine() if name == "piper" else EspeakEngine()
            _engines[name] = engine
        return engine


def default_voice() -> VoiceEngine:
    """piper when its voice is installed and readable, else eSpeak NG (with a warning)."""
    try:
        return get_voice("piper")
    except ConfigurationError as exc:
        _log.warning("piper voice unavailable, narrating with eSpeak NG instead: %s", exc)
        return get_voice("espeak")
