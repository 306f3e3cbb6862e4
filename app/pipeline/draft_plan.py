"""What a draft shows before any clip exists: the final's timeline, one aspect at 540p, each
scene a placeholder the built-in renderer draws from the scene's request (its visual prompt,
on-screen text and kind), and the scene's final clip once it arrives.

Draft segments cut hard at scene boundaries (the final crossfades): a crossfade carries the
next scene's head into a segment, so swapping one scene would have to re-encode two. Every
slot keeps the final's start, length and clip offset, so the picture at any time is the one
the final shows there, outside the 0.4 s crossfades.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from app.pipeline.layout import aspect_request
from app.render.quality import SETTINGS, EncodeSettings, Quality
from app.render.timeline import Caption, DrawnScene, Reframe, SceneSlot, Timeline, build_timeline
from providers.errors import ProviderError
from providers.local.recipe import recipe_of
from providers.types import Aspect, ClipRequest, SceneKind

# The fastest settings there are; one x264 thread, because segments are encoded two at a time.
DRAFT_ENCODE: EncodeSettings = replace(SETTINGS[Quality.DRAFT], threads=1)
NO_CLIP = Path(os.devnull)  # a placeholder slot draws its picture: it decodes no clip


def placeholder(request: ClipRequest, aspect: Aspect, short_side: int) -> DrawnScene:
    """The scene drawn by the built-in renderer for `aspect` at `short_side`.

    A scene over a reference image is drawn without it (the image would be one more input to
    decode); a request the renderer refuses is drawn as a text card of the same words."""
    asked = aspect_request(request, aspect, short_side)
    tries = (
        replace(asked, reference_image=None),
        replace(asked, reference_image=None, kind=SceneKind.TEXT),
    )
    for attempt in tries:
        try:
            recipe = recipe_of(attempt)
        except ProviderError:
            continue
        return DrawnScene(
            aspect, recipe.graph, (recipe.width, recipe.height), recipe.fps, recipe.sha256
        )
    width, height = asked.width, asked.height
    fps = DRAFT_ENCODE.fps
    graph = f"color=c=0x1d2433:s={width}x{height}:r={fps}:d={asked.duration:.4f}[out]"
    return DrawnScene(aspect, graph, (width, height), fps, "")


def draft_timeline(
    requests: Sequence[ClipRequest],
    durations: Sequence[float],
    captions: Sequence[tuple[Caption, ...]],
    aspect: Aspect,
    clip_offset: float,
) -> Timeline:
    """The draft's timeline of placeholders: the final's slots, hard cuts, one aspect."""
    enc = DRAFT_ENCODE
    size = aspect.frame_size(enc.short_side)
    drawn = [placeholder(r, aspect, enc.short_side) for r in requests]
    tl = build_timeline(
        list(durations),
        [NO_CLIP] * len(drawn),
        [size] * len(drawn),
        [Reframe.PAD] * len(drawn),
        list(captions),
        fps=enc.fps,
        transition=0.0,
        natives=[(d,) for d in drawn],
    )
    slots = tuple(replace(s, clip_offset=clip_offset if s.index else 0.0) for s in tl.slots)
    return replace(tl, slots=slots)


def final_slot(slot: SceneSlot, clip: Path, size: tuple[int, int], reframe: Reframe) -> SceneSlot:
    """The draft's slot for a scene whose clip has arrived: that clip, fitted the final's way."""
    return replace(slot, clip=clip.resolve(), clip_size=size, reframe=reframe, natives=())
