"""One validated Settings object (REELROUTE_*); nothing happens at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Embedded defaults: a local data folder, offline providers, no keys needed."""

    model_config = SettingsConfigDict(env_prefix="REELROUTE_", env_nested_delimiter="__")

    data_dir: Path = Field(
        default=Path(".reelroute"),
        description="Clip cache, narration cache and other state that survives between renders.",
    )
    voice: str = Field(default="piper", description="Narration engine: piper (neural) or espeak.")
    words_per_minute: float = Field(default=150.0, gt=40, le=400)
    music_mood: str = Field(default="corporate", description="calm, upbeat, cinematic, corporate.")
    music_seed: int = 7
    clip_concurrency: int = Field(default=2, ge=1, le=64, description="Clips generated at once.")
    compose_concurrency: int = Field(
        default=1, ge=1, le=16, description="Scene segments encoded at once (each uses all cores)."
    )
    catalog_path: Path | None = Field(
        default=None, description="A catalog file that extends/overrides the built-in one."
    )

    @property
    def clip_cache_dir(self) -> Path:
        return self.data_dir / "clips"

    @property
    def narration_cache_dir(self) -> Path:
        return self.data_dir / "narration"
