"""What every HTTP vendor adapter shares: configuration, capability checks, one job's HTTP life.

A vendor module subclasses `HttpAdapter` and writes only `_headers` and `_run` (submit, poll,
find the result, download). Capability checks read the catalog, so a request the model cannot
serve fails with `CapabilityNotSupported` before any network call, and durations snap to what
the catalog says the model accepts.
"""

from __future__ import annotations

import asyncio
import base64
import mimetypes
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import SecretStr

from providers.errors import (
    CapabilityNotSupported,
    ConfigurationError,
    InvalidResponse,
    ProviderError,
    ProviderUnavailable,
)
from providers.media import sha256_file
from providers.profile import (
    CredentialKind,
    DurationRange,
    ModelProfile,
    ProviderProfile,
    load_catalog,
)
from providers.reference_still import reference_still
from providers.settings import ProviderSettings
from providers.types import Aspect, Clip, ClipRequest, ContentCredential, ProgressCallback
from providers.upstream_c2pa import with_embedded_c2pa
from providers.vendors.guard import CredentialFence, Resolver, base_origin, system_resolver
from providers.vendors.polling import Engine, PollConfig, Timing, clip_from_file
from providers.vendors.status import scrub

T = TypeVar("T")
_SHAPE_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError, httpx.InvalidURL)

_CREDENTIALS = {
    CredentialKind.SYNTHID: ContentCredential("watermark", "SynthID"),
    CredentialKind.C2PA: ContentCredential("c2pa", "upstream"),
    CredentialKind.VISIBLE_WATERMARK: ContentCredential("watermark", "visible"),
}


@cache
def _builtin_profile(provider_id: str) -> ProviderProfile:
    return load_catalog().get(provider_id)


@dataclass(frozen=True)
class Job:
    """A request translated into what the model accepts."""

    request: ClipRequest
    model: ModelProfile
    seconds: int  # snapped to the catalog's durations
    image: Path | None  # the reference frame when this is image-to-video

    @property
    def image_to_video(self) -> bool:
        return self.image is not None


def plan_job(
    provider_id: str,
    profile: ProviderProfile,
    request: ClipRequest,
    model: str,
    *,
    sends_images: bool = True,
) -> Job:
    """Check `request` against the catalog's model; raise CapabilityNotSupported if it can't.
    An adapter that cannot send a local image (`sends_images=False`) makes text-to-video."""
    found = profile.models.get(model)

    def refuse(why: str) -> CapabilityNotSupported:
        return CapabilityNotSupported(f"{provider_id}/{model}: {why}", provider_id=provider_id)

    if found is None:
        raise refuse(f"unknown model (known: {', '.join(sorted(profile.models))})")
    if request.aspect not in found.aspects:
        raise refuse(f"aspect {request.aspect.value} not offered")
    image = request.reference_image if found.image_to_video and sends_images else None
    if image is None and not found.text_to_video:
        # Image-to-video-only models need the scene's image as their first frame.
        raise refuse("image-to-video only, and the scene has no reference image")
    if image is not None and not image.is_file():
        raise refuse(f"reference image {image.name} is not a readable file")
    return Job(request, found, snap_seconds(found, request.duration), image)


def snap_seconds(model: ModelProfile, wanted: float) -> int:
    """The smallest accepted whole duration covering `wanted`, else the longest one: the
    router already judged the shortfall acceptable (the composer holds the last frame)."""
    billed = model.billed_seconds(wanted)
    if billed is None:
        durations = model.durations
        billed = durations.max if isinstance(durations, DurationRange) else max(durations)
    return max(round(billed), 1)


def data_url(image: Path) -> str:
    kind = mimetypes.guess_type(image.name)[0] or "image/png"
    return f"data:{kind};base64,{image_b64(image)}"


def image_b64(image: Path) -> str:
    return base64.b64encode(image.read_bytes()).decode("ascii")


def pick(table: dict[Aspect, str], aspect: Aspect, provider_id: str) -> str:
    try:
        return table[aspect]
    except KeyError:
        raise CapabilityNotSupported(
            f"{provider_id}: aspect {aspect.value} has no vendor equivalent",
            provider_id=provider_id,
        ) from None


class HttpAdapter(ABC):
    """Base of the vendor adapters. Subclasses set `provider_id` and `default_interval_s`."""

    provider_id: ClassVar[str] = ""
    settings_type: ClassVar[type[ProviderSettings]] = ProviderSettings  # defaults: base URL
    api: ClassVar[str] = ""  # the vendor API surface the adapter speaks (for `surface`)
    default_interval_s = 5.0
    sends_images = True  # False: the vendor wants a public image URL, which we do not host

    def __init__(
        self,
        settings: ProviderSettings,
        *,
        profile: ProviderProfile | None = None,
        timing: Timing | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.settings = settings
        self._profile = profile
        self._timing = timing or Timing()
        self._resolver = resolver
        self._slots = asyncio.Semaphore(settings.concurrency)

    @property
    def id(self) -> str:
        return self.provider_id

    def is_configured(self) -> bool:
        return self.settings.has_credentials() and bool(self.settings.base_url)

    @property
    def max_concurrency(self) -> int:
        """The account's jobs-in-flight allowance (`ConcurrencyLimited`): the pipeline's gate."""
        return self.settings.concurrency

    @property
    def profile(self) -> ProviderProfile:
        return self._profile or _builtin_profile(self.provider_id)

    def poll_config(self) -> PollConfig:
        return PollConfig(
            interval_s=self.settings.poll_interval_s or self.default_interval_s,
            jitter_s=(self.settings.poll_interval_s or self.default_interval_s) / 4,
            deadline_s=self.settings.deadline_s,
            max_bytes=self.settings.max_download_bytes,
        )

    def _key(self) -> str:
        key = self.settings.api_key
        if key is None or not key.get_secret_value():
            raise ConfigurationError(
                f"{self.provider_id}: no API key configured", provider_id=self.provider_id
            )
        return key.get_secret_value()

    def _headers(self) -> dict[str, str]:
        """Authentication and version headers sent on every API call."""
        return {"Authorization": f"Bearer {self._key()}"}

    def _secrets(self) -> list[str]:
        """Every credential value this adapter holds, to keep out of error messages."""
        found = []
        for name in ("api_key", "access_key", "secret_key"):
            value = getattr(self.settings, name, None)
            if isinstance(value, SecretStr) and value.get_secret_value():
                found.append(value.get_secret_value())
        return found

    def _scrub(self, exc: ProviderError) -> None:
        """Vendors sometimes echo the key they refused or the token we signed; never let a
        secret reach a message, a log, the CLI or the manifest."""
        exc.args = (scrub(str(exc), self._secrets()),)

    def client(self) -> httpx.AsyncClient:
        """The authenticated client. Its fence refuses any request beyond the base URL's
        origin, so a credential never follows a URL that a vendor's reply names."""
        base = base_origin(self.provider_id, self.settings.base_url)
        return httpx.AsyncClient(
            base_url=base,
            headers=self._headers(),
            auth=self._auth(),
            timeout=self.settings.timeout_s,
            event_hooks={"request": [CredentialFence(self.provider_id, base)]},
        )

    async def generate(
        self,
        request: ClipRequest,
        model: str,
        dest: Path,
        progress: ProgressCallback | None = None,
    ) -> Clip:
        """Make the clip through the vendor's API; raises only ProviderError subclasses.

        An image-to-video-only model given a scene without an image animates a still that the
        offline renderer draws for the scene, made in a scratch folder beside `dest`.
        """
        if not self.is_configured():
            raise ConfigurationError(
                f"{self.provider_id}: not configured (no credentials)",
                provider_id=self.provider_id,
            )
        if self._needs_still(request, model):
            with tempfile.TemporaryDirectory(prefix=".still-", dir=Path(dest).parent) as tmp:
                still = await reference_still(request, Path(tmp), self.provider_id)
                clip = await self._generate(
                    replace(request, reference_image=still), model, dest, progress
                )
                # The still was drawn here, not brought by the scene: it is no scene input.
                return replace(clip, image_sha256="")
        return await self._generate(request, model, dest, progress)

    def surface(self, model: str) -> str:
        """The vendor API surface (endpoint family) this adapter uses for catalog `model`.
        Raises CapabilityNotSupported when the model is served only by a surface the adapter
        does not speak (say, a newer API version), before any call is made."""
        return self.api

    def _needs_still(self, request: ClipRequest, model: str) -> bool:
        found = self.profile.models.get(model)
        return (
            found is not None
            and found.image_to_video
            and not found.text_to_video
            and self.sends_images
            and request.reference_image is None
        )

    async def _generate(
        self, request: ClipRequest, model: str, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        job = plan_job(
            self.provider_id, self.profile, request, model, sends_images=self.sends_images
        )
        self.surface(model)
        async with self._slots:
            clip = await self._guarded(self._run_job(job, Path(dest), progress))
        found = await asyncio.to_thread(with_embedded_c2pa, clip.credentials, clip.path)
        image = await asyncio.to_thread(sha256_file, job.image) if job.image else ""
        return replace(clip, credentials=found, image_sha256=image)

    async def _run_job(self, job: Job, dest: Path, progress: ProgressCallback | None) -> Clip:
        async with self.client() as client:
            return await self._run(self._engine(client), job, dest, progress)

    async def _guarded(self, work: Awaitable[T]) -> T:
        """Await `work`, so that whatever goes wrong leaves as a scrubbed ProviderError."""
        try:
            return await work
        except ProviderError as exc:
            self._scrub(exc)
            raise
        except _SHAPE_ERRORS as exc:
            # A reply of the wrong shape tripped an adapter's parsing (a list where an object
            # was due, a number for a URL...): the vendor's answer is at fault, and the scene
            # must fall back, not the render abort. The type is kept on the chained cause.
            raise InvalidResponse(
                f"{self.provider_id}: unexpected reply ({type(exc).__name__})",
                provider_id=self.provider_id,
            ) from exc
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(
                f"{self.provider_id}: HTTP failure ({type(exc).__name__})",
                provider_id=self.provider_id,
            ) from exc

    def _auth(self) -> httpx.Auth | None:
        """Per-request authentication (Kling signs a fresh JWT); None: headers suffice."""
        return None

    def _engine(self, client: httpx.AsyncClient) -> Engine:
        return Engine(
            self.provider_id, client, self.poll_config(), self._timing, refine=self._refine,
            resolver=self._resolver,
        )  # fmt: skip

    def _refine(self, status: int, body: Any, what: str) -> ProviderError | None:
        """Map a vendor's own error code (in any response body) to an error; None = no opinion."""
        return None

    @abstractmethod
    async def _run(
        self, engine: Engine, job: Job, dest: Path, progress: ProgressCallback | None
    ) -> Clip:
        """Submit `job`, poll it, download the result to `dest` and describe it."""

    async def _fetch(
        self,
        engine: Engine,
        job: Job,
        url: str,
        dest: Path,
        job_id: str,
        progress: ProgressCallback | None,
        *,
        authenticated: bool = False,
    ) -> Clip:
        """Download the finished result and describe it: the tail every adapter shares."""
        digest = await engine.download(url, dest, authenticated=authenticated, progress=progress)
        return clip_from_file(
            dest, digest, provider_id=self.provider_id, model_id=job.model.id, job_id=job_id,
            cost_usd=self.cost(job), credentials=self.credentials(),
        )  # fmt: skip

    def credentials(self) -> tuple[ContentCredential, ...]:
        """Upstream provenance signals the catalog documents for this vendor's output."""
        value = self.profile.sourcing.content_credentials.value
        if value == "unknown":
            return ()
        return tuple(_CREDENTIALS[kind] for kind in value if kind in _CREDENTIALS)

    def cost(self, job: Job) -> float | None:
        price = job.model.price_per_second_usd.value
        return None if price == "unknown" else round(price * job.seconds, 6)

    async def check(self) -> str:
        """A cheap authenticated call for `reelroute providers check`; returns a verdict.
        Raises the ProviderError the call ran into (AuthError for a refused key)."""
        return await self._guarded(self._check_with_client())

    async def _check_with_client(self) -> str:
        async with self.client() as client:
            return await self._check(self._engine(client))

    @abstractmethod
    async def _check(self, engine: Engine) -> str:
        """One cheap authenticated read; the verdict text when it succeeds."""
