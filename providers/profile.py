"""Provider profiles: what each provider can make and costs, and what is known of its sourcing.

A profile is data, not code. The built-in catalog (`providers/catalog.yaml`) is validated by the
pydantic models below, optionally deep-merged with a user's override file first, and exposed as a
`Catalog` whose canonical JSON is hashed into every render manifest.

Contracts
- Every sourcing fact is an `Evidence` record `{value, basis, source, as_of}`. `"unknown"` is a
  first-class value: a fact the sources do not establish is recorded as unknown, never guessed.
- Fitness scores are reelroute's editorial judgement and say so in their `source`.
- `load_catalog` raises `CatalogError` whose every issue names the file, line and field.
- Files are read and parsed by `providers.documents` (shared with `routing.policy`), which caps
  their size, requires UTF-8 and refuses YAML anchors/aliases and deep nesting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from providers.documents import (
    DocPath,
    DocumentError,
    SourceMap,
    canonical_json,
    decode_document,
    deep_merge,
    parse_document,
    read_document,
    validation_issues,
)
from providers.types import Aspect, SceneKind

UNKNOWN: Literal["unknown"] = "unknown"
Unknown = Literal["unknown"]
CATALOG_SCHEMA = "reelroute.catalog/1"
_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class Basis(StrEnum):
    """How well a fact is established."""

    PRIMARY = "primary"  # the provider's own docs, SDK source or statement
    SECONDARY = "secondary"  # gateways, mirrors, third-party code or transcriptions
    PRESS = "press"  # news reporting
    GENERAL_KNOWLEDGE = "general-knowledge"  # widely known, not confirmed from a read source
    UNCONFIRMED = "unconfirmed"  # thin or conflicting evidence; do not build on it
    EDITORIAL = "editorial"  # reelroute's own judgement


class AccessKind(StrEnum):
    """How reelroute reaches the model."""

    OFFICIAL_API = "official_api"  # the model maker's own API
    RESELLER = "reseller"  # a third party resells access (e.g. fal.ai for Pika)
    SELF_HOSTED = "self_hosted"  # runs on the user's own machine; no middleman at all


class Disclosure(StrEnum):
    """How much a provider has disclosed about its training data."""

    NONE = "none"  # nothing beyond generic statements
    PARTIAL = "partial"  # categories or some named sources
    FULL = "full"  # a complete account (or, for procedural renderers, no training data)
    UNKNOWN = "unknown"  # our sources do not say


DISCLOSURE_RANK: Mapping[Disclosure, int] = {
    Disclosure.NONE: 0,
    Disclosure.PARTIAL: 1,
    Disclosure.FULL: 2,
}


class CredentialKind(StrEnum):
    """Provenance signals a provider embeds in its output."""

    C2PA = "c2pa"  # a C2PA manifest
    SYNTHID = "synthid"  # Google's invisible watermark
    VISIBLE_WATERMARK = "visible-watermark"  # a visible mark in the picture


class AllegationStatus(StrEnum):
    """Where a public allegation stands."""

    ALLEGED = "alleged"  # claimed, not answered or not adjudicated
    DISPUTED = "disputed"  # the accused party contests it
    CONFIRMED = "confirmed"  # admitted or established by a ruling
    CLEARED = "cleared"  # withdrawn or found unfounded; never excludes


ALLEGATION_RANK: Mapping[AllegationStatus, int] = {
    AllegationStatus.ALLEGED: 0,
    AllegationStatus.DISPUTED: 1,
    AllegationStatus.CONFIRMED: 2,
}


class LifecycleStatus(StrEnum):
    ACTIVE = "active"  # callable
    RETIRED = "retired"  # shut down by the vendor; never routed to


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


T = TypeVar("T")
Slug = Annotated[str, Field(pattern=_ID_PATTERN)]
Text = Annotated[str, Field(min_length=1)]
Score01 = Annotated[float, Field(ge=0.0, le=1.0)]


class Evidence(_Frozen, Generic[T]):
    """One fact with where it comes from. `as_of` is the date of the source (or of its reading)."""

    value: T
    basis: Basis
    source: Text
    as_of: dt.date
    note: str = ""


class DurationRange(_Frozen):
    """Any duration in [min, max]; with `step`, only min + k*step (billing rounds up)."""

    min: Annotated[float, Field(gt=0)]
    max: Annotated[float, Field(gt=0)]
    step: Annotated[float, Field(gt=0)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> DurationRange:
        if self.max < self.min:
            raise ValueError("max must be >= min")
        return self


class Lifecycle(_Frozen):
    status: LifecycleStatus = LifecycleStatus.ACTIVE
    date: dt.date | None = None  # retirement date; required when retired
    source: str = ""

    @model_validator(mode="after")
    def _dated(self) -> Lifecycle:
        if self.status is LifecycleStatus.RETIRED and (self.date is None or not self.source):
            raise ValueError("a retired model needs a date and a source")
        return self


class ModelProfile(_Frozen):
    """One model of a provider. `durations` is a list of accepted values or a range."""

    id: Text
    label: Text
    text_to_video: bool
    image_to_video: bool
    durations: Annotated[tuple[Annotated[float, Field(gt=0)], ...], Field(min_length=1)] | (
        DurationRange
    )
    aspects: Annotated[tuple[Aspect, ...], Field(min_length=1)]
    resolutions: tuple[Text, ...] | Unknown
    audio: bool | Unknown
    price_per_second_usd: Evidence[Annotated[float, Field(ge=0)] | Unknown]
    typical_latency_s: Annotated[float, Field(gt=0)] | Unknown
    lifecycle: Lifecycle = Lifecycle()
    # Editorial, like `Fitness`: added to the provider's fitness for this model (older or lite
    # models of a provider are a little less fit than its flagship).
    fitness_adjust: Annotated[float, Field(ge=-0.5, le=0.5)] = 0.0
    # The invisible watermark the vendor says this model embeds (e.g. "synthid"); None when the
    # catalog has no evidence either way, which the manifest reports as unknown.
    watermark: Evidence[Text | Unknown] | None = None
    source: Text  # where the capabilities above come from
    note: str = ""

    def fitness(self, provider: ProviderProfile, kind: SceneKind) -> float:
        """The provider's editorial fitness for `kind`, adjusted for this model, in 0..1."""
        return min(1.0, max(0.0, provider.fitness.scores[kind] + self.fitness_adjust))

    def billed_seconds(self, wanted: float, slack: float = 0.0) -> float | None:
        """Seconds we would ask for (and pay) to cover `wanted`; None when the model can't.

        A clip may be up to `slack` seconds shorter than wanted (the composer holds the last
        frame); longer clips are trimmed, so the smallest accepted duration >= wanted wins.
        """
        need = max(wanted - slack, 0.0)
        if isinstance(self.durations, DurationRange):
            return _snap_to_range(self.durations, need, wanted)
        fitting = sorted(d for d in self.durations if d >= need)
        return fitting[0] if fitting else None

    def cost_usd(self, wanted: float, slack: float = 0.0) -> float | None:
        """Price of covering `wanted` seconds; None if the price is unknown or it can't."""
        price = self.price_per_second_usd.value
        seconds = self.billed_seconds(wanted, slack)
        if price == UNKNOWN or seconds is None:
            return None
        return round(price * seconds, 6)


def _snap_to_range(rng: DurationRange, need: float, wanted: float) -> float | None:
    if need > rng.max:
        return None
    target = min(max(wanted, rng.min), rng.max)
    if rng.step is None:
        return round(target, 6)
    steps = math.ceil(round((target - rng.min) / rng.step, 9))
    return round(min(rng.min + steps * rng.step, rng.max), 6)


class Fitness(_Frozen):
    """Per-SceneKind suitability, 0..1. Editorial: reelroute's judgement, not a benchmark."""

    source: Text
    as_of: dt.date
    scores: dict[SceneKind, Score01]

    @model_validator(mode="after")
    def _complete(self) -> Fitness:
        missing = [k.value for k in SceneKind if k not in self.scores]
        if missing:
            raise ValueError(f"missing scene kinds: {', '.join(missing)}")
        return self


class Allegation(_Frozen):
    """A public allegation about the provider or its parent company."""

    topic: Slug  # e.g. unauthorized-distillation, unlicensed-training-data
    by: Text
    status: AllegationStatus
    summary: Text
    source: Text
    as_of: dt.date
    basis: Basis = Basis.PRIMARY
    note: str = ""


class SourcingFacts(_Frozen):
    access_kind: Evidence[AccessKind]
    training_data: Evidence[Disclosure]
    content_credentials: Evidence[tuple[CredentialKind, ...] | Unknown]
    open_weights: Evidence[bool | Unknown]
    allegations: tuple[Allegation, ...] = ()


class AccessRoute(_Frozen):
    """How we call it: a human description and the default base URL ('' for local)."""

    via: Text
    base_url: str


class ProviderProfile(_Frozen):
    """Everything the router knows about one provider. Models are keyed by model id."""

    id: Slug
    vendor: Text
    headquarters: Evidence[Annotated[str, Field(pattern=r"^([A-Z]{2}|unknown|n/a)$")]]
    access: AccessRoute
    models: dict[str, ModelProfile]
    fitness: Fitness
    sourcing: SourcingFacts
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _inject_model_ids(cls, data: Any) -> Any:
        # In YAML the model id is the mapping key; copy it in so each ModelProfile knows it.
        return _inject_ids(data, "models")

    @model_validator(mode="after")
    def _model_ids_match(self) -> ProviderProfile:
        for key, model in self.models.items():
            if model.id != key:
                raise ValueError(f"model {key!r} declares id {model.id!r}")
        if not self.models:
            raise ValueError("a provider needs at least one model")
        return self

    def iter_models(self) -> Iterator[ModelProfile]:
        """Models in id order (deterministic)."""
        return iter(self.models[k] for k in sorted(self.models))


class CatalogDocument(_Frozen):
    """The file format of catalog.yaml (and of an override file, after merging)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: Literal["reelroute.catalog/1"] = Field("reelroute.catalog/1", alias="schema")
    providers: dict[str, ProviderProfile]

    @model_validator(mode="before")
    @classmethod
    def _inject_provider_ids(cls, data: Any) -> Any:
        return _inject_ids(data, "providers")

    @model_validator(mode="after")
    def _provider_ids_match(self) -> CatalogDocument:
        for key, profile in self.providers.items():
            if profile.id != key:
                raise ValueError(f"provider {key!r} declares id {profile.id!r}")
        return self


def _inject_ids(data: Any, field: str) -> Any:
    if not isinstance(data, dict) or not isinstance(data.get(field), dict):
        return data
    items = {k: ({"id": k, **v} if isinstance(v, dict) else v) for k, v in data[field].items()}
    return {**data, field: items}


@dataclass(frozen=True)
class Catalog:
    """The effective catalog: built-in profiles, merged with a user's file when given."""

    profiles: tuple[ProviderProfile, ...]  # sorted by provider id
    origins: tuple[str, ...]  # the files it was built from, in merge order

    def get(self, provider_id: str) -> ProviderProfile:
        """The profile with that id; KeyError naming the known ids otherwise."""
        for profile in self.profiles:
            if profile.id == provider_id:
                return profile
        known = ", ".join(p.id for p in self.profiles)
        raise KeyError(f"unknown provider {provider_id!r} (known: {known})")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.profiles)

    def canonical_json(self) -> str:
        """Sorted-key, compact JSON of the effective catalog: the input of `sha256`."""
        doc = {
            "schema": CATALOG_SCHEMA,
            "providers": {p.id: p.model_dump(mode="json") for p in self.profiles},
        }
        return canonical_json(doc)

    @property
    def sha256(self) -> str:
        """`sha256:<hex>` of `canonical_json()`; changes whenever any effective fact changes."""
        return "sha256:" + hashlib.sha256(self.canonical_json().encode()).hexdigest()


class CatalogError(DocumentError):
    """The built-in catalog or a user's override file is invalid."""


BUILTIN_NAME = "providers/catalog.yaml"


def load_catalog(extra: Path | None = None) -> Catalog:
    """Load the built-in catalog, deep-merged with `extra` when given.

    Merge rules: mappings merge key by key (so a user can change one field of one model), any
    other value replaces the built-in one (lists included), and `null` deletes a key (e.g. a
    model). New providers and models may be added. Raises `CatalogError`.
    """
    raw = resources.files("providers").joinpath("catalog.yaml").read_bytes()
    text = decode_document(raw, BUILTIN_NAME, CatalogError)
    data, smap = parse_document(text, BUILTIN_NAME, CatalogError)
    origins = [BUILTIN_NAME]
    if extra is not None:
        user, user_map = _read_override(extra)
        data = deep_merge(data, user)
        smap = smap.overlay(user_map)
        origins.append(str(extra))
    mismatched = [smap.issue(path, msg) for path, msg in _id_mismatches(data)]
    if mismatched:
        raise CatalogError(mismatched)
    try:
        doc = CatalogDocument.model_validate(data)
    except ValidationError as exc:
        raise CatalogError(validation_issues(exc, smap)) from exc
    profiles = tuple(doc.providers[k] for k in sorted(doc.providers))
    return Catalog(profiles=profiles, origins=tuple(origins))


def _read_override(path: Path) -> tuple[dict[str, Any], SourceMap]:
    text = read_document(path, CatalogError)
    data, smap = parse_document(text, str(path), CatalogError)
    if not isinstance(data, dict):
        raise CatalogError([f"{path}:1: expected a mapping with a 'providers' key"])
    return data, smap


def _id_mismatches(data: Any) -> Iterator[tuple[DocPath, str]]:
    # Ids come from mapping keys; an explicit `id` that disagrees is a typo worth a precise line.
    for pid, body in _dict_items(data, "providers"):
        if body.get("id", pid) != pid:
            yield ("providers", pid, "id"), f"must equal the key {pid!r}"
        for mid, model in _dict_items(body, "models"):
            if model.get("id", mid) != mid:
                yield ("providers", pid, "models", mid, "id"), f"must equal the key {mid!r}"


def _dict_items(data: Any, key: str) -> list[tuple[str, dict[str, Any]]]:
    inner = data.get(key) if isinstance(data, dict) else None
    if not isinstance(inner, dict):
        return []
    return [(str(k), v) for k, v in inner.items() if isinstance(v, dict)]
