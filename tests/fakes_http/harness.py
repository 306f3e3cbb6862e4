"""Helpers for adapter tests: instant injected time, requests, and leftover-file checks."""

from __future__ import annotations

from pathlib import Path

from providers.types import Aspect, ClipRequest, SceneKind
from providers.vendors.polling import Timing
from tests.fakes import FakeTime


def instant(time: FakeTime) -> Timing:
    """Polling that never waits for real; jitter fixed at its midpoint."""
    return Timing(sleep=time.sleep, monotonic=time.monotonic, random=lambda: 0.5)


def clip_request(
    aspect: Aspect = Aspect.LANDSCAPE, duration: float = 4.2, image: Path | None = None
) -> ClipRequest:
    width, height = aspect.frame_size(720)
    return ClipRequest(
        prompt="a lighthouse at dusk, waves rolling in", duration=duration, aspect=aspect,
        width=width, height=height, kind=SceneKind.LANDSCAPE, reference_image=image, seed=7,
    )  # fmt: skip


def leftovers(folder: Path) -> list[str]:
    """Files a failed download must not leave behind."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def png(path: Path) -> Path:
    """A tiny valid PNG to use as a reference frame."""
    import base64

    path.write_bytes(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
        )
    )
    return path
