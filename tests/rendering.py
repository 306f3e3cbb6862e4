"""Rendering a `Script` under a `Policy` object through the real pipeline, for tests that build
both in memory (the entry's `plan_render` starts from a request's text)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.config import Settings
from app.context import load_effective_catalog
from app.ingest.model import Script
from app.pipeline.disclose import RenderResult
from app.pipeline.env import RenderEnv
from app.pipeline.plan import plan_script
from app.pipeline.run import RenderOptions, render_script
from app.provenance.credentials import CA_FILE, CHAIN_FILE, KEY_FILE
from app.provenance.signing import DEFAULT_KEY_FILE
from app.render.quality import Quality
from app.service.entry import build_render_env
from providers.registry import Registry
from providers.types import Aspect
from providers.voice import get_voice
from routing.policy import Policy


def make_env(settings: Settings, registry: Registry, **extra: Any) -> RenderEnv:
    env = build_render_env(
        settings,
        catalog=load_effective_catalog(settings),
        registry=registry,
        voice=get_voice(settings.voice),
    )
    for name, value in extra.items():
        setattr(env, name, value)
    return env


async def render(
    script: Script,
    env: RenderEnv,
    out_dir: Path,
    policy: Policy,
    aspects: tuple[Aspect, ...] = (Aspect.LANDSCAPE,),
    quality: Quality = Quality.DRAFT,
    spent_usd: float = 0.0,
) -> RenderResult:
    """Route as the entry does (today from the env's clock, its breakers), then render."""
    routed = plan_script(
        script, policy, env.catalog, env.registry, aspects[0],
        today=env.clock().date(), spent_usd=spent_usd, breakers=env.breakers,
    )  # fmt: skip
    options = RenderOptions(env.new_id(), policy, aspects, quality)
    return await render_script(script, routed, options, env, out_dir)


def identity_of(keys: Path) -> dict[str, Any]:
    """Settings that sign with the keys another data folder made (`<data_dir>/keys`), as every
    worker of one deployment shares one identity, and renders that mean to match byte for byte
    sign with the same keys."""
    return {
        "signing_key_path": keys / DEFAULT_KEY_FILE,
        "c2pa_cert_path": keys / CHAIN_FILE,
        "c2pa_key_path": keys / KEY_FILE,
        "c2pa_trust_anchors_path": keys / CA_FILE,
    }
