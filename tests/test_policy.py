"""Policy files: parsing, errors with field and line, canonical form, per-kind rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.policies import load_policy
from providers.profile import Catalog, load_catalog
from providers.types import SceneKind
from routing.policy import (
    EU_MEMBERS,
    Policy,
    PolicyError,
    SortKey,
    expand_jurisdictions,
    parse_policy,
)

EXAMPLES = sorted((Path(__file__).parent.parent / "examples" / "policies").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def issues_of(text: str, name: str = "p.yaml") -> tuple[str, ...]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, name)
    return info.value.issues


def test_minimal_policy_has_permissive_defaults() -> None:
    policy = parse_policy("id: minimal\n")
    assert policy.only is None and policy.ignore == () and policy.allow_fallbacks
    assert policy.sort is SortKey.QUALITY and policy.unknown_facts.value == "allow"
    assert policy.disclosure.visible_label


def test_full_policy_round_trips(catalog: Catalog) -> None:
    text = """
id: agency-a
name: Agency A
version: 4
only: [veo, kling, local]
ignore: [pika]
order: [veo]
allow_fallbacks: false
sort: price
max_price: 0.3
models: {only: [veo/veo-3.1-generate-preview, kling/kling-v3, local/local-motion-1]}
budget: {per_video_usd: 20}
sourcing:
  official_api: true
  min_training_data_disclosure: partial
  require_content_credentials: [c2pa]
  open_weights: null
  jurisdictions: {allow: [us, EU], deny: [CN]}
allegations: {exclude_topics: [unauthorized-distillation], min_status: disputed}
unknown_facts: exclude
scene_kinds:
  data: {only: [local], sort: latency}
disclosure: {visible_label: true, label_text: AI, label_position: top_left}
"""
    policy = parse_policy(text, "agency.yaml", catalog)
    assert policy.sourcing.jurisdictions.allow == ("US", "EU")
    again = Policy.model_validate(json.loads(policy.canonical_json()))
    assert again == policy and again.sha256 == policy.sha256


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "id: a\nsourcing:\n  official_apii: true\n",
            "p.yaml:3: sourcing.official_apii: unknown field",
        ),
        (
            "id: a\nsort: cheapest\n",
            "p.yaml:2: sort: Input should be 'quality', 'price' or 'latency'",
        ),
        ("id: a\nallegations:\n  min_status: cleared\n", "p.yaml:3: allegations.min_status: "),
        ("id: a\nscene_kinds:\n  bogus: {}\n", "p.yaml:3: scene_kinds.bogus: Input should be"),
        (
            "id: a\nmax_price: -1\n",
            "p.yaml:2: max_price: Input should be greater than or equal to 0",
        ),
        ("name: no id\n", "p.yaml:1: id: Field required"),
        ("id: a\nonly: [veo, klingg]\n", "p.yaml:2: only[1]: unknown provider 'klingg' (known: "),
        (
            "id: a\nscene_kinds:\n  data:\n    order:\n      - lokal\n",
            "p.yaml:5: scene_kinds.data.order[0]: unknown provider 'lokal'",
        ),
        (
            "id: a\nmodels:\n  only: [veo/veo-9]\n",
            "p.yaml:3: models.only[0]: unknown model 'veo-9'",
        ),
        ("id: a\nmodels:\n  ignore: [veo]\n", "p.yaml:3: models.ignore[0]: String should match"),
        (
            "id: a\nonly: [veo, local]\nignore: [local]\n",
            "p.yaml:3: ignore[0]: 'local' is also in only",
        ),
        ("id: a\nignore: [veo]\norder: [veo]\n", "p.yaml:3: order[0]: 'veo' is also in ignore"),
        (
            "id: a\nsourcing:\n  jurisdictions:\n    allow: [US, DE]\n    deny: [EU]\n",
            "p.yaml:4: sourcing.jurisdictions.allow[1]: 'DE' is also denied",
        ),
        (
            "id: a\nonly: [veo]\nscene_kinds:\n  data: {only: [local]}\n",
            "p.yaml:4: scene_kinds.data.only[0]: 'local' is not in the top-level only",
        ),
        (
            "id: a\nignore: [local]\nscene_kinds:\n  data: {only: [local]}\n",
            "p.yaml:4: scene_kinds.data.only[0]: 'local' is also ignored",
        ),
        ("id: a\nid: b\n", "p.yaml:2: id: duplicate key"),
        ("id: a\nonly: [veo\n", "invalid YAML/JSON"),
        ("- id: a\n", "p.yaml:1: a policy must be a mapping"),
        ("", "p.yaml:1: the document is empty"),
    ],
    ids=lambda v: v if len(v) < 30 else None,
)
def test_errors_name_field_and_line(text: str, expected: str) -> None:
    assert any(expected in issue for issue in issues_of(text)), issues_of(text)


def test_every_issue_is_reported_at_once() -> None:
    issues = issues_of("id: a\nonly: [x1]\nignore: [x2]\n")
    assert [i.split(":")[1] for i in issues] == ["2", "3"]


def test_json_policy_with_line_numbers() -> None:
    text = '{\n  "id": "j",\n  "sort": "price",\n  "surprise": 1\n}\n'
    assert issues_of(text, "p.json") == ("p.json:4: surprise: unknown field",)
    assert parse_policy('{"id": "j", "only": ["local"]}', "p.json").only == ("local",)
    assert parse_policy('{\n\t"id": "tabs"\n}', "p.json").id == "tabs"


def test_load_policy_reads_files(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("id: file-policy\nsort: latency\n", encoding="utf-8")
    assert load_policy(path).sort is SortKey.LATENCY
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "absent.yaml")


def test_ids_are_checked_against_the_given_catalog(tmp_path: Path) -> None:
    from tests.test_eligibility import provider_data

    override = tmp_path / "catalog.yaml"
    override.write_text(json.dumps({"providers": {"acme": provider_data("acme")}}), "utf-8")
    with pytest.raises(PolicyError, match="unknown provider 'acme'"):
        parse_policy("id: a\nonly: [acme]\n")
    assert parse_policy("id: a\nonly: [acme]\n", catalog=load_catalog(override)).only == ("acme",)


def test_sha256_is_tagged_stable_and_sensitive() -> None:
    a = parse_policy("id: a\nonly: [veo]\n")
    b = parse_policy("# a comment\nonly: [veo]\nid: a\n")
    c = parse_policy("id: a\nonly: [kling]\n")
    assert a.sha256.startswith("sha256:") and len(a.sha256) == 71
    assert a.sha256 == b.sha256 != c.sha256
    assert a.canonical_json() == b.canonical_json()


def test_scene_override_can_only_narrow_hard_rules() -> None:
    policy = parse_policy(
        """
id: a
only: [veo, kling, local]
ignore: [pika]
max_price: 0.2
scene_kinds:
  data: {only: [local], ignore: [runway], max_price: 0.5}
  text: {max_price: 0.1}
"""
    )
    data = policy.rules_for(SceneKind.DATA)
    assert data.only == frozenset({"local"})
    assert data.ignore == frozenset({"pika", "runway"})
    assert data.max_price == 0.2  # an override cannot raise the cap
    assert policy.rules_for(SceneKind.TEXT).max_price == 0.1
    assert policy.rules_for(SceneKind.PEOPLE).only == frozenset({"veo", "kling", "local"})


def test_eu_expands_to_member_states() -> None:
    assert expand_jurisdictions(["EU", "US"]) == EU_MEMBERS | {"US"}
    assert len(EU_MEMBERS) == 27


def test_examples_exist() -> None:
    names = {p.name for p in EXAMPLES}
    assert len(names) >= 5
    assert {
        "no-distillation-allegations.yaml",
        "disclosed-and-credentialed.yaml",
        "us-eu-only.yaml",
        "cheapest-with-budget.yaml",
        "premium-quality.yaml",
        "offline-only.yaml",
    } <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_policies_load(path: Path, catalog: Catalog) -> None:
    policy = load_policy(path, catalog)
    assert policy.id == path.stem
    assert "#" in path.read_text(encoding="utf-8")  # examples explain themselves


def test_reframe_left_unwritten_keeps_older_policy_hashes() -> None:
    # A policy written before `reframe` existed must keep its sha256 (manifests record it).
    plain = parse_policy("id: plain\nscene_kinds:\n  text: {only: [local]}\n", "p.yaml")
    assert "reframe" not in plain.canonical_json()
    generate = parse_policy(
        "id: gen\nreframe: generate\nscene_kinds:\n  landscape: {reframe: generate}\n", "g.yaml"
    )
    again = parse_policy(generate.canonical_json(), "again.json")
    assert again.reframe == generate.reframe and again.sha256 == generate.sha256
    assert again.scene_kinds == generate.scene_kinds
