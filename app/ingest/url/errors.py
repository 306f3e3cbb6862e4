"""Why a URL source was not fetched, as errors that name the rule.

    IngestError (ValueError)
    └── FetchRefused(rule, problem, url)   a rule said no: an address class, a scheme, a size,
                                           a content type, a redirect count, a deadline, ...

Every refusal carries a stable `rule` code (`ssrf.private`, `fetch.size`, ...) so callers and
tests can tell refusals apart without parsing prose, and the message names it so a person can.
"""

from __future__ import annotations

from app.ingest.errors import IngestError


class FetchRefused(IngestError):
    """A URL (or a redirect target, or an image) refused by the rule `rule`."""

    def __init__(self, rule: str, problem: str, *, url: str, fix: str = "") -> None:
        self.rule = rule
        self.url = url
        super().__init__(f"refused by rule {rule}: {problem}", source=url, fix=fix)
