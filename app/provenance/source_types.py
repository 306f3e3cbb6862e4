"""What made each element of a render, in the IPTC digital source type vocabulary.

The vocabulary (http://cv.iptc.org/newscodes/digitalsourcetype/) names, among others:

* `trainedAlgorithmicMedia`: made by a model trained on sampled content (a vendor video model,
  a neural voice such as Piper, a cloud TTS);
* `algorithmicMedia`: made purely by an algorithm not based on sampled training data (the
  built-in procedural scene renderer, eSpeak's formant synthesis, the procedural music);
* `compositeWithTrainedAlgorithmicMedia`: a mix of elements, at least one trained-model made;
* `compositeSynthetic`: a mix of elements that are all synthetic (none captured from life);
* `composite`: a mix of elements, some of which may or may not be synthetic.

The whole output's type follows from its parts by those definitions (`whole_source_type`), so
a render made only by the procedural renderer, eSpeak and the procedural music is declared
`compositeSynthetic`, never `compositeWithTrainedAlgorithmicMedia`.

The manifest stores the short terms; C2PA assertions carry the full URIs (`uri`).
"""

from __future__ import annotations

from collections.abc import Iterable

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED = "trainedAlgorithmicMedia"
ALGORITHMIC = "algorithmicMedia"
COMPOSITE_TRAINED = "compositeWithTrainedAlgorithmicMedia"
COMPOSITE_SYNTHETIC = "compositeSynthetic"
COMPOSITE = "composite"
# Terms for elements made without any capture from real life.
SYNTHETIC = frozenset({TRAINED, ALGORITHMIC, COMPOSITE_TRAINED, COMPOSITE_SYNTHETIC})

PROCEDURAL_PROVIDERS = frozenset({"local"})  # providers.local draws scenes procedurally
# Voices whose engine is a rule-based synthesiser; every other engine (Piper, cloud TTS, one we
# do not know) is taken as a trained model, so an unknown engine never claims too little.
ALGORITHMIC_VOICE_ENGINES = frozenset({"espeak", "espeak-ng"})
PROCEDURAL_MUSIC_PREFIX = "reelroute procedural music"


def uri(term: str) -> str:
    """The vocabulary URI of a short term (C2PA's `digitalSourceType` takes URIs)."""
    return IPTC + term


def term_of(value: str) -> str:
    """The short term of a vocabulary URI (or of a term)."""
    return value.removeprefix(IPTC)


def visual_source_type(provider: str) -> str:
    return ALGORITHMIC if provider in PROCEDURAL_PROVIDERS else TRAINED


def voice_source_type(engine: str) -> str:
    return ALGORITHMIC if engine.lower() in ALGORITHMIC_VOICE_ENGINES else TRAINED


def music_source_type(source: str) -> str:
    """Procedural music is algorithmic; any other source is licensed music whose making we
    cannot vouch for, so it is declared a plain `composite` element by `whole_source_type`."""
    return ALGORITHMIC if source.startswith(PROCEDURAL_MUSIC_PREFIX) else COMPOSITE


def whole_source_type(parts: Iterable[str]) -> str:
    """The digital source type of a composite of `parts`, by the vocabulary's definitions."""
    found = set(parts)
    if TRAINED in found or COMPOSITE_TRAINED in found:
        return COMPOSITE_TRAINED
    if found and found <= SYNTHETIC:
        return COMPOSITE_SYNTHETIC
    return COMPOSITE
