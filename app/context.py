"""The catalog and registry from Settings; a render's collaborators are built by
`app.service.entry.build_render_env`."""

from __future__ import annotations

from app.config import Settings
from providers.profile import Catalog, load_catalog
from providers.registry import Registry, default_registry


def load_effective_catalog(settings: Settings) -> Catalog:
    return load_catalog(settings.catalog_path)


def build_registry(settings: Settings | None = None) -> Registry:
    """Built-in providers configured from `settings` (default: read from the environment)."""
    return default_registry((settings or Settings()).provider_settings())
