"""Ledger tables. Changing one means a new Alembic revision in `migrations/versions/`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class TenantRow(Base):
    __tablename__ = "tenants"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # the agency's binding policy (a policy name of this tenant); creators can only narrow it
    enforced_policy: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class KeyRow(Base):
    __tablename__ = "keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    # sha256 of the secret: keys are 256-bit random, so a fast hash is enough (no guessing)
    secret_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PolicyRow(Base):
    __tablename__ = "policies"
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    latest_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PolicyVersionRow(Base):
    __tablename__ = "policy_versions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "name"], ["policies.tenant_id", "policies.name"], ondelete="CASCADE"
        ),
    )
    tenant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[dict[str, Any]]  # the validated, resolved policy (canonical form)
    sha256: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(Text)  # the text as posted (YAML or JSON)
    used: Mapped[bool] = mapped_column(Boolean, default=False)  # a render used it: immutable
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RenderRow(Base):
    __tablename__ = "renders"
    __table_args__ = (UniqueConstraint("tenant_id", "idempotency_key"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(32), index=True)  # key id
    state: Mapped[str] = mapped_column(String(16), index=True)
    request: Mapped[dict[str, Any]]  # RenderRequest JSON (edits included)
    plan: Mapped[dict[str, Any]]  # PlannedRender.to_dict() at the last (re)plan
    policy_name: Mapped[str | None] = mapped_column(String(128))
    policy_version: Mapped[int | None] = mapped_column(Integer)
    policy_sha256: Mapped[str | None] = mapped_column(String(80))
    estimated_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)  # spent, from the attempts
    parent_id: Mapped[str | None] = mapped_column(String(32))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_sha256: Mapped[str] = mapped_column(String(64))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outputs: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"aspect","key","sha256"}]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SceneRow(Base):
    __tablename__ = "scenes"
    render_id: Mapped[str] = mapped_column(
        ForeignKey("renders.id", ondelete="CASCADE"), primary_key=True
    )
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    narration: Mapped[str] = mapped_column(Text)
    chosen: Mapped[str | None] = mapped_column(String(200))  # planned "provider/model"
    provider: Mapped[str | None] = mapped_column(String(64), index=True)  # who made it
    model: Mapped[str | None] = mapped_column(String(128))
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    estimated_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)


class AttemptRow(Base):
    __tablename__ = "attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    render_id: Mapped[str] = mapped_column(ForeignKey("renders.id", ondelete="CASCADE"), index=True)
    scene_index: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str | None] = mapped_column(String(64))
    vendor_task_id: Mapped[str | None] = mapped_column(String(200))
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    record: Mapped[dict[str, Any]]  # the manifest's attempt record as emitted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ClipRow(Base):
    __tablename__ = "clips"
    render_id: Mapped[str] = mapped_column(
        ForeignKey("renders.id", ondelete="CASCADE"), primary_key=True
    )
    scene_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str | None] = mapped_column(String(80))
    vendor_task_id: Mapped[str | None] = mapped_column(String(200))
    duration_s: Mapped[float] = mapped_column(Float, default=0.0)


class EventRow(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    render_id: Mapped[str] = mapped_column(ForeignKey("renders.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # per render, from 1: the SSE event id
    type: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    __table_args__ = (UniqueConstraint("render_id", "seq"),)


class WebhookRow(Base):
    __tablename__ = "webhooks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))  # HMAC key; shown once at creation
    events: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(64))
    render_id: Mapped[str | None] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LeaseRow(Base):
    """One step of a render split into worker jobs: a scene's clip (`step` = its index), the
    composition (`step` = COMPOSE_STEP) or the draft (`step` = DRAFT_STEP). A worker holds the
    step while `expires_at` is ahead; its heartbeat moves it on, and any worker's reaper hands
    an expired step to another."""

    __tablename__ = "leases"
    render_id: Mapped[str] = mapped_column(
        ForeignKey("renders.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(16), index=True)  # queued | running | done
    worker_id: Mapped[str | None] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer, default=0)  # +1 per take-over
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    cache_key: Mapped[str | None] = mapped_column(String(80))  # a done scene's clip cache key
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WorkerRow(Base):
    """A `reelroute worker` process: its heartbeat and the manifest key it signs with."""

    __tablename__ = "workers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_fingerprint: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    stopped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WrittenScriptRow(Base):
    """A script written from a URL or by an LLM, kept from planning (the API) to execution
    (a worker, maybe on another machine), keyed by the sha256 of the source."""

    __tablename__ = "written_scripts"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    script: Mapped[dict[str, Any]]
    notes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FingerprintRow(Base):
    """One output's perceptual fingerprint (the soft binding), so the API's verify upload can
    find the render a stripped copy came from. Per tenant: a copy is matched against the
    caller's tenant's renders only."""

    __tablename__ = "fingerprints"
    render_id: Mapped[str] = mapped_column(
        ForeignKey("renders.id", ondelete="CASCADE"), primary_key=True
    )
    aspect: Mapped[str] = mapped_column(String(8), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    file: Mapped[str] = mapped_column(String(300))  # the output's name in the render
    alg: Mapped[str] = mapped_column(String(64))
    fps: Mapped[int] = mapped_column(Integer)
    hashes: Mapped[bytes] = mapped_column(LargeBinary)  # 64-bit hashes, big-endian, in order
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
