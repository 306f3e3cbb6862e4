"""The built-in catalog and user override files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from providers.profile import (
    UNKNOWN,
    AllegationStatus,
    Basis,
    Catalog,
    CatalogError,
    Evidence,
    LifecycleStatus,
    ProviderProfile,
    load_catalog,
)
from providers.types import Aspect, SceneKind

PROVIDER_IDS = {"kling", "veo", "runway", "luma", "pika", "hailuo", "sora", "seedance", "local"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def write(tmp_path: Path, text: str, name: str = "override.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def evidence_records(profile: ProviderProfile) -> dict[str, Evidence[Any]]:
    facts = profile.sourcing
    return {
        "headquarters": profile.headquarters,
        "access_kind": facts.access_kind,
        "training_data": facts.training_data,
        "content_credentials": facts.content_credentials,
        "open_weights": facts.open_weights,
        **{f"price:{m.id}": m.price_per_second_usd for m in profile.iter_models()},
    }


def test_loads_every_provider(catalog: Catalog) -> None:
    assert set(catalog.ids) == PROVIDER_IDS
    assert list(catalog.ids) == sorted(catalog.ids)
    assert catalog.get("veo").id == "veo"
    with pytest.raises(KeyError, match="unknown provider 'nope'"):
        catalog.get("nope")


def test_every_fact_is_an_evidence_record_with_source_and_date(catalog: Catalog) -> None:
    for profile in catalog.profiles:
        for name, record in evidence_records(profile).items():
            assert isinstance(record, Evidence), (profile.id, name)
            assert record.source.strip(), (profile.id, name)
            assert isinstance(record.as_of, dt.date), (profile.id, name)
            assert isinstance(record.basis, Basis)
        for allegation in profile.sourcing.allegations:
            assert allegation.source and allegation.as_of


def test_unknown_is_recorded_as_unknown_not_guessed(catalog: Catalog) -> None:
    # The digest confirms no cloud provider's training-data disclosure except Runway's (press).
    for pid in ("kling", "veo", "luma", "pika", "hailuo", "sora", "seedance"):
        facts = catalog.get(pid).sourcing
        assert facts.training_data.value.value == UNKNOWN, pid
        assert facts.open_weights.value == UNKNOWN, pid
    assert catalog.get("veo").sourcing.content_credentials.value == ("synthid",)
    for pid in ("kling", "runway", "luma", "pika", "hailuo", "sora", "seedance"):
        assert catalog.get(pid).sourcing.content_credentials.value == UNKNOWN, pid


def test_fitness_is_labelled_editorial_and_complete(catalog: Catalog) -> None:
    for profile in catalog.profiles:
        assert "editorial" in profile.fitness.source
        assert set(profile.fitness.scores) == set(SceneKind)


def test_sora_is_retired_on_2026_09_24(catalog: Catalog) -> None:
    for model in catalog.get("sora").iter_models():
        assert model.lifecycle.status is LifecycleStatus.RETIRED
        assert model.lifecycle.date == dt.date(2026, 9, 24)


def test_hailuo_carries_the_distillation_allegation(catalog: Catalog) -> None:
    (allegation,) = catalog.get("hailuo").sourcing.allegations
    assert allegation.topic == "unauthorized-distillation"
    assert allegation.by == "Anthropic"
    assert allegation.status is AllegationStatus.ALLEGED
    assert allegation.as_of == dt.date(2026, 2, 23)
    assert allegation.source.startswith("https://www.anthropic.com/")


def test_runway_training_data_report_is_a_disputed_allegation(catalog: Catalog) -> None:
    (allegation,) = catalog.get("runway").sourcing.allegations
    assert allegation.topic == "unlicensed-training-data"
    assert allegation.status is AllegationStatus.DISPUTED
    assert allegation.basis is Basis.PRESS


def test_pika_is_reached_through_a_reseller(catalog: Catalog) -> None:
    assert catalog.get("pika").sourcing.access_kind.value.value == "reseller"


def test_local_is_routable_offline(catalog: Catalog) -> None:
    local = catalog.get("local")
    (model,) = local.iter_models()
    assert model.id == "local-motion-1"
    assert model.price_per_second_usd.value == 0
    assert set(model.aspects) == set(Aspect)
    assert model.billed_seconds(0.5) == 0.5 and model.billed_seconds(60) == 60
    assert model.billed_seconds(61) is None
    assert local.sourcing.training_data.value.value == "full"
    assert local.sourcing.content_credentials.value == ()
    assert local.headquarters.value == "n/a"


@pytest.mark.parametrize(
    ("durations", "wanted", "billed"),
    [
        ([5, 10], 3.0, 5.0),
        ([5, 10], 7.3, 10.0),
        ([5, 10], 10.4, 10.0),  # within the slack given below
        ([5, 10], 11.0, None),
        ({"min": 2, "max": 10, "step": 1}, 7.3, 8.0),
        ({"min": 2, "max": 10, "step": 1}, 1.0, 2.0),
        ({"min": 0.5, "max": 60}, 7.3, 7.3),
    ],
)
def test_billed_seconds(durations: object, wanted: float, billed: float | None) -> None:
    from tests.test_eligibility import make_profile, model_override

    model = make_profile(**model_override(durations=durations)).models["m1"]
    assert model.billed_seconds(wanted, slack=0.5) == billed


def test_sha256_is_tagged_and_deterministic(catalog: Catalog) -> None:
    assert catalog.sha256.startswith("sha256:") and len(catalog.sha256) == 71
    assert load_catalog().sha256 == catalog.sha256
    assert json.loads(catalog.canonical_json())["providers"]["local"]["id"] == "local"


def test_override_merges_fields_and_changes_sha(catalog: Catalog, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
providers:
  kling:
    models:
      kling-v2-5-turbo:
        price_per_second_usd: {value: 0.05, basis: primary, source: our contract, as_of: 2026-11-01}
      kling-v2-6: null          # we have no access to it
""",
    )
    merged = load_catalog(path)
    kling = merged.get("kling")
    assert kling.models["kling-v2-5-turbo"].price_per_second_usd.value == 0.05
    assert kling.models["kling-v2-5-turbo"].durations == (5.0, 10.0)  # untouched fields kept
    assert "kling-v2-6" not in kling.models
    assert merged.sha256 != catalog.sha256
    assert merged.origins == ("providers/catalog.yaml", str(path))


def test_override_can_add_a_provider(tmp_path: Path) -> None:
    from tests.test_eligibility import provider_data

    body = provider_data("acme")
    del body["id"]
    path = write(tmp_path, json.dumps({"providers": {"acme": body}}), "override.json")
    assert "acme" in load_catalog(path).ids


def test_bad_override_names_file_field_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """providers:
  kling:
    models:
      kling-v3:
        aspects: ["16:9", "3:2"]
        pricee: 3
    sourcing:
      open_weights:
        value: maybe
""",
    )
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    issues = info.value.issues
    assert f"{path}:5: providers.kling.models.kling-v3.aspects[1]:" in issues[0]
    assert issues[1] == f"{path}:6: providers.kling.models.kling-v3.pricee: unknown field"
    assert issues[2].startswith(f"{path}:9: providers.kling.sourcing.open_weights.value:")


def test_new_provider_missing_fields_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "providers:\n  newco:\n    vendor: New Co\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert f"{path}:2: providers.newco.models: Field required" in info.value.issues


def test_override_id_mismatch_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "providers:\n  kling:\n    id: klingx\n")
    with pytest.raises(CatalogError, match=r"override.yaml:3: providers.kling.id: must equal"):
        load_catalog(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("providers: [1, 2\n", "invalid YAML/JSON"),
        ("", "the document is empty"),
        ("- a\n- b\n", "expected a mapping"),
        ("providers:\n  kling: {}\n  kling: {}\n", "providers.kling: duplicate key"),
    ],
)
def test_unreadable_override_files(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(CatalogError, match=expected):
        load_catalog(write(tmp_path, text))


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog(tmp_path / "absent.yaml")
