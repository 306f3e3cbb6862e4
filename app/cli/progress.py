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
    Stage.LAYOUT: "Laying out every aspect",
    Stage.MUSIC: "Composing music",
    Stage.COMPOSE: "Encoding scenes",
    Stage.MUX: "Writing videos",
    Stage.DISCLOSE: "Writing disclosure",
    Stage.PUBLISH: "Publishing",
}


class ProgressBars:
    """A context manager whose instance is a ProgressSink."""

    def __init__(self, console: Console, enabled: bool = True) -> None:
        self._console = console
        # Live bars need a terminal; in logs and pipes, print one line as each stage finishes.
        self._plain = enabled and not console.is_terminal
        self._progress = Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not enabled or self._plain,
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
        if self._plain and event.done == event.total:
            elapsed = self._progress.tasks[task].elapsed or 0.0
            self._console.print(
                f"{_LABELS[event.stage]}: {event.done}/{event.total} done ({elapsed:.1f} s)"
            )
