"""An agency's routing policy: who may make its scenes, and what it prefers among them.

The vocabulary reuses OpenRouter's provider routing (`only`, `ignore`, `order`,
`allow_fallbacks`, `sort`, `max_price`) and adds sourcing rules, allegation exclusions,
per-scene-kind overrides, a per-video budget and disclosure options. See
`examples/policies/` for commented files.

Contracts
- `parse_policy` (text) / `validate_policy` (a parsed body) accept YAML or JSON and raise
  `PolicyError`, each issue naming
  the file, line and field (`policy.yaml:12: sourcing.official_apii: unknown field`). Provider
  and model ids are checked against a catalog; contradictions (a provider both allowed and
  ignored, a jurisdiction both allowed and denied, ...) are load-time errors.
- Scene-kind overrides can only narrow hard rules (`only` intersects, `ignore` adds,
  `max_price` takes the lower); soft preferences (`order`, `sort`) replace. So an override can
  never re-admit a provider the top level excluded.
- `extends: <name>` inherits a base policy that the caller's `find_base` supplies as a parsed
  body (routing reads no files: `app.policies` looks next to the file, then among the built-in
  bases). Mappings merge, deny-lists (`ignore`, `deny`, `exclude_topics`)
  accumulate, other values replace; `id`, `name` and `version` are never inherited. Missing
  bases and cycles are load errors on the `extends` field. The loaded `Policy` is the resolved
  whole (lineage in `based_on`), so its canonical JSON and hash cover what the bases
  contributed, and the body a manifest records re-parses without the base files.
- `canonical_json()` / `sha256` identify the policy in the render manifest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
)

from providers.documents import (
    DocPath,
    DocumentError,
    SourceMap,
    canonical_json,
    parse_document,
    validation_issues,
)
from providers.profile import (
    AllegationStatus,
    Catalog,
    CredentialKind,
    LifecycleStatus,
    load_catalog,
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


class ReframeMode(StrEnum):
    """How a scene reaches outputs whose aspect differs from its clip's."""

    CROP = "crop"  # reframe the one clip: follow the subject, or pad text and charts whole
    GENERATE = "generate"  # ask the model for a clip per aspect it offers, budget permitting


class UnknownSubmit(StrEnum):
    """What a scene does when a paid submission's outcome is unknown (the connection dropped
    after the request was sent: the vendor may be making, and billing, the clip)."""

    FAIL = "fail"  # the scene fails: never risk paying a second vendor for the same scene
    FALLBACK = "fallback"  # the next candidate in the chain may be tried (and paid)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


ProviderId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
ModelRef = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")]
Price = Annotated[float, Field(ge=0)]
Jurisdiction = Annotated[str, Field(pattern=r"^([A-Z]{2}|EU)$")]
_NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
PolicyName = Annotated[str, Field(pattern=_NAME_PATTERN)]


class SceneOverride(_Strict):
    """Per-SceneKind changes. Hard rules only narrow; `order`/`sort` replace."""

    only: tuple[ProviderId, ...] | None = None
    ignore: tuple[ProviderId, ...] = ()
    order: tuple[ProviderId, ...] | None = None
    sort: SortKey | None = None
    max_price: Price | None = None
    reframe: ReframeMode | None = None

    @model_serializer(mode="wrap")
    def _unset_reframe_unwritten(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Left out when unset, so policies written before `reframe` keep their sha256.
        data = handler(self)
        if isinstance(data, dict) and data.get("reframe") is None:
            data.pop("reframe", None)
        return data


class ModelFilter(_Strict):
    """Model-level allow/deny lists of `provider/model` ids."""

    only: tuple[ModelRef, ...] | None = None
    ignore: tuple[ModelRef, ...] = ()


class Budget(_Strict):
    """Spending caps in USD, checked by `plan` before anything is generated."""

    per_video_usd: Price | None = None
    per_tenant_usd: Price | None = None  # total over the tenant's renders; `plan(spent_usd=...)`


class Retries(_Strict):
    """How often one provider is tried for one scene after a transient failure."""

    max_attempts_per_provider: Annotated[int, Field(ge=1, le=10)] = 2
    backoff_s: Annotated[float, Field(ge=0, le=600)] = 2.0  # doubles after every retry


class Cooldown(_Strict):
    """A per-provider circuit breaker (LiteLLM's `allowed_fails` / `cooldown_time`)."""

    allowed_fails: Annotated[int, Field(ge=1, le=100)] = 3  # consecutive failures that trip it
    cooldown_s: Annotated[float, Field(ge=0, le=86_400)] = 60.0  # how long it stays open


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
    # Evidence older than this (relative to the `today` routing is given) excludes the provider
    # when a rule above needs that fact: `sourcing.stale:<fact>`.
    max_evidence_age_days: Annotated[int, Field(ge=0)] | None = None


class AllegationRules(_Strict):
    """Exclude providers with an allegation on these topics at or above `min_status`."""

    exclude_topics: tuple[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")], ...] = ()
    min_status: Literal["alleged", "disputed", "confirmed"] = "alleged"


class DisclosureOptions(_Strict):
    """The visible AI label burned into outputs (the disclosure track is always written)."""

    visible_label: bool = True
    label_text: Annotated[str, Field(min_length=1, max_length=80)] = "AI-generated"
    label_position: LabelPosition = LabelPosition.BOTTOM_RIGHT
    # "trained_scenes": the label is on screen exactly while a scene a trained model made is;
    # "whole_video": on every frame (for agencies that want that).
    label_scope: Literal["trained_scenes", "whole_video"] = "trained_scenes"

    @model_serializer(mode="wrap")
    def _default_scope_unwritten(self, handler: SerializerFunctionWrapHandler) -> Any:
        # The default is left out of the canonical JSON, so every policy written before the
        # scope existed keeps its sha256 (and the manifests recording it keep verifying).
        data = handler(self)
        if isinstance(data, dict) and data.get("label_scope") == "trained_scenes":
            data.pop("label_scope")
        return data


class Policy(_Strict):
    """A whole routing policy. Construct through `parse_policy`/`load_policy` for id checks."""

    id: PolicyName
    name: str = ""
    version: Annotated[int, Field(ge=1)] = 1
    # The bases this policy was resolved from, nearest first (written by the loader from
    # `extends`; informational). A resolved body never says `extends`, so re-parsing the body
    # recorded in a manifest needs no base files and yields the same policy and hash.
    based_on: tuple[PolicyName, ...] = ()
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
    retries: Retries = Retries()
    cooldown: Cooldown = Cooldown()
    rate_limit_wait_budget_s: Annotated[float, Field(ge=0, le=3600)] = 60.0  # per scene
    reframe: ReframeMode = ReframeMode.CROP
    on_unknown_submit: UnknownSubmit = UnknownSubmit.FAIL

    @model_serializer(mode="wrap")
    def _default_reframe_unwritten(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Defaults of fields added later are left out of the canonical JSON, so every policy
        # written before them keeps its sha256 (and the manifests recording it keep verifying).
        data = handler(self)
        if isinstance(data, dict):
            if data.get("reframe") == ReframeMode.CROP.value:
                data.pop("reframe")
            if data.get("on_unknown_submit") == UnknownSubmit.FAIL.value:
                data.pop("on_unknown_submit")
        return data

    def reframe_for(self, kind: SceneKind) -> ReframeMode:
        """The reframe mode for one scene kind (its override, else the policy's)."""
        override = self.scene_kinds.get(kind)
        return override.reframe if override and override.reframe else self.reframe

    def failure_rules(self) -> FailureRules:
        """How the pipeline walks a scene's chain when attempts fail."""
        return FailureRules(
            max_attempts_per_provider=self.retries.max_attempts_per_provider,
            backoff_s=self.retries.backoff_s,
            rate_limit_wait_budget_s=self.rate_limit_wait_budget_s,
            allowed_fails=self.cooldown.allowed_fails,
            cooldown_s=self.cooldown.cooldown_s,
            fallback_on_unknown=self.on_unknown_submit is UnknownSubmit.FALLBACK,
        )

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
class FailureRules:
    """The policy's retry, rate-limit and circuit-breaker settings, as plain data."""

    max_attempts_per_provider: int = 2
    backoff_s: float = 2.0
    rate_limit_wait_budget_s: float = 60.0
    allowed_fails: int = 3
    cooldown_s: float = 60.0
    fallback_on_unknown: bool = False  # on_unknown_submit: fallback

    def backoff(self, failed_attempts: int) -> float:
        """Seconds to wait before retry number `failed_attempts` (1-based): doubling."""
        return self.backoff_s * 2.0 ** max(failed_attempts - 1, 0)


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


@dataclass(frozen=True)
class BaseDocument:
    """A base policy's parsed body, as the app's loader found it for an `extends` name."""

    data: Any
    smap: SourceMap
    find: BaseFinder  # where *its* `extends` is looked up


# name -> the parsed base, or None when there is none. The app supplies it (file and package
# reading live in `app.policies`); routing only merges what it is given.
BaseFinder = Callable[[str], "BaseDocument | None"]


def no_bases(_name: str) -> BaseDocument | None:
    return None


def parse_policy(
    text: str,
    name: str = "<policy>",
    catalog: Catalog | None = None,
    find_base: BaseFinder = no_bases,
) -> Policy:
    """Validate policy text; `name` prefixes every error. `extends: <base>` is resolved through
    `find_base` (the app's loader; by default no base exists). Raises `PolicyError`."""
    data, smap = parse_document(text, name, PolicyError)
    return validate_policy(data, smap, name, catalog, find_base)


def validate_policy(
    data: Any,
    smap: SourceMap,
    name: str = "<policy>",
    catalog: Catalog | None = None,
    find_base: BaseFinder = no_bases,
) -> Policy:
    """A parsed policy body (YAML/JSON already read) → a validated, fully resolved `Policy`."""
    data, smap = _resolve(data, smap, name, find_base, ())
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(validation_issues(exc, smap)) from exc
    issues = [smap.issue(path, msg) for path, msg in semantic_issues(policy, catalog)]
    if issues:
        raise PolicyError(issues)
    return policy


# Deny-lists accumulate along `extends`, so a derived policy can never silently re-admit what
# its base excluded by writing its own list; every other value replaces the base's.
_ACCUMULATE = frozenset({"ignore", "deny", "exclude_topics"})
_NOT_INHERITED = ("id", "name", "version", "based_on")


def merge_policy_data(base: Any, child: Any, key: str = "") -> Any:
    """`child` on top of `base`: mappings merge, deny-lists union, anything else replaces."""
    if isinstance(base, dict) and isinstance(child, dict):
        merged = dict(base)
        for k, v in child.items():
            merged[k] = merge_policy_data(base.get(k), v, str(k)) if k in base else v
        return merged
    if key in _ACCUMULATE and isinstance(base, list) and isinstance(child, list):
        return [*base, *(item for item in child if item not in base)]
    return child


def _resolve(
    data: Any, smap: SourceMap, name: str, find_base: BaseFinder, seen: tuple[str, ...]
) -> tuple[dict[str, Any], SourceMap]:
    if not isinstance(data, dict):
        raise PolicyError([f"{name}:1: a policy must be a mapping of fields"])
    parent = data.get("extends")
    if parent is None:
        return data, smap
    if not isinstance(parent, str) or not re.fullmatch(_NAME_PATTERN, parent):
        raise PolicyError([smap.issue(("extends",), "must be a policy name, e.g. 'baseline'")])
    if "id" not in data:
        raise PolicyError([smap.issue(("id",), "Field required (an id is never inherited)")])
    lineage = (*seen, str(data["id"]))
    if parent in lineage:
        cycle = " -> ".join((*lineage, parent))
        raise PolicyError([smap.issue(("extends",), f"cycle: {cycle}")])
    found = find_base(parent)
    if found is None:
        msg = f"no base policy {parent!r} (next to the file, nor a built-in base)"
        raise PolicyError([smap.issue(("extends",), msg)])
    base, base_map = _resolve(found.data, found.smap, parent, found.find, lineage)
    inherited = {k: v for k, v in base.items() if k not in _NOT_INHERITED}
    merged = merge_policy_data(inherited, {k: v for k, v in data.items() if k != "extends"})
    merged["based_on"] = [parent, *base.get("based_on", [])]
    return merged, base_map.overlay(smap)


def semantic_issues(policy: Policy, catalog: Catalog | None = None) -> list[tuple[DocPath, str]]:
    """Problems a schema cannot see: unknown ids and contradictions, each with its field path."""
    catalog = catalog if catalog is not None else load_catalog()
    models = {p.id: frozenset(p.models) for p in catalog.profiles}
    issues = list(_unknown_ids(policy, models))
    issues += _contradictions(policy)
    if not issues:  # coverage is only meaningful once every id is known
        issues += _coverage_issues(policy, catalog)
    return issues


def _selectable(policy: Policy, catalog: Catalog, kind: SceneKind) -> list[str]:
    """Active `provider/model` refs the selection rules leave for `kind`.

    Sourcing and allegation rules are left out on purpose: their outcome follows evidence that
    changes over time, so a policy stays loadable when facts move; `plan` reports those cases.
    """
    rules = policy.rules_for(kind)
    left: list[str] = []
    for profile in catalog.profiles:
        if (rules.only is not None and profile.id not in rules.only) or profile.id in rules.ignore:
            continue
        for model in profile.iter_models():
            ref = f"{profile.id}/{model.id}"
            if model.lifecycle.status is LifecycleStatus.RETIRED or ref in policy.models.ignore:
                continue
            if policy.models.only is None or ref in policy.models.only:
                left.append(ref)
    return left


def _coverage_issues(policy: Policy, catalog: Catalog) -> list[tuple[DocPath, str]]:
    """An allow-list that leaves some scene kind with no active model is a contradiction."""
    issues: list[tuple[DocPath, str]] = []
    for kind in SceneKind:
        if _selectable(policy, catalog, kind):
            continue
        override = policy.scene_kinds.get(kind)
        path: DocPath = ("only",)
        if override is not None and override.only is not None:
            path = ("scene_kinds", kind.value, "only")
        elif policy.models.only is not None:
            path = ("models", "only")
        issues.append((path, f"leaves no active provider/model for {kind.value} scenes"))
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
    budget = policy.budget
    if (
        budget.per_video_usd is not None
        and budget.per_tenant_usd is not None
        and budget.per_video_usd > budget.per_tenant_usd
    ):
        out.append((("budget", "per_video_usd"), "exceeds budget.per_tenant_usd"))
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
    "BaseDocument",
    "BaseFinder",
    "Budget",
    "Cooldown",
    "DisclosureOptions",
    "FailureRules",
    "Jurisdictions",
    "LabelPosition",
    "ModelFilter",
    "Policy",
    "PolicyError",
    "Retries",
    "SceneOverride",
    "SceneRules",
    "SortKey",
    "Sourcing",
    "UnknownFacts",
    "expand_jurisdictions",
    "merge_policy_data",
    "no_bases",
    "parse_policy",
    "semantic_issues",
    "validate_policy",
]
