"""A minimal ctypes binding to the libespeak-ng shipped in the espeakng-loader wheel.

Only what narration needs: synchronous synthesis into memory with word events. The C API
(speak_lib.h, API revision 12) keeps global state — one output mode, one callback, one
current voice — so the library is initialised once per process and every synthesis holds
one lock from choosing the voice until the last sample has been collected.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from providers.errors import ConfigurationError, GenerationFailed

# espeak_AUDIO_OUTPUT: like RETRIEVAL (samples handed to our callback) but espeak_Synth only
# returns once the whole text has been spoken, so no polling is needed.
AUDIO_OUTPUT_SYNCHRONOUS = 2
# espeak_POSITION_TYPE and espeak_Synth flags.
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1
# espeak_EVENT_TYPE values we read.
EVENT_LIST_TERMINATED = 0
EVENT_WORD = 1
# espeak_PARAMETER
ESPEAK_RATE = 1
EE_OK = 0


class _EventId(ctypes.Union):
    # union { int number; const char *name; char string[8]; } id;
    _fields_ = (
        ("number", ctypes.c_int),
        ("name", ctypes.c_char_p),
        ("string", ctypes.c_char * 8),
    )


class EspeakEvent(ctypes.Structure):
    """espeak_EVENT, field for field (40 bytes on LP64)."""

    _fields_ = (
        ("type", ctypes.c_int),  # espeak_EVENT_TYPE (a C enum: int-sized)
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # characters from the start of the text, from 1
        ("length", ctypes.c_int),  # word length in characters (WORD events)
        ("audio_position", ctypes.c_int),  # milliseconds into this synthesis' audio
        ("sample", ctypes.c_int),  # internal
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    )


# int SynthCallback(short *wav, int numsamples, espeak_EVENT *events); return 0 to go on.
SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(EspeakEvent)
)


@dataclass
class SpokenText:
    """Raw output of one synthesis: int16 samples and (character index from 0, seconds)."""

    sample_rate: int
    samples: npt.NDArray[np.int16]
    word_events: list[tuple[int, float]] = field(default_factory=list)


class EspeakLibrary:
    """The process-wide libespeak-ng. Use `get_library()`; never construct two."""

    def __init__(self, library_path: str, data_path: str) -> None:
        try:
            self._lib = ctypes.CDLL(library_path)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot load libespeak-ng from {library_path}: {exc}", provider_id="espeak"
            ) from exc
        self._declare()
        rate = self._lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), 0)
        if rate <= 0:
            raise ConfigurationError(
                f"espeak_Initialize failed with data at {data_path}", provider_id="espeak"
            )
        self.sample_rate = int(rate)
        self.version = (self._lib.espeak_Info(None) or b"").decode()
        self._lock = threading.Lock()
        self._pcm: list[npt.NDArray[np.int16]] = []
        self._events: list[tuple[int, float]] = []
        # Keep the ctypes thunk alive for as long as the library may call it.
        self._callback = SYNTH_CALLBACK(self._on_audio)
        self._lib.espeak_SetSynthCallback(self._callback)

    def _declare(self) -> None:
        lib = self._lib
        lib.espeak_Initialize.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int)
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = (SYNTH_CALLBACK,)
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = (ctypes.c_char_p,)
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int)
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Info.argtypes = (ctypes.c_void_p,)
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_Synth.argtypes = (
            ctypes.c_void_p,  # text
            ctypes.c_size_t,  # size in bytes
            ctypes.c_uint,  # position
            ctypes.c_int,  # position_type
            ctypes.c_uint,  # end_position
            ctypes.c_uint,  # flags
            ctypes.c_void_p,  # unique_identifier (may be NULL)
            ctypes.c_void_p,  # user_data
        )
        lib.espeak_Synth.restype = ctypes.c_int

    def _on_audio(
        self,
        wav: ctypes._Pointer[ctypes.c_short],
        count: int,
        events: ctypes._Pointer[EspeakEvent],
    ) -> int:
        # Runs inside espeak_Synth, on the calling thread, while the lock is held.
        if wav and count > 0:
            self._pcm.append(np.ctypeslib.as_array(wav, shape=(count,)).astype(np.int16))
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            event = events[i]
            if event.type == EVENT_WORD:
                self._events.append((event.text_position - 1, event.audio_position / 1000.0))
            i += 1
        return 0

    def speak(self, text: str, voice: str, rate_wpm: int) -> SpokenText:
        """Synthesise `text` (UTF-8, no SSML) with `voice` at `rate_wpm` words per minute."""
        data = text.encode("utf-8") + b"\0"
        with self._lock:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != EE_OK:
                raise ConfigurationError(f"eSpeak NG has no voice {voice!r}", provider_id="espeak")
            self._lib.espeak_SetParameter(ESPEAK_RATE, rate_wpm, 0)
            self._pcm, self._events = [], []
            status = self._lib.espeak_Synth(
                data, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None
            )
            pcm, events = self._pcm, self._events
            self._pcm, self._events = [], []
        if status != EE_OK:
            raise GenerationFailed(f"espeak_Synth returned {status}", provider_id="espeak")
        samples = np.concatenate(pcm) if pcm else np.zeros(0, dtype=np.int16)
        return SpokenText(self.sample_rate, samples, events)


_LIBRARY: EspeakLibrary | None = None
_LIBRARY_LOCK = threading.Lock()


def get_library() -> EspeakLibrary:
    """The one initialised libespeak-ng of this process (loaded on first use)."""
    global _LIBRARY
    with _LIBRARY_LOCK:
        if _LIBRARY is None:
            _LIBRARY = EspeakLibrary(*_wheel_paths())
        return _LIBRARY


def _wheel_paths() -> tuple[str, str]:
    try:
        import espeakng_loader

        return str(espeakng_loader.get_library_path()), str(espeakng_loader.get_data_path())
    except (ImportError, RuntimeError) as exc:  # RuntimeError: the wheel lacks its data folder
        raise ConfigurationError(
            f"eSpeak NG is not installed (espeakng-loader): {exc}", provider_id="espeak"
        ) from exc
