"""The typed model of `manifest.json`, schema `reelroute.manifest/1` (DESIGN.md section 3).

One model shared by the writer (`app.pipeline.disclose`), `verify`, `report.html` and, later,
the ledger. It is the file's edge, so it is pydantic; the pipeline's own records stay
dataclasses and are converted here.

Two promises keep every manifest ever written verifiable:

* **Lossless.** `parse_manifest(text).document()` is the very JSON value that was read, down to
  `30` versus `30.0` (`Number` keeps ints as ints), so hashes and signatures computed over the
  model are the ones computed over the file. `parse_manifest` refuses a document for which
  that does not hold, and refuses duplicate keys.
* **Open where others extend it, closed where we own the shape.** Blocks that other steps add
  fields to keep unknown fields (`extra="allow"`), and those fields are preserved, hashed and
  signed like the rest. Leaf records whose shape is fixed here (signature, timeline, scores,
  exclusions, ...) forbid unknown fields.

Optional blocks, omitted from the file when absent (a manifest without them reads and
re-serialises unchanged):

* `source` (top level): where a URL input came from and the citations the script keeps (the URL
  ingestion step owns its shape; any JSON object is accepted). Not in the disclosure core.
* `scenes[].reframing`: how each aspect's frame was cut from the scene's clip (the reframing
  step owns its shape; any JSON object). Part of the scene, hence of the disclosure core.
* `disclosure.report`: the file name and sha256 of `report.html`, written before signing so
  that the Ed25519 signature covers the report.
* `disclosure.core_sha256`: absent only while the manifest is being built.
* Per-element disclosure (issue 15; absent from older manifests): `scenes[].source_type`,
  `scenes[].upstream_marks`, `scenes[].input_image` (the article image or local picture a
  scene's clip was made from), `voice.source_type`, `music.source_type`, the whole output's
  `digital_source_type` (IPTC terms, see `app.provenance.source_types`), `approval` (who
  approved the plan, and when), `outputs[].fingerprint` (the soft binding, see
  `app.provenance.fingerprint`) and `disclosure.label_scope` / `disclosure.label_ranges`
  (where the visible label is shown). `digital_source_type` and `approval`, when present, are
  part of the disclosure core.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Annotated, Any, ClassVar, Literal, TypeAlias

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
)

from app.provenance.canonical import canonical_json, tagged_sha256

SCHEMA: Literal["reelroute.manifest/1"] = "reelroute.manifest/1"
# The disclosure core: who made which scene under which policy. Nothing here depends on the
# output files, so its sha256 can go into their C2PA credentials (see app.provenance.credentials).
CORE_KEYS = ("render_id", "input", "policy", "catalog", "scenes")
# Also in the core when present (left out when absent, so older manifests keep their core hash).
OPTIONAL_CORE_KEYS = ("digital_source_type", "approval")

# int or float, kept as read: `30` and `30.0` hash differently in canonical JSON.
Number: TypeAlias = int | float
JsonObject: TypeAlias = dict[str, Any]


class ManifestError(ValueError):
    """manifest.json is not a readable `reelroute.manifest/1` document; says where."""


def _plain_file_name(value: str) -> str:
    """A path relative to the render folder that cannot leave it by its spelling."""
    path = PurePosixPath(value)
    if not value or "\\" in value or "\x00" in value or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"{value!r} is not a file inside the render folder")
    return value


RelativeFile = Annotated[str, AfterValidator(_plain_file_name)]


class _Record(BaseModel):
    """Strict (no coercion, so reading is lossless), immutable, closed unless a block opens."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid", populate_by_name=True)
    # Optional fields left out of the file unless they were given (a value or an explicit null).
    OPTIONAL_BLOCKS: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _omit_absent_blocks(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        for name in self.OPTIONAL_BLOCKS - self.model_fields_set:
            data.pop(name, None)
        return data


class _OpenRecord(_Record):
    """A block other steps add fields to: unknown fields are kept (and signed)."""

    model_config = ConfigDict(extra="allow")


# --- leaves with a shape owned here ------------------------------------------------------------


class Software(_Record):
    name: str
    version: str


class TimeRange(_Record):
    start: Number
    end: Number


class Choice(_Record):
    provider: str
    model: str


class Exclusion(_Record):
    provider: str
    model: str
    reasons: list[str]


class Score(_Record):
    total: Number
    parts: dict[str, Number]


class NarrationAudio(_Record):
    sha256: str


class VisibleLabel(_Record):
    text: str
    position: str


class FileDigest(_Record):
    file: RelativeFile
    sha256: str


class Approval(_Record):
    """A person approved the render's plan before it ran (the service's approval gate)."""

    by: str
    at: str  # ISO 8601, UTC


class WatermarkEvidence(_Record):
    """What the vendor says about its invisible watermark (from the catalog), with evidence."""

    value: str  # e.g. "synthid", or "unknown"
    basis: str
    source: str
    as_of: str


class UpstreamMarks(_Record):
    """What became of the marks a vendor put on its clip once reelroute re-encoded it."""

    watermark: WatermarkEvidence
    # "unknown": the clip was re-encoded (scaled, cropped, re-compressed) and nothing here
    # checked whether the vendor's watermark survived; "not_applicable": no vendor made it.
    survival: Literal["unknown", "not_applicable"]
    reason: str


class InputImage(_Record):
    """An image a scene's clip was made from (a vendor animated it, or the built-in renderer
    moved over it): its bytes' sha256 and where it came from."""

    sha256: str  # "sha256:<hex>" of the image file
    media_type: str  # image/png, image/jpeg, image/gif or image/webp (from its bytes)
    origin: Literal["article", "file"]  # fetched with a URL source's article, or a local file
    ref: str  # the image URL (article) or the file's name (file)


class Fingerprint(_Record):
    """Perceptual fingerprint of an output's picture (the soft binding)."""

    alg: str
    fps: Number  # frames hashed per second of video, from t=0
    hashes: list[str]  # one 64-bit hash per sampled frame, 16 hex digits


class Signature(_Record):
    alg: str
    key_id: str
    public_key: str
    value: str


# --- blocks --------------------------------------------------------------------------------


class InputRecord(_OpenRecord):
    kind: str
    title: str
    ref: str | None
    sha256: str


class PolicyRecord(_OpenRecord):
    id: str
    version: int
    sha256: str
    body: JsonObject  # the resolved policy, canonical; `verify` re-parses it


class CatalogRecord(_OpenRecord):
    sha256: str


class RenderSettings(_OpenRecord):
    quality: str
    fps: Number
    transition_s: Number
    duration_s: Number
    estimated_cost_usd: Number | None
    actual_cost_usd: Number | None


class SceneSpecRecord(_OpenRecord):
    index: int
    kind: str
    duration: Number
    aspect: str
    has_reference_image: bool = False


class Routing(_OpenRecord):
    """The router's decision for the scene (routing.router.RoutingDecision.to_dict)."""

    scene: SceneSpecRecord
    chosen: Choice | None
    fallbacks: list[Choice]
    exclusions: list[Exclusion]
    scores: dict[str, Score]
    estimated_cost_usd: Number | None


class Attempt(_OpenRecord):
    provider: str
    model: str
    outcome: str  # "succeeded" | "cached" | "failed" | "unknown" (answer lost) | "skipped"
    started_at: str
    finished_at: str
    seconds: Number
    cost_usd: Number | None = None
    error_class: str | None = None
    error: str | None = None


class UpstreamCredential(_OpenRecord):
    kind: str
    name: str
    detail: str


class ClipRecord(_OpenRecord):
    provider: str
    model: str
    model_version: str
    provider_job_id: str
    sha256: str
    duration: Number
    width: int
    height: int
    fps: Number
    cached: bool
    credentials: list[UpstreamCredential] = Field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.provider}/{self.model}"


class SceneRecord(_OpenRecord):
    OPTIONAL_BLOCKS = frozenset({"reframing", "source_type", "upstream_marks", "input_image"})

    index: int  # 0-based; shown 1-based
    kind: str
    narration: str
    on_screen_text: str
    visual_prompt: str
    timeline: TimeRange
    routing: Routing
    attempts: list[Attempt]
    clip: ClipRecord
    narration_audio: NarrationAudio
    reframing: JsonObject | None = None  # per-aspect framing of the clip; see module docstring
    source_type: str | None = None  # IPTC term for the scene's visuals
    upstream_marks: UpstreamMarks | None = None
    input_image: InputImage | None = None  # the image the clip was made from, if any

    @property
    def number(self) -> int:
        return self.index + 1


class VoiceRecord(_OpenRecord):
    OPTIONAL_BLOCKS = frozenset({"source_type"})

    engine: str
    voice: str
    model_sha256: str
    licence: str
    source: str
    source_type: str | None = None  # IPTC term for the narration


class MusicRecord(_OpenRecord):
    OPTIONAL_BLOCKS = frozenset({"source_type"})

    source: str
    licence: str
    mood: str
    seed: int
    sha256: str
    source_type: str | None = None  # IPTC term for the music


class OutputRecord(_OpenRecord):
    OPTIONAL_BLOCKS = frozenset({"fingerprint"})

    aspect: str
    file: RelativeFile
    sha256: str  # after the C2PA credentials were embedded
    duration: Number
    width: int
    height: int
    integrated_lufs: Number
    true_peak_dbtp: Number
    fingerprint: Fingerprint | None = None


class DisclosureRecord(_OpenRecord):
    OPTIONAL_BLOCKS = frozenset({"core_sha256", "report", "label_scope", "label_ranges"})

    vtt: RelativeFile
    sha256: str
    visible_label: VisibleLabel | None
    core_sha256: str | None = None
    report: FileDigest | None = None
    label_scope: str | None = None  # "trained_scenes" | "whole_video"
    label_ranges: list[TimeRange] | None = None  # when the visible label is on screen


class Manifest(_OpenRecord):
    """One render's audit record. Build it, `with_outputs`/`with_report`, then sign it."""

    OPTIONAL_BLOCKS = frozenset(
        {"source", "policies", "parent_id", "digital_source_type", "approval"}
    )

    schema_: Literal["reelroute.manifest/1"] = Field(default=SCHEMA, alias="schema")
    render_id: str
    tenant: str
    created_at: str
    software: Software
    input: InputRecord
    source: JsonObject | None = None  # URL inputs: where the text came from; see docstring
    policy: PolicyRecord  # the effective policy: the chosen one narrowed by the enforced one
    # {"chosen": {id, version, sha256, body}, "enforced": {...} | null}: what `policy` combines
    policies: JsonObject | None = None
    parent_id: str | None = None  # the render this one regenerates or re-routes
    digital_source_type: str | None = None  # IPTC term for the whole output, from its parts
    approval: Approval | None = None  # who approved the plan; None: nobody did
    catalog: CatalogRecord
    render: RenderSettings
    scenes: list[SceneRecord]
    voice: VoiceRecord
    music: MusicRecord
    outputs: list[OutputRecord]
    disclosure: DisclosureRecord
    signature: Signature | None = None

    def document(self) -> JsonObject:
        """The JSON value written to manifest.json (and hashed and signed)."""
        return self.model_dump(mode="json", by_alias=True)

    def to_json(self) -> str:
        """Pretty JSON for people; what gets signed is the canonical form of `document()`."""
        return json.dumps(self.document(), indent=2, ensure_ascii=False) + "\n"

    def core_sha256(self) -> str:
        return core_sha256(self.document())


def core_sha256(document: JsonObject) -> str:
    """sha256 of the disclosure core of a manifest document (see CORE_KEYS)."""
    core = {key: document.get(key) for key in CORE_KEYS}
    core |= {key: document[key] for key in OPTIONAL_CORE_KEYS if key in document}
    return tagged_sha256(canonical_json(core))


# --- reading -------------------------------------------------------------------------------


def _unique_keys(pairs: list[tuple[str, Any]]) -> JsonObject:
    """json object_pairs_hook: a repeated key would let a reader and a verifier see two values."""
    found: JsonObject = {}
    for key, value in pairs:
        if key in found:
            raise ManifestError(f"duplicate key {key!r} in a JSON object")
        found[key] = value
    return found


# Pydantic names the member of a union it tried (`render.fps.int`); people want the field.
_UNION_MEMBERS = frozenset({"int", "float", "str", "bool", "none", "dict[str,any]"})


def _where(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    loc = ".".join(str(p) for p in first["loc"] if p not in _UNION_MEMBERS) or "(top level)"
    fields = {tuple(p for p in e["loc"] if p not in _UNION_MEMBERS) for e in errors}
    more = f" (and {len(fields) - 1} more)" if len(fields) > 1 else ""
    return f"{loc}: {first['msg']}{more}"


def parse_manifest(text: str) -> Manifest:
    """Parse manifest.json text; ManifestError names the first field that is wrong."""
    try:
        raw = json.loads(text, object_pairs_hook=_unique_keys)
    except ManifestError:
        raise
    except ValueError as exc:
        raise ManifestError(f"not JSON: {exc}") from exc
    except RecursionError as exc:
        raise ManifestError("JSON nested too deeply") from exc
    if not isinstance(raw, dict) or raw.get("schema") != SCHEMA:
        raise ManifestError(f"not a {SCHEMA} manifest")
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        raise ManifestError(_where(exc)) from exc
    if canonical_json(manifest.document()) != canonical_json(raw):
        raise ManifestError("the manifest does not re-serialise to what was read")
    return manifest
