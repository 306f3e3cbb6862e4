"""What an executing render is given: narrow collaborators, never the whole `Settings`."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from app.config import Settings
from app.errors import SetupError
from app.pipeline.cache import ClipCache, ClipStore
from app.pipeline.clips import ClipOutcome, Clock, Sleep, utc_now
from app.pipeline.disclose import RenderRecord, RenderResult, index_outputs, write_disclosure
from app.pipeline.events import RenderEvents, ignore_events
from app.pipeline.health import CircuitBoard
from app.provenance.credentials import CredentialError, load_identity
from app.provenance.signing import SigningKeyError, load_or_create_key
from app.store.blobs import BlobStore
from providers.music import Mood
from providers.profile import Catalog
from providers.registry import Registry
from providers.voice import VoiceEngine

_log = logging.getLogger(__name__)


class Signer:
    """Seals a finished render: C2PA credentials, the signed manifest, the report.

    It holds the signing slice of the settings (key paths, certificate, trust anchors, the
    clip cache `verify` consults for the report) and nothing else is read from them."""

    def __init__(self, settings: Settings, *, local_index: bool = True) -> None:
        self._settings = settings
        # The service keeps fingerprints in its ledger (per tenant), and publishes from a work
        # folder it then removes, so its renders stay out of the local index.
        self._local_index = local_index

    def preflight(self) -> None:
        """Load (or create) the manifest key and the C2PA certificate before anything is spent;
        raise `SetupError` saying which is unusable."""
        try:
            load_or_create_key(self._settings.signing_key_path, self._settings.keys_dir)
            identity = load_identity(self._settings)
        except (SigningKeyError, CredentialError) as exc:
            raise SetupError(f"cannot sign this render: {exc}", field="signing") from exc
        except UnicodeDecodeError as exc:
            pair = f"{self._settings.c2pa_cert_path} / {self._settings.c2pa_key_path}"
            raise SetupError(
                f"cannot sign this render: the C2PA certificate or key ({pair}) is not PEM text",
                field="signing",
            ) from exc
        except OSError as exc:
            where = exc.filename or self._settings.keys_dir
            raise SetupError(
                f"cannot sign this render: {where}: {exc.strerror or exc}", field="signing"
            ) from exc
        _check_chain(identity.chain_pem, self._settings.c2pa_cert_path or "the local test chain")

    async def disclose(self, record: RenderRecord, folder: Path) -> RenderResult:
        return await write_disclosure(record, folder, self._settings)

    async def index(self, result: RenderResult) -> None:
        """Record the published outputs' fingerprints in the local index (`verify --find`).

        The render is already published and complete, so an index that cannot be written is
        logged, not raised: `verify --find` will not know this render, nothing else is lost."""
        if not self._local_index:
            return
        try:
            await asyncio.to_thread(index_outputs, result.manifest, result.out_dir, self._settings)
        except (sqlite3.Error, OSError) as exc:
            _log.warning("render %s: the fingerprint index was not updated: %s",
                         result.render_id, exc)  # fmt: skip


def _check_chain(pem: str, where: object) -> None:
    """The C2PA chain parses and its leaf is within its validity period."""
    try:
        certs = x509.load_pem_x509_certificates(pem.encode("ascii"))
    except ValueError as exc:
        raise SetupError(
            f"cannot sign this render: the C2PA certificate {where} is not a PEM chain ({exc})",
            field="signing",
        ) from exc
    leaf, now = certs[0], datetime.now(UTC)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise SetupError(
            f"cannot sign this render: the C2PA certificate {where} is valid from "
            f"{leaf.not_valid_before_utc:%Y-%m-%d} to {leaf.not_valid_after_utc:%Y-%m-%d}",
            field="signing",
        )


@dataclass
class RenderEnv:
    """Collaborators an executing render uses; tests inject their own clock, ids and providers."""

    registry: Registry
    catalog: Catalog
    voice: VoiceEngine  # the default voice; a request may name another engine
    clips: ClipCache
    narration_dir: Path  # narration cache
    signer: Signer
    scratch_dir: Path  # work folders live here, never in the output folder
    drafts_dir: Path | None = None  # drafts (`RenderOptions.draft`); None: beside scratch_dir
    # Where each draft file is copied as it is written, for API processes on other machines
    # (a shared bucket); None: the draft stays in drafts_dir only.
    draft_store: BlobStore | None = None
    # Where narrations are shared between machines (the bucket's `narration/`), so every
    # worker of a split render speaks the same take; None: narration_dir alone.
    narration_store: ClipStore | None = None
    events: RenderEvents = ignore_events
    clock: Clock = utc_now
    new_id: Callable[[], str] = field(default=lambda: uuid.uuid4().hex[:16])
    sleep: Sleep = asyncio.sleep  # retry backoff and rate-limit waits
    monotonic: Callable[[], float] = time.monotonic  # attempt timings and circuit cooldowns
    # Shared breakers (e.g. one per worker); None: a fresh board per render, set by the policy.
    breakers: CircuitBoard | None = None
    compose_concurrency: int = 1
    clip_concurrency: int = 2
    music_seed: int = 7
    music_mood: Mood = Mood.CORPORATE  # when the request names none
    # Split renders (app.queue.work): clips scene jobs already made, used as they are by the
    # composition; and per scene, "provider/model" -> a recorded submission to resume.
    made: Mapping[int, ClipOutcome] = field(default_factory=dict)
    resume: Mapping[int, dict[str, Any]] = field(default_factory=dict)
