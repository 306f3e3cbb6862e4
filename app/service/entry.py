"""The one render entry: `plan_render` (spends nothing) and `execute_plan` (spends, once approved).

The CLI, the API and the worker all call these two; nothing else assembles a render.

    RenderRequest ──plan_render(env: PlanEnv)──▶ PlannedRender ──execute_plan(env: RenderEnv)──▶
        ingest, edits, chosen ∩ enforced policy,           narrate, generate, compose, disclose in
        routing, pins and prefers                          a work folder, then publish into out_dir

Errors are `app.errors.ReelrouteError`s throughout.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date
from pathlib import Path
from typing import Any, Protocol

from app.config import Settings
from app.errors import InputError, PinForbidden, PolicyInvalid, SetupError
from app.ingest import IngestError, ingest_text
from app.ingest.model import Scene, Script, SourceKind
from app.ingest.timing import target_duration
from app.pipeline.cache import clip_cache, narration_store
from app.pipeline.disclose import RenderResult
from app.pipeline.env import RenderEnv, Signer
from app.pipeline.events import RenderEvent, RenderEvents, SceneState, Stage, ignore_events
from app.pipeline.plan import check_plan, plan_script
from app.pipeline.run import RenderOptions, SceneClip, generate_scene, render_script
from app.policies import FilePolicySource, combine_policies
from app.provenance.manifest_model import Approval
from app.service.request import PolicyRef, RenderRequest, RenderSource, SceneEdit
from app.store.blobs import build_blob_store
from providers.documents import format_path
from providers.errors import ProviderError
from providers.profile import Catalog
from providers.registry import Registry, default_registry
from providers.voice import VoiceEngine, get_voice
from routing.eligibility import DURATION_SLACK_S
from routing.policy import Policy, semantic_issues
from routing.router import Choice, Plan, RoutingDecision

__all__ = [
    "FilePolicySource",
    "PlanEnv",
    "PlannedRender",
    "PolicySource",
    "RenderEnv",
    "RenderEvent",
    "RenderEvents",
    "SceneState",
    "SourceWriter",
    "Stage",
    "build_render_env",
    "execute_plan",
    "execute_scene",
    "plan_render",
]


class PolicySource(Protocol):
    def resolve(self, ref: PolicyRef | None, tenant: str) -> Policy: ...  # PolicyInvalid/NotFound

    def enforced(self, tenant: str) -> Policy | None: ...  # the agency's binding policy, if any


# A source -> (its script, notes for the person), or None to ingest the text as given.
SourceWriter = Callable[[RenderSource], Awaitable[tuple[Script, tuple[str, ...]] | None]]


@dataclass(frozen=True)
class PlanEnv:
    """What planning needs; nothing here spends money."""

    catalog: Catalog
    registry: Registry
    policies: PolicySource
    words_per_minute: float
    spent_usd: float = 0.0  # the tenant's spend so far (budget.per_tenant_usd)
    today: date | None = None
    # Where relative outline image paths are looked up: the CLI gives the source file's folder;
    # the API gives none, so a request's text can never reach local files.
    source_dir: Path | None = None
    assume_configured: bool = False  # what-if planning: every provider has credentials
    # Makes the script of sources that need the network or a model (a URL; a prompt written
    # to `minutes`); None from it, or no writer, means the text is ingested as given.
    writer: SourceWriter | None = None


@dataclass(frozen=True)
class PlannedRender:
    request: RenderRequest
    script: Script  # after edits
    policy: Policy  # effective: chosen combined with enforced
    chosen_policy: Policy
    enforced_policy: Policy | None
    plan: Plan
    notes: tuple[str, ...] = ()  # how the script was made, worth telling (from the writer)

    def check(self) -> None:
        """Raise `PlanError` when a scene has no eligible model or a budget is exceeded."""
        check_plan(self.plan, len(self.script.scenes))

    def to_dict(self) -> dict[str, Any]:
        return {
            "render_id": self.request.render_id,
            "title": self.script.title,
            "policy": {"id": self.policy.id, "sha256": self.policy.sha256},
            "chosen_policy": {"id": self.chosen_policy.id, "sha256": self.chosen_policy.sha256},
            "enforced_policy": (
                {"id": self.enforced_policy.id, "sha256": self.enforced_policy.sha256}
                if self.enforced_policy is not None
                else None
            ),
            "estimated_cost_usd": self.plan.estimated_cost_usd,
            "within_budget": self.plan.within_budget,
            "scenes": [
                _scene_dict(s, d)
                for s, d in zip(self.script.scenes, self.plan.decisions, strict=True)
            ],
        }


def _scene_dict(scene: Scene, d: RoutingDecision) -> dict[str, Any]:
    return {
        "index": scene.index,
        "narration": scene.narration,
        "on_screen_text": scene.on_screen_text,
        "visual_prompt": scene.visual_prompt,
        "kind": scene.kind.value,
        "target_duration": scene.target_duration,
        "chosen": d.chosen.ref if d.chosen else None,
        "fallbacks": [c.ref for c in d.fallbacks],
        "exclusions": [e.to_dict() for e in d.exclusions],
        "scores": {ref: d.scores[ref].to_dict() for ref in sorted(d.scores)},  # why `chosen`
        "estimated_cost_usd": d.estimated_cost_usd,
    }


async def plan_render(
    request: RenderRequest, env: PlanEnv, *, strict: bool = True
) -> PlannedRender:
    """Ingest, apply edits, bind the policies, route every scene and apply pins and prefers.
    Calls no provider. With `strict`, an unroutable scene or a budget overrun is a `PlanError`;
    without, the plan shows them (`reelroute plan`)."""
    script, notes = await _ingest(request, env)
    script = _apply_edits(script, request.edits, env.words_per_minute)
    chosen = env.policies.resolve(request.policy, request.tenant)
    enforced = env.policies.enforced(request.tenant)
    policy = combine_policies(enforced, chosen)
    if enforced is not None:
        _check_combined(policy, chosen, enforced, env.catalog)
    routed = plan_script(
        script, policy, env.catalog, env.registry, request.aspects[0],
        today=env.today, spent_usd=env.spent_usd, assume_configured=env.assume_configured,
    )  # fmt: skip
    routed = _apply_pins(routed, request.edits, env.catalog)
    planned = PlannedRender(request, script, policy, chosen, enforced, routed, notes)
    if strict:
        planned.check()
    return planned


def _check_combined(policy: Policy, chosen: Policy, enforced: Policy, catalog: Catalog) -> None:
    """A combination that contradicts itself (e.g. leaves a scene kind no provider) is refused
    now, with both names, rather than making a render whose recorded policy cannot re-parse."""
    issues = semantic_issues(policy, catalog)
    if issues:
        path, problem = issues[0]
        where = format_path(path)
        raise PolicyInvalid(
            f"{chosen.id} within the enforced policy {enforced.id}: {where}: {problem}",
            field=where,
        )


async def _ingest(request: RenderRequest, env: PlanEnv) -> tuple[Script, tuple[str, ...]]:
    source = request.source
    if env.writer is not None:
        written = await env.writer(source)
        if written is not None:
            return written
    if source.kind == "url" or source.text is None:
        raise InputError(
            "URL sources are not supported by this setup; save the article's text and give "
            "it as a script",
            field="source.url",
        )
    return _ingest_text(source, env), ()


def _ingest_text(source: RenderSource, env: PlanEnv) -> Script:
    assert source.text is not None
    kind = SourceKind(source.kind)
    base_dir = env.source_dir if kind is SourceKind.OUTLINE else None
    try:
        return ingest_text(
            source.text, kind, base_dir=base_dir, words_per_minute=env.words_per_minute,
            source_name=source.name,
        )  # fmt: skip
    except IngestError:
        raise
    except ValueError as exc:  # a parser's own complaint about the text
        raise InputError(str(exc), field="source.text") from exc


def _apply_edits(script: Script, edits: dict[int, SceneEdit], wpm: float) -> Script:
    if not edits:
        return script
    scenes = list(script.scenes)
    for i, edit in sorted(edits.items()):
        if i >= len(scenes):
            raise InputError(
                f"scene {i} does not exist: the script has {len(scenes)} scenes (0-based)",
                field=f"edits.{i}",
            )
        scene = scenes[i]
        if edit.narration is not None:
            text = " ".join(edit.narration.split())
            scene = dataclasses.replace(
                scene, narration=text, target_duration=target_duration(text, wpm)
            )
        if edit.visual_prompt is not None:
            scene = dataclasses.replace(scene, visual_prompt=edit.visual_prompt.strip())
        scenes[i] = scene
    return dataclasses.replace(script, scenes=tuple(scenes))


def _apply_pins(routed: Plan, edits: dict[int, SceneEdit], catalog: Catalog) -> Plan:
    if not any(e.pin or e.prefer for e in edits.values()):
        return routed
    decisions = list(routed.decisions)
    for i, edit in sorted(edits.items()):
        if edit.pin is not None:
            decisions[i] = _pinned(decisions[i], edit.pin, catalog, field=f"edits.{i}.pin")
        elif edit.prefer is not None:
            decisions[i] = _preferred(decisions[i], edit.prefer, catalog)
    total = round(sum(d.estimated_cost_usd or 0.0 for d in decisions), 6)
    replanned = dataclasses.replace(
        routed, decisions=tuple(decisions), estimated_cost_usd=total, within_budget=True
    )
    return dataclasses.replace(replanned, within_budget=not replanned.budget_problems)


def _pinned(d: RoutingDecision, ref: str, catalog: Catalog, *, field: str) -> RoutingDecision:
    """Only `ref` may make the scene; a model the policy (or the catalog) excludes is refused
    with the exclusion's reason codes."""
    provider, model = ref.split("/", 1)
    for e in d.exclusions:
        if (e.provider, e.model) == (provider, model):
            raise PinForbidden(
                f"scene {d.scene.index}: {ref} cannot be pinned: {', '.join(e.reasons)}",
                reasons=e.reasons,
                field=field,
            )
    if Choice(provider, model) not in d.chain:
        raise PinForbidden(f"scene {d.scene.index}: {ref} is not in the catalog",
                           reasons=("catalog.unknown_model",), field=field)  # fmt: skip
    return dataclasses.replace(
        d,
        chosen=Choice(provider, model),
        fallbacks=(),  # a pin is hard: no stand-in
        estimated_cost_usd=_cost(catalog, d, provider, model),
    )


def _preferred(d: RoutingDecision, ref: str, catalog: Catalog) -> RoutingDecision:
    """`ref` first when it is eligible; otherwise the routed choice stands."""
    chain = d.chain
    wanted = [c for c in chain if c.ref == ref]
    if not wanted or chain[0].ref == ref:
        return d
    return dataclasses.replace(
        d,
        chosen=wanted[0],
        fallbacks=tuple(c for c in chain if c.ref != ref),
        estimated_cost_usd=_cost(catalog, d, wanted[0].provider, wanted[0].model),
    )


def _cost(catalog: Catalog, d: RoutingDecision, provider: str, model: str) -> float | None:
    return catalog.get(provider).models[model].cost_usd(d.scene.duration, DURATION_SLACK_S)


def manifest_approval(request: RenderRequest) -> Approval | None:
    found = request.approval
    if found is None:
        return None
    at = found.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return Approval(by=found.by, at=at)


async def execute_plan(planned: PlannedRender, env: RenderEnv, out_dir: Path) -> RenderResult:
    """Render an approved plan into `out_dir` (staged, locked, published manifest last)."""
    options = render_options(planned, env)
    return await render_script(planned.script, planned.plan, options, env, out_dir)


async def execute_scene(planned: PlannedRender, env: RenderEnv, index: int) -> SceneClip:
    """Make one scene's clip of an approved plan (a worker's scene job); the composition is
    `execute_plan` with the clips made this way in `env.made`."""
    return await generate_scene(
        planned.script, planned.plan, render_options(planned, env), env, index
    )


def render_options(planned: PlannedRender, env: RenderEnv) -> RenderOptions:
    request = planned.request
    return RenderOptions(
        render_id=request.render_id,
        policy=planned.policy,
        aspects=tuple(request.aspects),
        quality=request.quality,
        input_ref=request.source.name or request.source.url,
        tenant=request.tenant,
        chosen_policy=planned.chosen_policy,
        enforced_policy=planned.enforced_policy,
        parent_id=request.parent_id,
        voice=_voice(request.voice, env.voice),
        music_mood=request.music_mood,
        approval=manifest_approval(request),
        takes={i: edit.take for i, edit in request.edits.items() if edit.take},
        draft=request.draft,
    )


def _voice(name: str | None, default: VoiceEngine) -> VoiceEngine | None:
    if name is None:
        return None
    try:
        engine = get_voice(name)
    except (ValueError, ProviderError) as exc:
        raise SetupError(f"the {name} voice cannot be used: {exc}", field="voice") from exc
    return None if engine is default else engine


def build_plan_env(
    settings: Settings,
    *,
    catalog: Catalog,
    registry: Registry | None = None,
    policies: PolicySource | None = None,
    **extra: Any,
) -> PlanEnv:
    return PlanEnv(
        catalog=catalog,
        registry=registry or default_registry(settings.provider_settings()),
        policies=policies or FilePolicySource(catalog, settings.enforced_policy_path),
        words_per_minute=settings.words_per_minute,
        **({"writer": _default_writer(settings)} | extra),
    )


def _default_writer(settings: Settings) -> SourceWriter:
    # Imported here: the writer pulls in the article and LLM stack, which imports this module.
    from app.service.writers import source_writer

    return source_writer(settings)


def build_render_env(
    settings: Settings,
    events: RenderEvents | None = None,
    *,
    catalog: Catalog,
    registry: Registry | None = None,
    voice: VoiceEngine | None = None,
    local_index: bool = True,
) -> RenderEnv:
    """The collaborators of a render, from the settings (the composition root). The service
    passes `local_index=False`: its fingerprints go to the ledger, not `<data>/fingerprints`."""
    return RenderEnv(
        registry=registry or default_registry(settings.provider_settings()),
        catalog=catalog,
        voice=voice or get_voice(settings.voice),
        clips=clip_cache(settings),
        narration_dir=settings.narration_cache_dir,
        narration_store=narration_store(settings),
        signer=Signer(settings, local_index=local_index),
        scratch_dir=settings.work_dir,
        drafts_dir=settings.drafts_dir,
        draft_store=build_blob_store(settings) if settings.s3_bucket else None,
        events=events or ignore_events,
        compose_concurrency=settings.compose_concurrency,
        clip_concurrency=settings.clip_concurrency,
        music_seed=settings.music_seed,
        music_mood=settings.music_mood,
    )
