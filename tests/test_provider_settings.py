"""Provider settings from the environment, and the registry built from them."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.context import build_registry
from providers.registry import default_registry
from providers.settings import RunwaySettings


def test_defaults_are_the_vendors_documented_base_urls() -> None:
    s = Settings()
    assert s.veo.base_url == "https://generativelanguage.googleapis.com/v1beta"
    assert s.luma.base_url == "https://api.lumalabs.ai/dream-machine/v1"
    assert s.pika.base_url == "https://queue.fal.run"
    assert s.runway.base_url == "https://api.dev.runwayml.com"
    assert s.kling.base_url == "https://api-singapore.klingai.com"


def test_env_configures_a_provider_and_keeps_the_key_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REELROUTE_RUNWAY__API_KEY", "rw-very-secret")
    monkeypatch.setenv("REELROUTE_RUNWAY__BASE_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("REELROUTE_RUNWAY__CONCURRENCY", "3")
    monkeypatch.setenv("REELROUTE_KLING__ACCESS_KEY", "ak")
    monkeypatch.setenv("REELROUTE_KLING__SECRET_KEY", "sk")
    s = Settings()
    assert s.runway.api_key is not None and s.runway.concurrency == 3
    assert "rw-very-secret" not in repr(s) and "rw-very-secret" not in str(s.runway)
    registry = build_registry(s)
    assert {"local", "runway", "kling"} <= registry.configured()


def test_no_credentials_means_not_configured() -> None:
    registry = default_registry(plugins=False)
    vendors = {"runway", "kling", "veo", "luma", "hailuo", "pika", "seedance", "sora"}
    assert set(registry.ids()) == {"local", *vendors}
    assert registry.configured() == {"local"}
    given = {"runway": RunwaySettings(api_key="k")}  # type: ignore[arg-type]
    assert default_registry(given, plugins=False).configured() == {"local", "runway"}


def test_each_adapter_is_registered_once_under_its_own_id_with_its_settings() -> None:
    from providers.profile import load_catalog
    from providers.vendors.builtin import ADAPTERS

    ids = [a.provider_id for a in ADAPTERS]
    assert len(set(ids)) == len(ids) and set(ids) <= set(load_catalog().ids)
    configured = Settings().provider_settings()
    assert sorted(configured) == sorted(ids)
    for adapter in ADAPTERS:
        assert type(configured[adapter.provider_id]) is adapter.settings_type
        built = default_registry(plugins=False).get(adapter.provider_id)
        assert isinstance(built, adapter)
