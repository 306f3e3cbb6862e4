"""A designed first frame for image-to-video-only models when a scene brings no image.

The offline renderer draws the scene's look and text; the last frame of a short render (text
fully revealed) becomes the still the vendor animates.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from providers.errors import GenerationFailed
from providers.local import MODEL_ID, LocalProvider
from providers.media import RenderError, run_ffmpeg
from providers.types import ClipRequest

STILL_SOURCE_SECONDS = 1.5  # long enough for the typography's entrance to finish


async def reference_still(request: ClipRequest, folder: Path, provider_id: str) -> Path:
    """Render the scene briefly offline and keep its last frame as `folder/still.png`."""
    source = replace(request, duration=STILL_SOURCE_SECONDS, reference_image=None)
    clip = await LocalProvider().generate(source, MODEL_ID, folder / "still-source.mp4")
    still = folder / "still.png"
    try:
        await run_ffmpeg(
            ["-v", "error", "-sseof", "-0.1", "-i", str(clip.path),
             "-frames:v", "1", "-update", "1", str(still)]
        )  # fmt: skip
    except RenderError as exc:
        raise GenerationFailed(
            f"{provider_id}: could not make a reference still: {exc.stderr_tail[-300:]}",
            provider_id=provider_id,
        ) from exc
    return still
