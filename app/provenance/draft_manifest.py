"""A draft's manifest: what marks it, and how `verify` recognises one.

A draft is a preview (540p, placeholder scenes, no credentials, no signature). Its manifest
says so in three places (`schema`, `draft: true`, `publishable: false`) and its pictures carry
the burned-in label `DRAFT_LABEL`; `verify` refuses it as a publishable output, whatever else
the file claims.
"""

from __future__ import annotations

from typing import Any

DRAFT_SCHEMA = "reelroute.draft/1"
DRAFT_LABEL = "Draft"
NOT_PUBLISHABLE = (
    "this is a draft (reelroute.draft/1): a low-resolution preview with placeholder scenes, "
    "no content credentials and no signature. It is not a publishable output; verify the "
    "final render's folder instead"
)


def is_draft(data: Any) -> bool:
    """True for anything that calls itself a draft, however else it is shaped."""
    if not isinstance(data, dict):
        return False
    return data.get("draft") is True or data.get("schema") == DRAFT_SCHEMA
