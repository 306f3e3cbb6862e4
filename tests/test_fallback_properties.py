"""Policies hold under failure: properties over random catalogs, policies, scenes and failures.

Every case routes random scenes over a random catalog of fake providers under a random policy,
then runs the real `generate_clip` fallback loop against scripted fakes registered in the real
`Registry` (writing real bytes into a real clip cache), with a scripted failure sequence per
provider. Time is fake, so thousands of cases run in seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.pipeline.cache import ClipCache
from app.pipeline.clips import Candidate, ClipOutcome, SceneFailed, Timing, generate_clip
from app.pipeline.health import CircuitBoard
from providers.documents import deep_merge
from providers.profile import ProviderProfile
from providers.registry import Registry
from providers.types import Aspect, ClipRequest, SceneKind
from routing.eligibility import exclusion_reasons
from routing.health import ProviderHealth
from routing.policy import Policy, merge_policy_data
from routing.router import Plan, plan
from routing.scene import SceneSpec
from tests.fakes import FakeTime, ScriptedProvider
from tests.test_eligibility import evidence, provider_data

TODAY = dt.date(2026, 11, 22)
IDS = ["p0", "p1", "p2", "p3", "p4"]
MODELS = ["m1", "m2"]
TOPIC = "unauthorized-distillation"

DATES = ["2023-01-01", "2025-06-01", "2026-10-01", "2026-11-20"]
STATUSES: list[list[str]] = [[], ["alleged"], ["disputed"], ["confirmed"], ["cleared"]]


def random_profile(rng: random.Random, pid: str) -> ProviderProfile:
    """One provider with random facts, evidence dates, prices, durations and allegations."""

    def fact(*values: Any) -> dict[str, Any]:
        return {**evidence(rng.choice(values)), "as_of": rng.choice(DATES)}

    base_model = provider_data(pid)["models"]["m1"]
    models = {
        m: deep_merge(
            base_model,
            {
                "durations": rng.choice([[5, 10], [4, 6, 8], {"min": 1, "max": 20}]),
                "aspects": rng.sample([a.value for a in Aspect], rng.randint(1, 4)),
                "price_per_second_usd": fact(0.0, 0.05, 0.2, 0.5, "unknown"),
            },
        )
        for m in MODELS[: rng.randint(1, 2)]
    }
    allegations = [
        {"topic": TOPIC, "by": "x", "summary": "s", "source": "src", "status": status,
         "as_of": "2026-01-01"}
        for status in rng.choice(STATUSES)
    ]  # fmt: skip
    data = deep_merge(
        provider_data(pid),
        {
            "headquarters": fact("US", "CN", "DE", "unknown", "n/a"),
            "sourcing": {
                "access_kind": fact("official_api", "reseller", "self_hosted"),
                "training_data": fact("none", "partial", "full", "unknown"),
                "content_credentials": fact([], ["c2pa"], ["synthid"], "unknown"),
                "open_weights": fact(True, False, "unknown"),
                "allegations": allegations,
            },
            "fitness": {"scores": {k.value: rng.choice([0.2, 0.5, 0.9]) for k in SceneKind}},
        },
    )
    data["models"] = models
    return ProviderProfile.model_validate(data)


# Profiles are drawn from a fixed pool of random variants: building pydantic profiles inside
# every example would spend the time budget on construction instead of on the properties.
_RNG = random.Random(20261122)
POOL = {pid: [random_profile(_RNG, pid) for _ in range(40)] for pid in IDS}


@st.composite
def catalogs(draw: st.DrawFn) -> list[ProviderProfile]:
    n = draw(st.integers(2, len(IDS)))
    return [draw(st.sampled_from(POOL[pid])) for pid in IDS[:n]]


ids = st.lists(st.sampled_from(IDS), unique=True, max_size=3)
refs = st.lists(st.sampled_from([f"{p}/{m}" for p in IDS for m in MODELS]), unique=True, max_size=3)
prices = st.none() | st.sampled_from([0.0, 0.1, 0.3, 1.0])

policies = st.fixed_dictionaries(
    {"id": st.just("random")},
    optional={
        "only": st.none() | ids,
        "ignore": ids,
        "order": ids,
        "allow_fallbacks": st.booleans(),
        "sort": st.sampled_from(["quality", "price", "latency"]),
        "max_price": prices,
        "models": st.fixed_dictionaries({}, optional={"only": st.none() | refs, "ignore": refs}),
        "budget": st.fixed_dictionaries({"per_video_usd": prices}),
        "sourcing": st.fixed_dictionaries(
            {},
            optional={
                "official_api": st.booleans(),
                "min_training_data_disclosure": st.sampled_from(["none", "partial", "full"]),
                "require_content_credentials": st.booleans(),
                "open_weights": st.none() | st.booleans(),
                "jurisdictions": st.fixed_dictionaries(
                    {}, optional={"allow": st.just(["US", "EU"]), "deny": st.just(["CN"])}
                ),
                "max_evidence_age_days": st.none() | st.sampled_from([1, 30, 365, 2000]),
            },
        ),
        "allegations": st.fixed_dictionaries(
            {
                "exclude_topics": st.just([TOPIC]),
                "min_status": st.sampled_from(["alleged", "disputed", "confirmed"]),
            }
        ),
        "unknown_facts": st.sampled_from(["allow", "exclude"]),
        "scene_kinds": st.dictionaries(
            st.sampled_from([k.value for k in SceneKind]),
            st.fixed_dictionaries({}, optional={"ignore": ids, "max_price": prices}),
            max_size=2,
        ),
        "retries": st.fixed_dictionaries(
            {"max_attempts_per_provider": st.integers(1, 3), "backoff_s": st.sampled_from([0, 1.5])}
        ),
        "cooldown": st.fixed_dictionaries(
            {"allowed_fails": st.integers(1, 4), "cooldown_s": st.sampled_from([0, 5, 600])}
        ),
        "rate_limit_wait_budget_s": st.sampled_from([0, 3, 20]),
    },
)


def healths(n: int) -> st.SearchStrategy[dict[str, ProviderHealth]]:
    return st.fixed_dictionaries(
        {
            pid: st.builds(
                ProviderHealth,
                configured=st.sampled_from([True, True, True, False]),
                circuit_open=st.sampled_from([False, False, False, True]),
            )
            for pid in IDS[:n]
        }
    )


scene_lists = st.lists(
    st.builds(
        SceneSpec,
        index=st.just(0),
        kind=st.sampled_from(list(SceneKind)),
        duration=st.sampled_from([2.0, 4.5, 7.0, 12.0]),
        aspect=st.sampled_from(list(Aspect)),
    ),
    min_size=1,
    max_size=3,
).map(lambda scenes: [SceneSpec(i, s.kind, s.duration, s.aspect) for i, s in enumerate(scenes)])

steps = st.sampled_from(
    ["ok", "reject", "unavailable", "invalid", "failed", "auth", "ratelimit:2", "ratelimit:30"]
)
scripts = st.fixed_dictionaries({pid: st.lists(steps, max_size=6) for pid in IDS})
endings = st.fixed_dictionaries(
    {pid: st.sampled_from(["ok", "ok", "unavailable", "reject"]) for pid in IDS}
)


def eligible(
    profiles: list[ProviderProfile], spec: SceneSpec, policy: Policy, health: Any
) -> set[tuple[str, str]]:
    return {
        (p.id, m.id)
        for p in profiles
        for m in p.iter_models()
        if exclusion_reasons(p, m, spec, policy, health, TODAY) == ()
    }


def generate_all(
    routed: Plan, providers: list[ScriptedProvider], cache: Path
) -> list[ClipOutcome | SceneFailed]:
    time = FakeTime()
    timing = Timing(time.clock, time.sleep, time.monotonic)
    board = CircuitBoard.from_rules(routed.decisions[0].failure, time.monotonic)
    registry, clip_cache = Registry(providers), ClipCache(cache)

    async def one(i: int) -> ClipOutcome | SceneFailed:
        d = routed.decisions[i]
        request = ClipRequest(f"scene-{i}", d.scene.duration, d.scene.aspect, 32, 18)
        chain = [Candidate(c.provider, c.model) for c in d.chain]
        try:
            return await generate_clip(
                i, request, chain, registry, clip_cache, {}, timing, rules=d.failure, board=board
            )
        except SceneFailed as exc:
            return exc

    async def every() -> list[ClipOutcome | SceneFailed]:
        return list(await asyncio.gather(*(one(i) for i in range(len(routed.decisions)))))

    return asyncio.run(every())


@settings(max_examples=400, deadline=None)
@given(
    data=st.data(),
    profiles=catalogs(),
    policy_data=policies,
    scenes=scene_lists,
    script=scripts,
    ending=endings,
)
def test_no_attempt_is_ever_made_on_an_ineligible_provider(
    data: st.DataObject,
    profiles: list[ProviderProfile],
    policy_data: dict[str, Any],
    scenes: list[SceneSpec],
    script: dict[str, list[str]],
    ending: dict[str, str],
) -> None:
    policy = Policy.model_validate(policy_data)
    health = data.draw(healths(len(profiles)))
    routed = plan(scenes, profiles, policy, health, today=TODAY)
    assert plan(scenes, profiles, policy, health, today=TODAY) == routed  # deterministic
    fakes = [ScriptedProvider(pid, list(script[pid]), then=ending[pid]) for pid in IDS]
    with tempfile.TemporaryDirectory() as tmp:
        results = generate_all(routed, fakes, Path(tmp))
    allowed = [eligible(profiles, s, policy, health) for s in scenes]
    for fake in fakes:
        for model, prompt in fake.calls:
            index = int(prompt.removeprefix("scene-"))
            assert (fake.pid, model) in allowed[index], (fake.pid, model, index)
    for decision, result in zip(routed.decisions, results, strict=True):
        chain = {(c.provider, c.model) for c in decision.chain}
        assert chain <= allowed[decision.scene.index]
        assert {(a.provider, a.model) for a in result.attempts} <= chain
        if isinstance(result, ClipOutcome):
            assert result.clip is not None
            assert (result.clip.provider_id, result.clip.model_id) in chain
        rejected = [a.provider for a in result.attempts if a.error_class == "ContentRejected"]
        assert len(rejected) == len(set(rejected))  # never retried after a refusal
        per_provider_retries = decision.failure.max_attempts_per_provider
        for c in decision.chain:
            transient = [
                a
                for a in result.attempts
                if (a.provider, a.model) == (c.provider, c.model)
                and a.error_class in {"ProviderUnavailable", "InvalidResponse", "GenerationFailed"}
            ]
            assert len(transient) <= per_provider_retries


def _tighten(p: dict[str, Any], how: str, pid: str) -> dict[str, Any]:
    if how == "ignore":
        return {**p, "ignore": [*p.get("ignore", []), pid]}
    if how == "stale":
        src = p.get("sourcing") or {}
        days = src.get("max_evidence_age_days")
        new = 30 if days is None else min(days, 30)
        return deep_merge(p, {"sourcing": {"max_evidence_age_days": new}})
    if how == "budget":
        budget = (p.get("budget") or {}).get("per_video_usd")
        return {**p, "budget": {"per_video_usd": 0.1 if budget is None else min(budget, 0.1)}}
    if how == "official":
        return deep_merge(p, {"sourcing": {"official_api": True}})
    if how == "unknown":
        return {**p, "unknown_facts": "exclude"}
    if how == "allegations":
        return {**p, "allegations": {"exclude_topics": [TOPIC], "min_status": "alleged"}}
    raise AssertionError(how)


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    profiles=catalogs(),
    policy_data=policies,
    scenes=scene_lists,
    how=st.sampled_from(["ignore", "stale", "budget", "official", "unknown", "allegations"]),
    pid=st.sampled_from(IDS),
)
def test_a_stricter_policy_never_makes_an_excluded_provider_eligible(
    data: st.DataObject,
    profiles: list[ProviderProfile],
    policy_data: dict[str, Any],
    scenes: list[SceneSpec],
    how: str,
    pid: str,
) -> None:
    health = data.draw(healths(len(profiles)))
    loose = Policy.model_validate(policy_data)
    strict = Policy.model_validate(_tighten(policy_data, how, pid))
    for spec in scenes:
        assert eligible(profiles, spec, strict, health) <= eligible(profiles, spec, loose, health)
    # A stricter policy's chain draws only from what the looser one allowed.
    for a in plan(scenes, profiles, strict, health, today=TODAY).decisions:
        assert {(c.provider, c.model) for c in a.chain} <= eligible(
            profiles, a.scene, loose, health
        )


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    profiles=catalogs(),
    policy_data=policies,
    scenes=scene_lists,
    later=st.integers(0, 4000),
)
def test_evidence_only_goes_stale_as_time_passes(
    data: st.DataObject,
    profiles: list[ProviderProfile],
    policy_data: dict[str, Any],
    scenes: list[SceneSpec],
    later: int,
) -> None:
    health = data.draw(healths(len(profiles)))
    policy = Policy.model_validate(policy_data)
    future = TODAY + dt.timedelta(days=later)
    for spec in scenes:
        for p in profiles:
            for m in p.iter_models():
                now = exclusion_reasons(p, m, spec, policy, health, TODAY)
                then = exclusion_reasons(p, m, spec, policy, health, future)
                assert set(now) <= set(then)


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    profiles=catalogs(),
    base=policies,
    child=policies,
    scenes=scene_lists,
)
def test_extending_a_base_never_readmits_what_its_deny_lists_exclude(
    data: st.DataObject,
    profiles: list[ProviderProfile],
    base: dict[str, Any],
    child: dict[str, Any],
    scenes: list[SceneSpec],
) -> None:
    health = data.draw(healths(len(profiles)))
    merged = merge_policy_data({k: v for k, v in base.items() if k != "id"}, child)
    parent, derived = Policy.model_validate(base), Policy.model_validate(merged)
    assert set(parent.ignore) <= set(derived.ignore)
    assert set(parent.models.ignore) <= set(derived.models.ignore)
    assert set(parent.allegations.exclude_topics) <= set(derived.allegations.exclude_topics)
    for spec in scenes:
        for p in profiles:
            for m in p.iter_models():
                reasons = exclusion_reasons(p, m, spec, parent, health, TODAY)
                if "policy.ignore" in reasons:
                    again = exclusion_reasons(p, m, spec, derived, health, TODAY)
                    assert "policy.ignore" in again
