"""A policy's validation issues as data: `{line, field, message}` for an editor to show.

Routing reports each issue as one string, `name:line: field: problem` (or `name:line: problem`
when no field is at fault, e.g. a YAML syntax error); this splits them back apart, in line order.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from routing.policy import PolicyError

_WHERE = re.compile(r"^(?P<name>[^\n]*?):(?P<line>\d+): (?P<rest>.*)$", re.DOTALL)
# A dotted field path such as `sourcing.official_api`, `only[0]` or `(document)`.
_FIELD = re.compile(r"^(?P<field>[A-Za-z_(][\w.\[\]()-]*): (?P<message>.*)$", re.DOTALL)


class PolicyIssue(BaseModel):
    line: int | None = Field(description="1-based line of the document, when known")
    field: str | None = Field(description="the dotted field at fault, when there is one")
    message: str


def parse_issue(text: str, document: str) -> PolicyIssue:
    """One issue; a line in another document (a base the policy `extends`) is named in the
    message instead, since it is not a line of the text being edited."""
    where = _WHERE.match(text)
    if where is None:
        return PolicyIssue(line=None, field=None, message=text)
    if where["name"] != document:
        return PolicyIssue(line=None, field=None, message=text)
    rest = where["rest"]
    named = _FIELD.match(rest)
    if named is None or named["field"] == "(document)":
        return PolicyIssue(line=int(where["line"]), field=None, message=rest)
    return PolicyIssue(line=int(where["line"]), field=named["field"], message=named["message"])


def issues_of(exc: PolicyError, document: str) -> list[PolicyIssue]:
    """Every issue of `exc` about the text named `document`, by line (those without a line
    last)."""
    found = [parse_issue(i, document) for i in exc.issues] or [parse_issue(str(exc), document)]
    return sorted(found, key=lambda i: (i.line is None, i.line or 0))
