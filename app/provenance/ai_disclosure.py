"""Which generative models made part of a render, and the C2PA 2.4 `c2pa.ai-disclosure`
assertion for each, derived from the manifest alone (the writer and `verify` share this).

A model is generative here when its element's source type is `trainedAlgorithmicMedia`: a
vendor video model for scenes, a neural voice (Piper, cloud TTS) for the narration. The
procedural renderer, eSpeak and the procedural music are algorithmic and get no disclosure.

`humanOversightLevel` is `human_validated` when the manifest records that a person approved the
plan (`approval`), and `prompt_guided` otherwise (the CLI: a prompt went in, nobody checked the
plan). c2pa-python 0.38 (c2pa-rs 0.91) has no typed form of this assertion: it signs and reads
it back as opaque JSON, so its field names follow the 2.4 description in issue 15 (model type,
name, identifier, contentProfile.humanOversightLevel); see the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.provenance.manifest_model import Manifest
from app.provenance.source_types import TRAINED

LABEL = "c2pa.ai-disclosure"
HUMAN_VALIDATED = "human_validated"
PROMPT_GUIDED = "prompt_guided"


@dataclass(frozen=True)
class GenerativeModel:
    identifier: str  # provider/model, or engine/voice for a narration
    name: str  # the catalog's label (or the voice name)
    model_type: str  # "video" | "audio"
    scenes: tuple[int, ...]  # 1-based scene numbers it made (every scene for a narration)


def oversight_level(manifest: Manifest) -> str:
    return HUMAN_VALIDATED if manifest.approval is not None else PROMPT_GUIDED


def generative_models(manifest: Manifest) -> list[GenerativeModel]:
    """Every trained model that made part of the output, in order of first appearance."""
    found: dict[str, GenerativeModel] = {}
    for scene in manifest.scenes:
        if scene.source_type != TRAINED:
            continue
        ref = scene.clip.ref
        prior = found.get(ref)
        numbers = (prior.scenes if prior else ()) + (scene.number,)
        name = scene.clip.model_version or scene.clip.model
        found[ref] = GenerativeModel(ref, name, "video", numbers)
    voice = manifest.voice
    if voice.source_type == TRAINED:
        ref = f"{voice.engine}/{voice.voice}"
        found[ref] = GenerativeModel(
            ref, voice.voice, "audio", tuple(s.number for s in manifest.scenes)
        )
    return list(found.values())


def disclosure_assertions(manifest: Manifest) -> list[dict[str, Any]]:
    """One `c2pa.ai-disclosure` assertion (label and data) per generative model."""
    level = oversight_level(manifest)
    return [
        {
            "label": LABEL,
            "data": {
                "modelType": m.model_type,
                "modelName": m.name,
                "modelIdentifier": m.identifier,
                "contentProfile": {"humanOversightLevel": level},
                # Ingredient ids, not numbers: c2pa-rs turns a JSON list of small integers
                # into a CBOR byte string, which reads back as base64.
                "org.reelroute.scenes": [f"scene-{n}" for n in m.scenes],
            },
        }
        for m in generative_models(manifest)
    ]
