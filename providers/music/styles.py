"""What each mood sounds like, as data: tempo, harmony, instruments, form and mix.

Progressions are scale degrees counted from 0 (0 = I, 4 = V, 5 = vi in major). A form is a
cycle of sections, each a number of bars and the parts that play in it, so a ten-minute
track breathes (parts enter and drop out) instead of looping four bars forever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from providers.music.model import Mood


class Part(StrEnum):
    PAD = "pad"  # sustained detuned chord, slow attack and release
    BASS = "bass"  # chord root, low register
    ARP = "arp"  # plucked arpeggio through the chord
    BELL = "bell"  # sparse electric-piano-like melody notes
    KICK = "kick"  # soft sine kick
    HAT = "hat"  # short filtered-noise tick
    SWELL = "swell"  # chord an octave down that crescendos over its length
    BOOM = "boom"  # deep cinematic hit at a phrase start


MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)


@dataclass(frozen=True)
class Style:
    tempo: tuple[int, int]  # bpm range; the seed picks within it
    tonics: tuple[int, ...]  # MIDI pitch classes the seed picks the key from
    scale: tuple[int, ...]
    progressions: tuple[tuple[int, ...], ...]
    chord_size: int  # 3 = triads, 4 = sevenths
    bars_per_chord: int
    form: tuple[tuple[int, frozenset[Part]], ...]
    levels: Mapping[Part, float]  # linear gain per part
    # Rhythms, in beats from the chord's first beat: (beat, length in beats, semitones above
    # the root) for the bass; beats for the kick; (beat, velocity) for the hat.
    bass: tuple[tuple[float, float, int], ...] = ((0.0, 4.0, 0),)
    kick: tuple[float, ...] = ()
    hat: tuple[tuple[float, float], ...] = ()
    arp_step: float = 0.5  # beats between arpeggio notes
    bell_notes: tuple[int, int] = (1, 3)  # melody notes per bar (min, max)
    pad_attack: float = 0.8  # seconds
    pad_release: float = 1.6
    reverb_seconds: float = 2.2  # RT60 of the synthetic room
    reverb_send: float = 0.35
    master: float = 1.0


def _parts(*parts: Part) -> frozenset[Part]:
    return frozenset(parts)


P = Part
_EIGHTHS = tuple(i * 0.5 for i in range(8))
STYLES: Mapping[Mood, Style] = MappingProxyType(
    {
        Mood.CALM: Style(
            tempo=(66, 74),
            tonics=(0, 2, 5, 7),
            scale=MAJOR,
            progressions=((0, 5, 3, 4), (0, 3, 5, 4), (5, 3, 0, 4), (0, 4, 5, 3)),
            chord_size=4,
            bars_per_chord=1,
            form=(
                (4, _parts(P.PAD, P.BASS)),
                (8, _parts(P.PAD, P.BASS, P.BELL)),
                (8, _parts(P.PAD, P.BASS, P.BELL, P.ARP)),
                (4, _parts(P.PAD, P.BELL)),
            ),
            levels={P.PAD: 0.16, P.BASS: 0.15, P.BELL: 0.15, P.ARP: 0.07},
            arp_step=1.0,
            bell_notes=(1, 3),
            pad_attack=1.2,
            pad_release=2.2,
            reverb_seconds=2.8,
            reverb_send=0.45,
            master=0.88,
        ),
        Mood.UPBEAT: Style(
            tempo=(112, 124),
            tonics=(0, 2, 4, 5, 7),
            scale=MAJOR,
            progressions=((0, 4, 5, 3), (5, 3, 0, 4), (0, 5, 3, 4), (3, 0, 4, 5)),
            chord_size=3,
            bars_per_chord=1,
            form=(
                (4, _parts(P.PAD, P.ARP, P.HAT)),
                (16, _parts(P.PAD, P.ARP, P.BASS, P.KICK, P.HAT)),
                (4, _parts(P.PAD, P.ARP, P.BASS)),
                (16, _parts(P.PAD, P.ARP, P.BASS, P.KICK, P.HAT, P.BELL)),
            ),
            levels={
                P.PAD: 0.09,
                P.ARP: 0.14,
                P.BASS: 0.22,
                P.KICK: 0.30,
                P.HAT: 0.035,
                P.BELL: 0.08,
            },
            bass=tuple((b, 0.4, 12 if i % 4 == 3 else 0) for i, b in enumerate(_EIGHTHS)),
            kick=(0.0, 1.0, 2.0, 3.0),
            hat=tuple((b, 1.0 if i % 2 else 0.45) for i, b in enumerate(_EIGHTHS)),
            arp_step=0.25,
            bell_notes=(1, 2),
            pad_attack=0.4,
            pad_release=0.9,
            reverb_seconds=1.4,
            reverb_send=0.25,
            master=0.95,
        ),
        Mood.CINEMATIC: Style(
            tempo=(60, 68),
            tonics=(9, 2, 4, 7),
            scale=MINOR,
            progressions=((0, 5, 2, 6), (0, 3, 5, 4), (5, 6, 0, 0), (0, 6, 5, 6)),
            chord_size=3,
            bars_per_chord=2,
            form=(
                (8, _parts(P.PAD, P.BASS)),
                (16, _parts(P.PAD, P.SWELL, P.BASS, P.BOOM)),
                (16, _parts(P.PAD, P.SWELL, P.BASS, P.BOOM, P.BELL)),
                (8, _parts(P.PAD, P.BELL)),
            ),
            levels={
                P.PAD: 0.15,
                P.SWELL: 0.12,
                P.BASS: 0.15,
                P.BOOM: 0.2,
                P.BELL: 0.12,
            },
            bass=((0.0, 7.5, 0),),
            bell_notes=(0, 2),
            pad_attack=1.8,
            pad_release=3.0,
            reverb_seconds=3.2,
            reverb_send=0.5,
            master=0.9,
        ),
        Mood.CORPORATE: Style(
            tempo=(96, 108),
            tonics=(0, 2, 5, 7),
            scale=MAJOR,
            progressions=((3, 0, 4, 5), (0, 4, 5, 3), (0, 2, 5, 3), (5, 3, 0, 4)),
            chord_size=3,
            bars_per_chord=1,
            form=(
                (4, _parts(P.PAD, P.ARP)),
                (8, _parts(P.PAD, P.ARP, P.BASS)),
                (16, _parts(P.PAD, P.ARP, P.BASS, P.KICK, P.HAT)),
                (4, _parts(P.PAD, P.ARP, P.BELL)),
            ),
            levels={
                P.PAD: 0.10,
                P.ARP: 0.16,
                P.BASS: 0.22,
                P.KICK: 0.26,
                P.HAT: 0.03,
                P.BELL: 0.09,
            },
            bass=((0.0, 0.9, 0), (1.0, 0.9, 0), (2.0, 0.9, 7), (3.0, 0.9, 0)),
            kick=(0.0, 2.0),
            hat=tuple((i * 0.25, 0.9 if i % 2 else 0.4) for i in range(16)),
            arp_step=0.5,
            bell_notes=(1, 2),
            pad_attack=0.6,
            pad_release=1.2,
            reverb_seconds=1.6,
            reverb_send=0.3,
        ),
    }
)
