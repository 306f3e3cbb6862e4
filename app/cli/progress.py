"""Rich progress bars fed by the pipeline's ProgressEvents."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from app.pipeline.events import ProgressEvent, Stage

_LABELS = {
    Stage.PLAN: "Routing scenes",
    Stage.NARRATE: "Narrating",
    Stage.GENERATE: "Generating clips",
    Stage.MUSIC: "Composing music",
    Stage.COMPOSE: "Encoding scenes",
    Stage.MUX: "Writing videos",
    Stage.DISCLOSE: "Writing disclosure",
}


class ProgressBars:
    """A context manager whose instance is a ProgressSink."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not enabled,
        )
        self._tasks: dict[Stage, TaskID] = {}

    def __enter__(self) -> ProgressBars:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def __call__(self, event: ProgressEvent) -> None:
        task = self._tasks.get(event.stage)
        if task is None:
            task = self._progress.add_task(_LABELS[event.stage], total=event.total)
            self._tasks[event.stage] = task
        self._progress.update(task, completed=event.done, total=event.total)
