"""`LocalProvider`: the built-in offline renderer behind the same contract as vendor adapters."""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from providers.errors import CapabilityNotSupported, ConfigurationError, GenerationFailed
from providers.local.graphs import build_argv
from providers.local.spec import Encoding, Fonts, InvalidRequest, SceneSpec, load_fonts, spec_of
from providers.media import RenderError, probe, run_ffmpeg, sha256_file
from providers.types import Clip, ClipRequest, ProgressCallback

PROVIDER_ID = "local"
MODEL_ID = "local-motion-1"


def request_fingerprint(request: ClipRequest, model: str) -> str:
    """sha256 of the request's canonical JSON: equal requests, equal fingerprints."""
    fields = dataclasses.asdict(request)
    fields["reference_image"] = str(request.reference_image) if request.reference_image else None
    canonical = json.dumps({"model": model, "request": fields}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class LocalProvider:
    """Procedural motion graphics rendered by one ffmpeg run per clip; no network, no key.

    `encoding` trades speed for size; the default is tuned for an intermediate file.
    """

    def __init__(self, *, encoding: Encoding | None = None) -> None:
        self._encoding = encoding or Encoding()

    @property
    def id(self) -> str:
        return PROVIDER_ID

    def is_configured(self) -> bool:
        return True

    async def generate(
        self,
        request: ClipRequest,
        model: str,
        dest: Path,
        progress: ProgressCallback | None = None,
    ) -> Clip:
        """Render `request` to `dest` (an MP4), atomically: `dest` is whole or untouched."""
        spec = self._spec(request, model)
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        await _report(progress, 0.0, "rendering motion graphics")
        image_digest = sha256_file(spec.image) if spec.image is not None else ""
        # The work folder sits next to dest so the final rename stays on one file system.
        with tempfile.TemporaryDirectory(prefix=".local-render-", dir=dest.parent) as work:
            partial = Path(work) / "clip.mp4"
            spec = _with_safe_image(spec, Path(work))
            await self._render(spec, partial)
            digest = sha256_file(partial)
            os.replace(partial, dest)
        await _report(progress, 1.0, "done")
        frame = spec.frame
        return Clip(
            path=dest,
            duration=frame.duration,
            fps=float(frame.fps),
            width=frame.width,
            height=frame.height,
            sha256=digest,
            provider_id=PROVIDER_ID,
            model_id=model,
            provider_job_id=f"local-{request_fingerprint(request, model)[:24]}",
            cost_usd=0.0,
            image_sha256=image_digest,
        )

    def _spec(self, request: ClipRequest, model: str) -> SceneSpec:
        if model != MODEL_ID:
            raise CapabilityNotSupported(
                f"unknown model {model!r}; the local renderer offers {MODEL_ID!r}",
                provider_id=PROVIDER_ID,
            )
        try:
            return spec_of(request, _fonts())
        except InvalidRequest as exc:
            raise CapabilityNotSupported(str(exc), provider_id=PROVIDER_ID) from exc

    async def _render(self, spec: SceneSpec, output: Path) -> None:
        try:
            await run_ffmpeg(build_argv(spec, output, self._encoding))
        except RenderError as exc:
            raise GenerationFailed(
                f"local render of a {spec.kind.value} scene failed (ffmpeg exit {exc.returncode})",
                provider_id=PROVIDER_ID,
            ) from exc
        _check_output(spec, output)


def _fonts() -> Fonts:
    try:
        return load_fonts()
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"the font-manrope package is missing or unreadable: {exc}", provider_id=PROVIDER_ID
        ) from exc


def _with_safe_image(spec: SceneSpec, work: Path) -> SceneSpec:
    """Point the spec at a plainly named link to the image: ffmpeg reads `%` in image names as
    a sequence pattern, so user file names never reach it."""
    if spec.image is None:
        return spec
    suffix = spec.image.suffix.lower()
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""
    link = work / f"reference{suffix}"
    try:
        link.symlink_to(spec.image)
    except OSError:
        shutil.copyfile(spec.image, link)
    return dataclasses.replace(spec, image=link)


def _check_output(spec: SceneSpec, output: Path) -> None:
    try:
        info = probe(output)
    except ValueError as exc:
        raise GenerationFailed(str(exc), provider_id=PROVIDER_ID) from exc
    frame = spec.frame
    size_ok = (info.width, info.height) == (frame.width, frame.height)
    duration_ok = abs(info.duration - frame.duration) <= 1.5 / frame.fps
    if not (info.has_video and size_ok and duration_ok):
        raise GenerationFailed(
            f"local render came out as {info.width}x{info.height}, {info.duration:.3f}s; "
            f"expected {frame.width}x{frame.height}, {frame.duration:.3f}s",
            provider_id=PROVIDER_ID,
        )


async def _report(progress: ProgressCallback | None, fraction: float, status: str) -> None:
    if progress is None:
        return
    result = progress(fraction, status)
    if inspect.isawaitable(result):
        await result
