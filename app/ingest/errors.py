"""Ingestion's one exception: a source we cannot turn into scenes.

    app.errors.InputError (code "invalid_input")
    └── IngestError(problem, source=, fix=)    the input is missing, unreadable, not text,
        │                                      empty, or has nothing to narrate
        └── InputTooLarge                      over a size cap (bytes, words); it is also an
                                               app.errors.LimitExceeded (code "limit_exceeded")

It also subclasses `ValueError` because every cause is a bad input value, never a bug or an
outage.
Messages are written for the person who supplied the source: what is wrong, where, and what to
do about it, so the CLI and the API can show `str(error)` unchanged.
"""

from __future__ import annotations

from app.errors import InputError, LimitExceeded


class IngestError(InputError, ValueError):
    """A source that cannot be ingested.

    `problem` says what is wrong, `source` names the file or input it is about, and `fix` says what
    the user can do. `str(error)` joins them into one sentence-cased message.
    """

    def __init__(self, problem: str, *, source: str = "", fix: str = "") -> None:
        self.problem = problem
        self.source = source
        self.fix = fix
        super().__init__(self._message(), field="source")

    def _message(self) -> str:
        text = f"{self.source}: {self.problem}" if self.source else self.problem
        text = text if text.endswith((".", "!", "?")) else text + "."
        return f"{text} {self.fix}".strip()


class InputTooLarge(IngestError, LimitExceeded):
    """A source over a size cap (bytes, words, scenes): code `limit_exceeded`, HTTP 413."""

    code = LimitExceeded.code
    http_status = LimitExceeded.http_status
