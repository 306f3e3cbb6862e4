"""Build the collaborators a render needs from Settings (the composition root)."""

from __future__ import annotations

from app.config import Settings
from app.pipeline.events import ProgressSink
from app.pipeline.run import RenderContext
from providers.profile import Catalog, load_catalog
from providers.registry import Registry, default_registry
from providers.voice import get_voice


def load_effective_catalog(settings: Settings) -> Catalog:
    return load_catalog(settings.catalog_path)


def build_registry(settings: Settings | None = None) -> Registry:
    """Built-in providers configured from `settings` (default: read from the environment)."""
    return default_registry((settings or Settings()).provider_settings())


def build_context(
    settings: Settings,
    progress: ProgressSink | None = None,
    registry: Registry | None = None,
    catalog: Catalog | None = None,
) -> RenderContext:
    ctx = RenderContext(
        settings=settings,
        registry=registry or build_registry(settings),
        catalog=catalog or load_effective_catalog(settings),
        voice=get_voice(settings.voice),
    )
    if progress is not None:
        ctx.progress = progress
    return ctx
