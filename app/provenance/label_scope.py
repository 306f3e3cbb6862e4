"""Where the visible AI label is on screen: pure functions shared by the composer, the manifest
and `verify`.

With `label_scope: trained_scenes` (the default) the label shows exactly over the scenes a
trained model made; scenes the procedural renderer drew carry none, so the label never claims
more than is true. With `whole_video` it shows on every scene.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.provenance.source_types import TRAINED, visual_source_type

TRAINED_SCENES, WHOLE_VIDEO = "trained_scenes", "whole_video"


def labelled_scenes(providers: Sequence[str], scope: str) -> frozenset[int]:
    """0-based indexes of the scenes that show the label, given each scene's provider."""
    if scope == WHOLE_VIDEO:
        return frozenset(range(len(providers)))
    return frozenset(i for i, p in enumerate(providers) if visual_source_type(p) == TRAINED)


def label_ranges(
    spans: Sequence[tuple[float, float]], labelled: frozenset[int]
) -> list[tuple[float, float]]:
    """The time ranges the label is on screen: labelled scenes' (start, end), adjacent merged."""
    ranges: list[tuple[float, float]] = []
    for i, (start, end) in enumerate(spans):
        if i not in labelled:
            continue
        if ranges and abs(ranges[-1][1] - start) < 1e-6:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return ranges
