"""Where a render starts its draft and feeds it clips (`app.pipeline.run` calls this)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.pipeline.draft import Arrival, DraftBuilder, DraftSpec
from app.pipeline.draft_outbox import DraftOutbox
from app.pipeline.draft_plan import draft_timeline, final_slot
from app.pipeline.events import Emitter, RenderEvent
from app.provenance.label_scope import WHOLE_VIDEO, labelled_scenes
from app.render.audio import VoicePlacement
from app.render.timeline import Caption, Reframe, VisibleLabel
from app.store.blobs import BlobStore
from providers.music import MusicTrack
from providers.types import Aspect, Clip, ClipRequest


@dataclass(frozen=True)
class DraftInputs:
    """What the render knows once its narration is made."""

    render_id: str
    tenant: str
    title: str
    aspect: Aspect  # the first aspect asked for
    requests: Sequence[ClipRequest]
    durations: Sequence[float]
    captions: Sequence[tuple[Caption, ...]]
    narrations: Sequence[Path]  # each scene's narration WAV
    lead_in: float  # where a scene's narration starts within its slot
    clip_offset: float  # where a clip's picture starts, after the first scene (the crossfade)
    label: VisibleLabel | None
    label_scope: str


class RunningDraft:
    """A draft being made alongside the render."""

    def __init__(self, builder: DraftBuilder, task: asyncio.Task[None], scope: str) -> None:
        self.builder, self._task, self._scope = builder, task, scope

    @property
    def folder(self) -> Path:
        return self.builder.folder

    def clip_arrived(self, index: int, clip: Clip, reframe: Reframe) -> None:
        """Scene `index` has its final clip: swap it into the draft (queued, never waited for)."""
        slot = final_slot(self.builder.spec.timeline.slots[index], clip.path,
                          (clip.width, clip.height), reframe)  # fmt: skip
        labelled = bool(labelled_scenes([clip.provider_id], self._scope))
        self.builder.arrived(Arrival(index, slot, clip.provider_id, clip.model_id, labelled))

    async def finish(self) -> None:
        """Every clip has arrived: wait for the draft to swap the last of them in."""
        self.builder.close()
        await self._task

    async def cancel(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if self.builder.outbox is not None:
            self.builder.outbox.cancel()


def start_draft(
    inputs: DraftInputs,
    music: Awaitable[MusicTrack],
    folder: Path,
    em: Emitter,
    store: BlobStore | None = None,
) -> RunningDraft:
    """Start making the draft in `folder` (a stale one from an interrupted run is replaced),
    each file copied to `store` too when one is given (other machines' API processes)."""
    tl = draft_timeline(
        inputs.requests, inputs.durations, inputs.captions, inputs.aspect, inputs.clip_offset
    )
    voices = tuple(
        VoicePlacement(path, slot.start + inputs.lead_in)
        for path, slot in zip(inputs.narrations, tl.slots, strict=True)
    )
    spec = DraftSpec(
        inputs.render_id, inputs.tenant, inputs.title, inputs.aspect, tl, voices,
        inputs.label, inputs.label_scope == WHOLE_VIDEO,
    )  # fmt: skip
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)

    def news(data: dict[str, Any]) -> None:
        em.emit(RenderEvent(em.render_id, "draft", message=str(data["state"]), draft=data))

    outbox = DraftOutbox(store, inputs.render_id) if store is not None else None
    builder = DraftBuilder(spec, folder, news, outbox)
    task = asyncio.ensure_future(builder.run(music))
    return RunningDraft(builder, task, inputs.label_scope)
