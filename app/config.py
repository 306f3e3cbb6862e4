"""One validated Settings object (REELROUTE_*); nothing happens at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.ingest.llm.settings import LLMSettings
from app.ingest.url.settings import FetchSettings
from providers.music import Mood
from providers.settings import (
    HailuoSettings,
    KlingSettings,
    LumaSettings,
    PikaSettings,
    ProviderSettings,
    RunwaySettings,
    SeedanceSettings,
    SoraSettings,
    VeoSettings,
)


class Settings(BaseSettings):
    """Embedded defaults: a local data folder, offline providers, no keys needed."""

    model_config = SettingsConfigDict(env_prefix="REELROUTE_", env_nested_delimiter="__")

    data_dir: Path = Field(
        default=Path(".reelroute"),
        description="Clip cache, narration cache and other state that survives between renders.",
    )
    voice: Literal["piper", "espeak"] = Field(
        default="piper", description="Narration engine: piper (neural) or espeak (fast fallback)."
    )
    words_per_minute: float = Field(default=150.0, ge=60, le=400)
    music_mood: Mood = Field(default=Mood.CORPORATE, description="Background music mood.")
    music_seed: int = 7
    clip_concurrency: int = Field(default=2, ge=1, le=64, description="Clips generated at once.")
    compose_concurrency: int = Field(
        default=1, ge=1, le=16, description="Scene segments encoded at once (each uses all cores)."
    )
    catalog_path: Path | None = Field(
        default=None, description="A catalog file that extends/overrides the built-in one."
    )
    signing_key_path: Path | None = Field(
        default=None,
        description="Ed25519 private key (PEM) that signs manifests; default: created on "
        "first use in <data_dir>/keys.",
    )
    c2pa_cert_path: Path | None = Field(
        default=None,
        description="C2PA signing certificate chain (PEM, leaf first); default: a local test "
        "chain created on first use in <data_dir>/keys.",
    )
    c2pa_key_path: Path | None = Field(
        default=None, description="Private key (PEM) of the C2PA signing certificate."
    )
    enforced_policy_path: Path | None = Field(
        default=None,
        description="A policy that binds every render: whatever policy a render picks can "
        "narrow it, never widen it.",
    )
    c2pa_trust_anchors_path: Path | None = Field(
        default=None,
        description="Root certificates (PEM) that `verify` trusts for C2PA; default: the local "
        "test CA.",
    )

    # URL sources and the optional LLM script writer: REELROUTE_FETCH__*, REELROUTE_LLM__*.
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    # The service (`reelroute serve`): ledger, queue and the API's limits.
    database_url: str | None = Field(
        default=None,
        description="Ledger database; default: SQLite in <data_dir>/reelroute.db. A plain "
        "postgresql://user@host:port/db URL works (the asyncpg driver is picked for it).",
    )
    workers: int = Field(default=1, ge=1, le=32, description="Renders executed at once.")
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="API request body cap.")
    max_upload_bytes: int = Field(
        default=268_435_456, ge=1024, description="Largest MP4 `POST /v1/verify` accepts."
    )
    max_words: int = Field(default=20_000, ge=1, description="Words in one render's source.")
    max_scenes: int = Field(default=200, ge=1, description="Scenes in one render.")
    max_in_flight: int = Field(
        default=2, ge=1, description="Approved, unfinished renders per tenant at once."
    )
    # Scale-out (`reelroute worker`): REELROUTE_REDIS_URL selects the arq queue on Redis.
    redis_url: str | None = Field(
        default=None,
        description="Redis for the scale-out queue (redis://host:port/db); default: the "
        "in-process queue. The API enqueues; `reelroute worker` processes run the renders; "
        "/readyz checks it.",
    )
    queue_name: str = Field(
        default="reelroute",
        min_length=1,
        max_length=64,
        description="The Redis queue's name (and job id prefix): deployments sharing a Redis "
        "use different names.",
    )
    lease_s: float = Field(
        default=30.0,
        ge=1.0,
        le=600.0,
        description="How long a worker holds a step without a heartbeat; a dead worker's step "
        "is taken over within about 1.3x this.",
    )
    worker_jobs: int = Field(default=2, ge=1, le=64, description="Steps one worker runs at once.")
    worker_drafts: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Drafts one worker makes at once, beside its job slots; a draft past the "
        "limit starts when one here ends, or on a worker with room.",
    )
    webhook_attempts: int = Field(default=5, ge=1, le=20, description="Tries per delivery.")
    webhook_backoff_s: float = Field(
        default=2.0, ge=0, description="First retry delay; doubles each try."
    )
    web_session_secret: SecretStr | None = Field(
        default=None,
        description="Secret that encrypts the web app's session cookies (give every server "
        "behind one address the same one); default: created on first use in <data_dir>/keys.",
    )

    # Scale-out operations (docs/deploy.md): shared bucket, readiness, logs.
    s3_bucket: str | None = Field(
        default=None,
        description="Keep outputs, manifests, reports and the clip cache in this S3 bucket "
        "(downloads become presigned URLs); default: the local data folder.",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="An S3-compatible endpoint (MinIO: http://minio:9000); default: AWS. "
        "Region and credentials come from the standard AWS environment and config files.",
    )
    s3_public_endpoint_url: str | None = Field(
        default=None,
        description="The endpoint clients reach for presigned downloads, when it differs "
        "from the one the servers use (e.g. http://localhost:9000 for a compose MinIO).",
    )
    s3_prefix: str = Field(
        default="",
        pattern=r"^([A-Za-z0-9_-][A-Za-z0-9._-]*/)*$",
        description="Key prefix inside the bucket, ending in / (e.g. prod/); default: none.",
    )
    s3_multipart_threshold_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=5 * 1024 * 1024,
        description="Files at least this large are uploaded in parts (S3's minimum is 5 MiB).",
    )
    s3_multipart_chunk_bytes: int = Field(
        default=16 * 1024 * 1024, ge=5 * 1024 * 1024, description="Size of each uploaded part."
    )
    s3_presign_expiry_s: int = Field(
        default=900, ge=1, le=604_800, description="Lifetime of a presigned download URL."
    )
    log_format: Literal["json", "text"] | None = Field(
        default=None,
        description="Log lines as JSON objects (with render_id and scene) or plain text; "
        "default: json for `serve` and `worker`, text for the other commands.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Vendor adapters: REELROUTE_<PROVIDER>__API_KEY etc.; without a key a vendor is never called.
    kling: KlingSettings = Field(default_factory=KlingSettings)
    veo: VeoSettings = Field(default_factory=VeoSettings)
    runway: RunwaySettings = Field(default_factory=RunwaySettings)
    luma: LumaSettings = Field(default_factory=LumaSettings)
    pika: PikaSettings = Field(default_factory=PikaSettings)
    hailuo: HailuoSettings = Field(default_factory=HailuoSettings)
    sora: SoraSettings = Field(default_factory=SoraSettings)
    seedance: SeedanceSettings = Field(default_factory=SeedanceSettings)

    @model_validator(mode="after")
    def _c2pa_pair(self) -> Settings:
        if (self.c2pa_cert_path is None) != (self.c2pa_key_path is None):
            raise ValueError("set both c2pa_cert_path and c2pa_key_path, or neither")
        return self

    def provider_settings(self) -> dict[str, ProviderSettings]:
        """Vendor id → its settings, for `providers.registry.default_registry`."""
        fields = type(self).model_fields
        found = {name: getattr(self, name) for name in fields}
        return {name: value for name, value in found.items() if isinstance(value, ProviderSettings)}

    @property
    def clip_cache_dir(self) -> Path:
        return self.data_dir / "clips"

    @property
    def narration_cache_dir(self) -> Path:
        return self.data_dir / "narration"

    @property
    def blob_mirror_dir(self) -> Path:
        """Local copies of bucket objects the API reads itself (a verify upload's manifest)."""
        return self.data_dir / "blob-mirror"

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def work_dir(self) -> Path:
        """Renders in progress; never the output folder, cleaned when a render ends."""
        return self.data_dir / "work"

    @property
    def drafts_dir(self) -> Path:
        """Each render's draft (draft-first renders), served by the API to its tenant."""
        return self.data_dir / "drafts"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"
