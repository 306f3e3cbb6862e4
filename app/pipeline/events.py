"""Events a render emits as they happen; the CLI draws them as bars, the API streams them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    PLAN = "plan"  # routing every scene
    NARRATE = "narrate"  # synthesising the voice per scene
    GENERATE = "generate"  # making (or reusing) a clip per scene
    LAYOUT = "layout"  # a clip per aspect where one is made, else finding each clip's subject
    MUSIC = "music"  # generating the music bed
    COMPOSE = "compose"  # encoding scene segments into every aspect
    MUX = "mux"  # joining segments with the soundtrack
    DISCLOSE = "disclose"  # writing the manifest and disclosure track
    PUBLISH = "publish"  # moving the finished set into the output folder


@dataclass(frozen=True)
class ProgressEvent:
    stage: Stage
    done: int
    total: int
    message: str = ""


ProgressSink = Callable[[ProgressEvent], None]


class SceneState(StrEnum):
    QUEUED = "queued"  # planned, no attempt yet
    GENERATING = "generating"  # an attempt on the chosen model is under way
    FALLBACK = "fallback"  # the chosen model failed; a fallback is being tried
    DONE = "done"  # the scene has its clip
    FAILED = "failed"  # every model in the chain failed


@dataclass(frozen=True)
class RenderEvent:
    """What a render reports while it runs; the ledger stores it, the API streams it."""

    render_id: str
    type: str  # "stage" | "scene" | "attempt" | "draft"
    stage: str | None = None  # a `Stage` value
    done: int = 0
    total: int = 0
    scene: int | None = None  # 0-based
    state: SceneState | None = None
    provider: str | None = None
    model: str | None = None
    attempt: dict[str, Any] | None = None  # the manifest's attempt record
    message: str = ""
    draft: dict[str, Any] | None = None  # the draft's news (`app.pipeline.draft.DraftNews`)


RenderEvents = Callable[[RenderEvent], Awaitable[None]]  # awaited in order


async def ignore_events(_event: RenderEvent) -> None:
    return None


class Emitter:
    """Delivers events to an async sink in the order they happen, from sync code too.

    `emit` never blocks the render; a drain task awaits the sink one event at a time, and
    `aclose` waits until every event emitted so far has been delivered."""

    def __init__(self, render_id: str, sink: RenderEvents) -> None:
        self.render_id = render_id
        self._sink = sink
        self._queue: asyncio.Queue[RenderEvent | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._emitted = 0
        self._delivered = 0

    def emit(self, event: RenderEvent) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._drain())
        self._queue.put_nowait(event)
        self._emitted += 1

    def stage(self, stage: Stage, done: int, total: int, message: str = "") -> None:
        self.emit(RenderEvent(self.render_id, "stage", stage.value, done, total, message=message))

    async def _drain(self) -> None:
        while (event := await self._queue.get()) is not None:
            await self._sink(event)
            self._delivered += 1

    async def flush(self) -> None:
        """Wait until every event emitted so far has reached the sink (a write-ahead record)."""
        target = self._emitted
        while self._delivered < target and self._task is not None and not self._task.done():
            await asyncio.sleep(0.01)  # a dead drain (the sink raised) must not hang the render

    async def aclose(self) -> None:
        if self._task is not None:
            self._queue.put_nowait(None)
            await self._task
            self._task = None
