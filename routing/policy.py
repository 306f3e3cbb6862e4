"""An agency's routing policy: who may make its scenes, and what it prefers among them.

The vocabulary reuses OpenRouter's provider routing (`only`, `ignore`, `order`,
`allow_fallbacks`, `sort`, `max_price`) and adds sourcing rules, allegation exclusions,
per-scene-kind overrides, a per-video budget and disclosure options. See
`examples/policies/` for commented files.

Contracts
- `parse_policy` / `load_policy` accept YAML or JSON and raise `PolicyError`, each issue naming
  the file, line and field (`policy.yaml:12: sourcing.official_apii: unknown field`). Provider
  and model ids are checked against a catalog; contradictions (a provider both allowed and
  ignored, a jurisdiction both allowed and denied, ...) are load-time errors.
- Scene-kind overrides can only narrow hard rules (`only` intersects, `ignore` adds,
  `max_price` takes the lower); soft preferences (`order`, `sort`) replace. So an override can
  never re-admit a provider the top level excluded.
- `canonical_json()` / `sha256` identify the policy in the render manifest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from providers.profile import (
    AllegationStatus,
    Catalog,
    CredentialKind,
    DocPath,
    DocumentError,
    canonical_json,
    load_catalog,
    parse_document,
    validation_issues,
)
from providers.types import SceneKind

# EU member states, so a policy can say `allow: [EU]` instead of listing 27 codes.
# fmt: off
EU_MEMBERS = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})
# fmt: on


class PolicyError(DocumentError):
    """A policy file is invalid; `issues` lists `file:line: field: problem` strings."""


class SortKey(StrEnum):
    QUALITY = "quality"  # scene-kind fitness weighs most
    PRICE = "price"  # cheapest per second weighs most
    LATENCY = "latency"  # fastest typical turnaround weighs most


class UnknownFacts(StrEnum):
    ALLOW = "allow"  # an unknown fact does not exclude (the decision still shows it)
    EXCLUDE = "exclude"  # a provider whose relevant fact is unknown is excluded


class LabelPosition(StrEnum):
    TOP_LEFT = "top_left"
    TOP_RIGHT = "top_right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM_RIGHT = "bottom_right"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


ProviderId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
ModelRef = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")]
Price = Annotated[float, Field(ge=0)]
Jurisdiction = Annotated[str, Field(pattern=r"^([A-Z]{2}|EU)$")]


class SceneOverride(_Strict):
    """Per-SceneKind changes. Hard rules only narrow; `order`/`sort` replace."""

    only: tuple[ProviderId, ...] | None = None
    ignore: tuple[ProviderId, ...] = ()
    order: tuple[ProviderId, ...] | None = None
    sort: SortKey | None = None
    max_price: Price | None = None


class ModelFilter(_Strict):
    """Model-level allow/deny lists of `provider/model` ids."""

    only: tuple[ModelRef, ...] | None = None
    ignore: tuple[ModelRef, ...] = ()


class Budget(_Strict):
    per_video_usd: Price | None = None


class Jurisdictions(_Strict):
    """ISO 3166-1 alpha-2 codes of the provider's headquarters; `EU` means every member state."""

    allow: tuple[Jurisdiction, ...] = ()
    deny: tuple[Jurisdiction, ...] = ()

    @field_validator("allow", "deny", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return tuple(v.upper() if isinstance(v, str) else v for v in value)
        return value


class Sourcing(_Strict):
    """Hard sourcing requirements. The defaults require nothing."""

    official_api: bool = False  # true: no resellers (self-hosted counts as official)
    min_training_data_disclosure: Literal["none", "partial", "full"] = "none"
    # true: at least one credential of any kind; a list: at least one of those kinds.
    require_content_credentials: bool | tuple[CredentialKind, ...] = False
    open_weights: bool | None = None  # None: don't care
    jurisdictions: Jurisdictions = Jurisdictions()


class AllegationRules(_Strict):
    """Exclude providers with an allegation on these topics at or above `min_status`."""

    exclude_topics: tuple[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")], ...] = ()
    min_status: Literal["alleged", "disputed", "confirmed"] = "alleged"


class DisclosureOptions(_Strict):
    """The visible AI label burned into outputs (the disclosure track is always written)."""

    visible_label: bool = True
    label_text: Annotated[str, Field(min_length=1, max_length=80)] = "AI-generated"
    label_position: LabelPosition = LabelPosition.BOTTOM_RIGHT


class Policy(_Strict):
    """A whole routing policy. Construct through `parse_policy`/`load_policy` for id checks."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    name: str = ""
    version: Annotated[int, Field(ge=1)] = 1
    only: tuple[ProviderId, ...] | None = None
    ignore: tuple[ProviderId, ...] = ()
    order: tuple[ProviderId, ...] = ()
    allow_fallbacks: bool = True
    sort: SortKey = SortKey.QUALITY
    max_price: Price | None = None  # USD per second of output
    models: ModelFilter = ModelFilter()
    budget: Budget = Budget()
    sourcing: Sourcing = Sourcing()
    allegations: AllegationRules = AllegationRules()
    unknown_facts: UnknownFacts = UnknownFacts.ALLOW
    scene_kinds: dict[SceneKind, SceneOverride] = {}
    disclosure: DisclosureOptions = DisclosureOptions()

    def rules_for(self, kind: SceneKind) -> SceneRules:
        """The provider-selection rules in force for one scene kind (overrides applied)."""
        base = SceneRules(
            only=frozenset(self.only) if self.only is not None else None,
            ignore=frozenset(self.ignore),
            order=self.order,
            sort=self.sort,
            max_price=self.max_price,
        )
        override = self.scene_kinds.get(kind)
        return base if override is None else base.narrowed_by(override)

    def canonical_json(self) -> str:
        """Every field (defaults included), sorted keys, compact: what the manifest hashes."""
        return canonical_json(self.model_dump(mode="json"))

    @property
    def sha256(self) -> str:
        """`sha256:<hex>` of `canonical_json()`."""
        return "sha256:" + hashlib.sha256(self.canonical_json().encode()).hexdigest()

    @property
    def min_allegation_status(self) -> AllegationStatus:
        return AllegationStatus(self.allegations.min_status)


@dataclass(frozen=True)
class SceneRules:
    """Provider selection for one scene kind, after applying that kind's override."""

    only: frozenset[str] | None
    ignore: frozenset[str]
    order: tuple[str, ...]
    sort: SortKey
    max_price: float | None

    def narrowed_by(self, override: SceneOverride) -> SceneRules:
        only = self.only
        if override.only is not None:
            wanted = frozenset(override.only)
            only = wanted if only is None else only & wanted
        max_price = self.max_price
        if override.max_price is not None:
            max_price = min(p for p in (max_price, override.max_price) if p is not None)
        return SceneRules(
            only=only,
            ignore=self.ignore | frozenset(override.ignore),
            order=override.order if override.order is not None else self.order,
            sort=override.sort or self.sort,
            max_price=max_price,
        )


def expand_jurisdictions(codes: Iterable[str]) -> frozenset[str]:
    """Country codes with `EU` replaced by its member states."""
    out: set[str] = set()
    for code in codes:
        out |= EU_MEMBERS if code == "EU" else {code}
    return frozenset(out)


def load_policy(path: Path | str, catalog: Catalog | None = None) -> Policy:
    """Read and validate a policy file (YAML or JSON). Ids are checked against `catalog`
    (the built-in catalog when None). Raises `PolicyError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError([f"{path}: cannot read: {exc.strerror}"]) from exc
    return parse_policy(text, str(path), catalog)


def parse_policy(text: str, name: str = "<policy>", catalog: Catalog | None = None) -> Policy:
    """Validate policy text; `name` prefixes every error. Raises `PolicyError`."""
    data, smap = parse_document(text, name, PolicyError)
    if not isinstance(data, dict):
        raise PolicyError([f"{name}:1: a policy must be a mapping of fields"])
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(validation_issues(exc, smap)) from exc
    issues = [smap.issue(path, msg) for path, msg in semantic_issues(policy, catalog)]
    if issues:
        raise PolicyError(issues)
    return policy


def semantic_issues(policy: Policy, catalog: Catalog | None = None) -> list[tuple[DocPath, str]]:
    """Problems a schema cannot see: unknown ids and contradictions, each with its field path."""
    catalog = catalog if catalog is not None else load_catalog()
    models = {p.id: frozenset(p.models) for p in catalog.profiles}
    issues = list(_unknown_ids(policy, models))
    issues += _contradictions(policy)
    return issues


def _provider_lists(policy: Policy) -> Iterator[tuple[DocPath, tuple[str, ...]]]:
    yield ("only",), policy.only or ()
    yield ("ignore",), policy.ignore
    yield ("order",), policy.order
    for kind, override in policy.scene_kinds.items():
        for field in ("only", "ignore", "order"):
            yield ("scene_kinds", kind.value, field), getattr(override, field) or ()


def _unknown_ids(
    policy: Policy, models: dict[str, frozenset[str]]
) -> Iterator[tuple[DocPath, str]]:
    known = ", ".join(sorted(models))
    for path, ids in _provider_lists(policy):
        for i, pid in enumerate(ids):
            if pid not in models:
                yield (*path, i), f"unknown provider {pid!r} (known: {known})"
    for field in ("only", "ignore"):
        for i, ref in enumerate(getattr(policy.models, field) or ()):
            provider, model = ref.split("/", 1)
            if provider not in models:
                yield ("models", field, i), f"unknown provider {provider!r} (known: {known})"
            elif model not in models[provider]:
                yield ("models", field, i), f"unknown model {model!r} of provider {provider!r}"


def _contradictions(policy: Policy) -> list[tuple[DocPath, str]]:
    out = _overlap(("ignore",), policy.ignore, policy.only, "also in only")
    out += _overlap(("order",), policy.order, policy.ignore, "also in ignore")
    out += _overlap(("models", "ignore"), policy.models.ignore, policy.models.only, "also in only")
    j = policy.sourcing.jurisdictions
    deny = expand_jurisdictions(j.deny)
    for i, code in enumerate(j.allow):
        if expand_jurisdictions([code]) <= deny:
            out.append((("sourcing", "jurisdictions", "allow", i), f"{code!r} is also denied"))
    for kind, override in policy.scene_kinds.items():
        out += _scene_contradictions(policy, kind.value, override)
    return out


def _scene_contradictions(
    policy: Policy, kind: str, override: SceneOverride
) -> list[tuple[DocPath, str]]:
    base: DocPath = ("scene_kinds", kind)
    ignored = (*policy.ignore, *override.ignore)
    out = _overlap((*base, "only"), override.only or (), ignored, "also ignored")
    out += _overlap((*base, "order"), override.order or (), ignored, "also ignored")
    if override.only is not None and policy.only is not None:
        outside = [p for p in override.only if p not in policy.only]
        out += _overlap((*base, "only"), override.only, outside, "not in the top-level only")
    return out


def _overlap(
    path: DocPath, items: Iterable[str], others: Iterable[str] | None, why: str
) -> list[tuple[DocPath, str]]:
    other_set = frozenset(others or ())
    return [((*path, i), f"{item!r} is {why}") for i, item in enumerate(items) if item in other_set]


__all__ = [
    "EU_MEMBERS",
    "AllegationRules",
    "Budget",
    "DisclosureOptions",
    "Jurisdictions",
    "LabelPosition",
    "ModelFilter",
    "Policy",
    "PolicyError",
    "SceneOverride",
    "SceneRules",
    "SortKey",
    "Sourcing",
    "UnknownFacts",
    "expand_jurisdictions",
    "load_policy",
    "parse_policy",
    "semantic_issues",
]
