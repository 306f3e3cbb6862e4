"""A draft policy, checked and tried without saving it: its issues (field and line), what it
does to the catalog per scene kind, and the plan it gives a pasted script.

Nothing is stored and nothing is spent: the plan comes from the same `plan_render` a render
uses, in its non-strict form (an unroutable scene or a budget overrun shows in the plan instead
of refusing it). The draft is judged on its own, as if it were the policy in effect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.api.errors import ErrorDetail, InputTooLarge
from app.api.policy_issues import PolicyIssue, issues_of
from app.api.render_ops import check_words
from app.api.state import Service
from app.errors import ReelrouteError
from app.policies import parse_policy_text
from app.service.entry import PlanEnv, plan_render
from app.service.request import PolicyRef, RenderRequest, RenderSource
from app.store import renders as render_store
from app.store.keys import Principal
from providers.types import Aspect
from routing.explain import explain_policy
from routing.policy import Policy, PolicyError

DOCUMENT = "policy"  # the name issues carry for the draft's own lines
MAX_SOURCE_CHARS = 64_000


class PreviewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "id: acme-strict\nsourcing:\n  official_api: true\n",
                    "script": "Lisbon's trams climb hills no bus would try.",
                    "aspect": "16:9",
                }
            ]
        },
    )
    source: str = Field(max_length=MAX_SOURCE_CHARS, description="the policy text, YAML or JSON")
    script: str | None = Field(
        default=None, max_length=MAX_SOURCE_CHARS, description="a script to plan under the draft"
    )
    aspect: Aspect = Aspect.LANDSCAPE


class PolicyRefOut(BaseModel):
    id: str
    sha256: str


class PreviewOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "valid": False,
                    "issues": [
                        {"line": 3, "field": "sourcing.official_apii", "message": "unknown field"}
                    ],
                    "policy": None,
                    "explanation": None,
                    "plan": None,
                    "plan_error": None,
                }
            ]
        }
    )
    valid: bool
    issues: list[PolicyIssue]
    policy: PolicyRefOut | None = None
    explanation: dict[str, Any] | None = Field(
        default=None, description="per scene kind, what each rule removes (as `/explain`)"
    )
    plan: dict[str, Any] | None = Field(default=None, description="the plan for `script`")
    plan_error: ErrorDetail | None = Field(
        default=None, description="why `script` could not be planned"
    )


@dataclass(frozen=True)
class DraftPolicySource:
    """Every reference resolves to the draft; no enforced policy narrows it."""

    draft: Policy

    def resolve(self, ref: PolicyRef | None, tenant: str) -> Policy:
        return self.draft

    def enforced(self, tenant: str) -> Policy | None:
        return None


def parse_draft(service: Service, source: str) -> Policy | list[PolicyIssue]:
    if not source.strip():
        return [PolicyIssue(line=1, field=None, message="the policy document is empty")]
    try:
        return parse_policy_text(source, DOCUMENT, service.catalog)
    except PolicyError as exc:
        return issues_of(exc, DOCUMENT)


async def plan_script(
    service: Service, principal: Principal, draft: Policy, script: str, aspect: Aspect
) -> dict[str, Any]:
    """The plan `script` gets under `draft` (ReelrouteError when it cannot be ingested)."""
    source = RenderSource(kind="script", text=script, name="the pasted script")
    check_words(service, source)
    request = RenderRequest(
        render_id="preview",
        tenant=principal.tenant,
        source=source,
        policy=PolicyRef(id=draft.id),
        aspects=[aspect],
    )
    env = PlanEnv(
        catalog=service.catalog,
        registry=service.registry,
        policies=DraftPolicySource(draft),
        words_per_minute=service.settings.words_per_minute,
        spent_usd=await render_store.tenant_spend(service.db, principal.tenant),
    )
    planned = await plan_render(request, env, strict=False)
    cap = service.settings.max_scenes
    if len(planned.script.scenes) > cap:
        raise InputTooLarge(
            f"the script makes {len(planned.script.scenes)} scenes; the limit is {cap}",
            field="script",
        )
    return planned.to_dict()


async def preview(service: Service, principal: Principal, body: PreviewIn) -> PreviewOut:
    parsed = parse_draft(service, body.source)
    if not isinstance(parsed, Policy):
        return PreviewOut(valid=False, issues=parsed)
    today = dt.datetime.now(dt.UTC).date()
    out = PreviewOut(
        valid=True,
        issues=[],
        policy=PolicyRefOut(id=parsed.id, sha256=parsed.sha256),
        explanation=explain_policy(parsed, service.catalog.profiles, today).to_dict(),
    )
    if body.script is not None and body.script.strip():
        try:
            out.plan = await plan_script(service, principal, parsed, body.script, body.aspect)
        except ReelrouteError as exc:
            out.plan_error = ErrorDetail(code=exc.code, message=exc.message, field=exc.field)
    return out
