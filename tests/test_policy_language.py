"""The policy language added for failure handling: extends, tenant budgets, evidence age,
retries, cooldowns, rate-limit waits; and their load-time errors, each naming its field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.policies import builtin_bases, load_policy
from app.policies import parse_policy_text as parse_policy
from providers.profile import load_catalog
from routing.health import snapshot
from routing.policy import FailureRules, PolicyError, merge_policy_data
from routing.router import plan
from tests.test_eligibility import make_policy, make_profile, scene

EXAMPLES = Path(__file__).parent.parent / "examples" / "policies"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_issues(path: Path) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    return info.value.issues


def test_extends_a_sibling_file_merging_and_accumulating(tmp_path: Path) -> None:
    write(
        tmp_path,
        "base",
        "id: base\nname: Base\nversion: 7\nignore: [pika]\nsort: price\nmax_price: 0.3\n"
        "sourcing: {official_api: true, jurisdictions: {deny: [CN]}}\n"
        "allegations: {exclude_topics: [unauthorized-distillation]}\n"
        "scene_kinds: {data: {ignore: [runway]}}\n",
    )
    child = write(
        tmp_path,
        "child",
        "id: child\nextends: base\nignore: [sora]\nmax_price: 0.2\n"
        "sourcing: {jurisdictions: {deny: [RU]}}\n"
        "allegations: {exclude_topics: [unlicensed-training-data]}\n"
        "scene_kinds: {data: {ignore: [luma]}}\n",
    )
    policy = load_policy(child)
    assert policy.id == "child" and policy.based_on == ("base",)
    assert policy.name == "" and policy.version == 1  # never inherited
    assert policy.ignore == ("pika", "sora")  # deny-lists accumulate
    assert policy.sourcing.jurisdictions.deny == ("CN", "RU")
    assert policy.allegations.exclude_topics == (
        "unauthorized-distillation",
        "unlicensed-training-data",
    )
    assert policy.scene_kinds[next(iter(policy.scene_kinds))].ignore == ("runway", "luma")
    assert policy.sourcing.official_api and policy.sort.value == "price"  # inherited
    assert policy.max_price == 0.2  # replaced


def test_extends_a_builtin_base() -> None:
    assert {"responsible-sourcing", "fail-fast"} <= set(builtin_bases())
    policy = parse_policy("id: mine\nextends: fail-fast\nsort: latency\n")
    assert policy.retries.max_attempts_per_provider == 1 and policy.rate_limit_wait_budget_s == 0
    strict = parse_policy("id: mine\nextends: responsible-sourcing\n")
    assert strict.sourcing.official_api and strict.sourcing.max_evidence_age_days == 730


def test_a_sibling_file_wins_over_a_builtin_base(tmp_path: Path) -> None:
    write(tmp_path, "fail-fast", "id: fail-fast\nretries: {max_attempts_per_provider: 4}\n")
    child = write(tmp_path, "child", "id: child\nextends: fail-fast\n")
    assert load_policy(child).retries.max_attempts_per_provider == 4


def test_chained_extends_and_hash_covers_the_base(tmp_path: Path) -> None:
    write(tmp_path, "a", "id: a\nignore: [pika]\n")
    write(tmp_path, "b", "id: b\nextends: a\nignore: [sora]\n")
    c = write(tmp_path, "c", "id: c\nextends: b\n")
    first = load_policy(c)
    assert first.ignore == ("pika", "sora") and first.based_on == ("b", "a")
    write(tmp_path, "a", "id: a\nignore: [luma]\n")
    assert load_policy(c).sha256 != first.sha256


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"p": "id: p\nextends: nowhere\n"}, "p.yaml:2: extends: no base policy 'nowhere'"),
        ({"p": "id: p\nextends: q\n", "q": "id: q\nextends: p\n"}, "extends: cycle: p -> q -> p"),
        ({"p": "id: p\nextends: p\n"}, "p.yaml:2: extends: cycle: p -> p"),
        ({"p": "name: x\nextends: q\n", "q": "id: q\n"}, "id: Field required"),
        ({"p": "id: p\nextends: [q]\n"}, "p.yaml:2: extends: must be a policy name"),
        ({"p": "id: p\nextends: q\n", "q": "id: q\nsort: cheapest\n"}, "q.yaml:2: sort:"),
        ({"p": "id: p\nextends: q\nonly: [veo]\n", "q": "id: q\nignore: [veo]\n"}, "ignore[0]"),
    ],
    ids=["missing", "cycle", "self", "no-id", "not-a-name", "bad-base-field", "contradiction"],
)
def test_extends_errors_name_the_field(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)
    issues = load_issues(tmp_path / "p.yaml")
    assert any(expected in issue for issue in issues), issues


def test_merge_rules() -> None:
    merged = merge_policy_data(
        {"ignore": ["a"], "order": ["x"], "sourcing": {"official_api": True}},
        {"ignore": ["a", "b"], "order": ["y"], "sourcing": {"open_weights": None}},
    )
    assert merged == {
        "ignore": ["a", "b"],
        "order": ["y"],
        "sourcing": {"official_api": True, "open_weights": None},
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: a\nretries: {max_attempts_per_provider: 0}\n", "retries.max_attempts_per_provider"),
        ("id: a\nretries: {backoff_s: -1}\n", "retries.backoff_s"),
        ("id: a\nretries: {tries: 3}\n", "retries.tries: unknown field"),
        ("id: a\ncooldown: {allowed_fails: 0}\n", "cooldown.allowed_fails"),
        ("id: a\ncooldown: {cooldown_s: -5}\n", "cooldown.cooldown_s"),
        ("id: a\nrate_limit_wait_budget_s: -1\n", "rate_limit_wait_budget_s"),
        ("id: a\nbudget: {per_tenant_usd: -1}\n", "budget.per_tenant_usd"),
        ("id: a\nsourcing: {max_evidence_age_days: -3}\n", "sourcing.max_evidence_age_days"),
        (
            "id: a\nbudget:\n  per_video_usd: 50\n  per_tenant_usd: 10\n",
            "p.yaml:3: budget.per_video_usd: exceeds budget.per_tenant_usd",
        ),
    ],
)
def test_new_field_errors_name_the_field(text: str, expected: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, "p.yaml")
    assert any(expected in issue for issue in info.value.issues), info.value.issues


def test_failure_rules_come_from_the_policy() -> None:
    policy = parse_policy(
        "id: a\nretries: {max_attempts_per_provider: 3, backoff_s: 1.5}\n"
        "cooldown: {allowed_fails: 5, cooldown_s: 120}\nrate_limit_wait_budget_s: 45\n"
    )
    rules = policy.failure_rules()
    assert rules == FailureRules(3, 1.5, 45, 5, 120)
    assert [rules.backoff(n) for n in (1, 2, 3)] == [1.5, 3.0, 6.0]
    assert FailureRules() == parse_policy("id: d\n").failure_rules()
    decision = plan([scene()], [make_profile()], policy, snapshot(["acme"])).decisions[0]
    assert decision.failure == rules and "failure" not in decision.to_dict()


def test_tenant_budget_is_checked_against_what_was_spent() -> None:
    policy = make_policy(budget={"per_tenant_usd": 10.0})
    profiles = [make_profile()]  # $0.10/s, a 5 s scene costs $0.50
    scenes = [scene(index=i) for i in range(4)]  # $2.00 in all
    fresh = plan(scenes, profiles, policy, snapshot(["acme"]), spent_usd=0)
    assert fresh.ok and fresh.tenant_remaining_usd == 10.0
    nearly = plan(scenes, profiles, policy, snapshot(["acme"]), spent_usd=8.5)
    assert not nearly.ok and not nearly.within_budget
    assert "tenant's remaining budget $1.50 ($8.50 of $10.00 spent)" in nearly.budget_problems[0]
    assert nearly.to_dict()["spent_usd"] == 8.5
    exact = plan(scenes, profiles, policy, snapshot(["acme"]), spent_usd=8.0)
    assert exact.ok
    with pytest.raises(ValueError):
        plan(scenes, profiles, policy, snapshot(["acme"]), spent_usd=-1)


def test_both_budgets_are_reported() -> None:
    policy = make_policy(budget={"per_video_usd": 1.0, "per_tenant_usd": 5.0})
    result = plan(
        [scene(index=i) for i in range(3)],
        [make_profile()],
        policy,
        snapshot(["acme"]),
        spent_usd=5,
    )
    assert len(result.budget_problems) == 2 and not result.ok


def test_plan_ages_evidence_against_the_given_date() -> None:
    policy = make_policy(sourcing={"official_api": True, "max_evidence_age_days": 400})
    profiles = [make_profile()]  # evidence dated 2026-01-01
    early = plan([scene()], profiles, policy, snapshot(["acme"]), today=dt.date(2026, 6, 1))
    late = plan([scene()], profiles, policy, snapshot(["acme"]), today=dt.date(2027, 6, 1))
    assert early.ok and late.unroutable == (0,)
    assert late.decisions[0].exclusions[0].reasons == ("sourcing.stale:access_kind",)


def test_one_example_policy_uses_extends() -> None:
    catalog = load_catalog()
    extending = [p for p in EXAMPLES.glob("*.yaml") if load_policy(p, catalog).based_on]
    assert extending


def test_a_resolved_body_reparses_alone_to_the_same_policy(tmp_path: Path) -> None:
    """What `verify` does with the body in a manifest: no base file is needed to re-check it."""
    write(tmp_path, "base", "id: base\nignore: [pika]\nsourcing: {official_api: true}\n")
    child = load_policy(write(tmp_path, "child", "id: child\nextends: base\nignore: [sora]\n"))
    again = parse_policy(child.canonical_json(), "policy.body")
    assert again == child and again.sha256 == child.sha256
    assert "extends" not in child.canonical_json()


@pytest.mark.parametrize(
    ("body", "field", "line"),
    [
        ("id: p\nonly: [sora]\n", "only", 2),  # sora's only model is retired
        ("id: p\nscene_kinds:\n  data:\n    only: [sora]\n", "scene_kinds.data.only", 4),
        ("id: p\nmodels:\n  only: [sora/sora-2]\n", "models.only", 3),
    ],
)
def test_allow_list_leaving_a_scene_kind_without_models_is_a_load_error(
    body: str, field: str, line: int
) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(body, "p.yaml")
    assert f"p.yaml:{line}: {field}: leaves no active provider/model" in str(info.value)


def test_sourcing_rules_that_exclude_everyone_still_load() -> None:
    # Evidence changes over time; `plan` explains such cases instead of refusing the file.
    policy = parse_policy(
        "id: strict\nsourcing:\n  min_training_data_disclosure: full\n"
        "  require_content_credentials: [c2pa]\nunknown_facts: exclude\n",
        "strict.yaml",
    )
    assert policy.id == "strict"
