"""The ledger-backed `PolicySource`: tenant policies by name, inline bodies, the agency's
enforced policy. The contract's `resolve` is synchronous, so what a request may name is read
from the ledger first (`load_policy_source`) and resolved from memory."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from app.errors import NotFound, PolicyInvalid
from app.pipeline.plan import DEFAULT_POLICY
from app.policies import parse_policy_text
from app.service.request import PolicyRef
from app.store import policies as policy_store
from app.store.db import Database
from providers.profile import Catalog
from routing.policy import Policy, PolicyError


def policy_invalid(exc: PolicyError, prefix: str = "") -> PolicyInvalid:
    """`name:line: field: problem` issues as one PolicyInvalid naming the first field."""
    first = exc.issues[0] if exc.issues else ""
    parts = first.split(": ", 2)
    field_ = parts[1] if len(parts) == 3 else None
    if prefix and field_ and field_ != "(document)":
        field_ = f"{prefix}.{field_}"
    return PolicyInvalid("; ".join(exc.issues), field=field_ or prefix or None)


def parse_body(text: str, name: str, catalog: Catalog, prefix: str = "") -> Policy:
    """Policy text (YAML or JSON); `extends` may name the built-in bases."""
    try:
        return parse_policy_text(text, name, catalog)
    except PolicyError as exc:
        raise policy_invalid(exc, prefix) from exc


def split_ref(ref: str) -> tuple[str, int | None]:
    """`name` or `name@3`."""
    name, _, version = ref.partition("@")
    if version and not version.isdigit():
        raise NotFound(f"no policy {ref!r} (versions are numbers: name@2)", field="policy.id")
    return name, int(version) if version else None


@dataclass
class LedgerPolicySource:
    catalog: Catalog
    named: dict[str, tuple[Policy, int]] = field(default_factory=dict)  # ref -> (policy, ver)
    enforced_policy: Policy | None = None

    def resolve(self, ref: PolicyRef | None, tenant: str) -> Policy:
        if ref is None:
            return DEFAULT_POLICY
        if ref.id is not None:
            found = self.named.get(ref.id)
            if found is None:
                raise NotFound(f"no policy {ref.id!r} in this tenant", field="policy.id")
            return found[0]
        text = json.dumps(ref.body or {}, indent=2)  # one key a line: errors name a useful line
        return parse_body(text, "policy.body", self.catalog, prefix="policy.body")

    def enforced(self, tenant: str) -> Policy | None:
        return self.enforced_policy

    def version_of(self, ref: PolicyRef | None) -> tuple[str, int] | None:
        """(name, version) of a named tenant policy, for the ledger's `used` mark."""
        if ref is None or ref.id is None or ref.id not in self.named:
            return None
        return split_ref(ref.id)[0], self.named[ref.id][1]


async def _named(db: Database, tenant: str, ref: str, catalog: Catalog) -> tuple[Policy, int]:
    name, version = split_ref(ref)
    row = await policy_store.get_policy(db, tenant, name, version)
    if row is None:
        raise NotFound(f"no policy {ref!r} in this tenant", field="policy.id")
    return Policy.model_validate(row.body), row.version


async def load_policy_source(
    db: Database, tenant: str, ref: PolicyRef | None, catalog: Catalog
) -> LedgerPolicySource:
    source = LedgerPolicySource(catalog)
    if ref is not None and ref.id is not None:
        source.named[ref.id] = await _named(db, tenant, ref.id, catalog)
    enforced = await policy_store.enforced_name(db, tenant)
    if enforced is not None:
        source.enforced_policy = (await _named(db, tenant, enforced, catalog))[0]
    return source
