"""Log lines that say which render and which scene they are about.

The render id and scene index travel in context variables, so every line logged while a render
(or one of its scenes) is worked on carries them, whichever module logs it: `jobs` binds the
render, the pipeline binds each scene (asyncio copies the context into each scene's task).
`REELROUTE_LOG_FORMAT=json` writes one JSON object per line, for a log shipper; `text` writes
lines for people. `serve` and `worker` default to json, the other commands to text.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Literal

render_id_var: ContextVar[str | None] = ContextVar("reelroute_render_id", default=None)
scene_var: ContextVar[int | None] = ContextVar("reelroute_scene", default=None)

LogFormat = Literal["json", "text"]
# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "render_id",
    "scene",
    "color_message",  # uvicorn's copy of the message with terminal colours
}


@contextmanager
def log_context(*, render_id: str | None = None, scene: int | None = None) -> Iterator[None]:
    """Lines logged inside (in this task and tasks it starts) carry `render_id` / `scene`."""
    render_token = render_id_var.set(render_id) if render_id is not None else None
    scene_token = scene_var.set(scene) if scene is not None else None
    try:
        yield
    finally:
        if scene_token is not None:
            scene_var.reset(scene_token)
        if render_token is not None:
            render_id_var.reset(render_token)


class ContextFilter(logging.Filter):
    """Copies the render id and scene from the context onto each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.render_id = render_id_var.get()
        record.scene = scene_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("render_id", "scene"):
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        line |= {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        where = [
            f"{name}={value}"
            for name in ("render_id", "scene")
            if (value := getattr(record, name, None)) is not None
        ]
        if not where:
            return text
        head, sep, tail = text.partition("\n")  # keep a traceback below the tagged line
        return f"{head} [{' '.join(where)}]{sep}{tail}"


def configure_logging(fmt: LogFormat, level: str = "INFO") -> None:
    """One stderr handler on the root logger (replacing earlier ones), in `fmt`."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
