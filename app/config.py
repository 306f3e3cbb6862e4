"""One validated Settings object (REELROUTE_*); nothing happens at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from providers.music import Mood


class Settings(BaseSettings):
    """Embedded defaults: a local data folder, offline providers, no keys needed."""

    model_config = SettingsConfigDict(env_prefix="REELROUTE_", env_nested_delimiter="__")

    data_dir: Path = Field(
        default=Path(".reelroute"),
        description="Clip cache, narration cache and other state that survives between renders.",
    )
    voice: Literal["piper", "espeak"] = Field(
        default="piper", description="Narration engine: piper (neural) or espeak (fast fallback)."
    )
    words_per_minute: float = Field(default=150.0, ge=60, le=400)
    music_mood: Mood = Field(default=Mood.CORPORATE, description="Background music mood.")
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
