"""One named verification result: the vocabulary `verify`, report.html and the CLI share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    PASS = "pass"  # the fact holds
    FAIL = "fail"  # the fact does not hold: the render does not verify
    SKIP = "skip"  # the fact could not be checked here; the detail says why
    WARN = "warn"  # the fact holds only if what the detail names can be trusted


@dataclass(frozen=True)
class Check:
    name: str
    verdict: Verdict
    detail: str


def ok(name: str, detail: str) -> Check:
    return Check(name, Verdict.PASS, detail)


def fail(name: str, detail: str) -> Check:
    return Check(name, Verdict.FAIL, detail)


def skip(name: str, detail: str) -> Check:
    return Check(name, Verdict.SKIP, detail)


def warn(name: str, detail: str) -> Check:
    return Check(name, Verdict.WARN, detail)


def failed(checks: Iterable[Check]) -> bool:
    return any(c.verdict is Verdict.FAIL for c in checks)
