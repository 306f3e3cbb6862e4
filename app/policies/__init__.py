"""Policies as files and references: reading them, resolving `extends`, and binding a tenant's
enforced policy. Routing validates and merges parsed bodies; everything that touches a file is
here.

    load_policy(path, catalog)          a policy file, `extends` looked up next to it, then
                                        among the built-in bases (`app/policies/bases/`)
    parse_policy_text(text, name, ...)  the same for text in memory (inline bodies: built-ins only)
    combine_policies(enforced, chosen)  the effective policy: `chosen` narrows `enforced`
    FilePolicySource                    the CLI's `PolicySource`: ids are paths or example names
"""

from app.policies.combine import combine_policies
from app.policies.files import (
    EXAMPLES_DIR,
    FilePolicySource,
    builtin_bases,
    load_policy,
    parse_policy_body,
    parse_policy_text,
)

__all__ = [
    "EXAMPLES_DIR",
    "FilePolicySource",
    "builtin_bases",
    "combine_policies",
    "load_policy",
    "parse_policy_body",
    "parse_policy_text",
]
