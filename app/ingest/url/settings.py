"""Settings for fetching URL sources (`REELROUTE_FETCH__*`); nested in `app.config.Settings`."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_settings import NoDecode

from app import __version__

DEFAULT_USER_AGENT = (
    f"reelroute/{__version__} (article-to-video; fetches one page and its images, runs no scripts)"
)


class FetchSettings(BaseModel):
    """Limits for fetching a page and its images. Every limit applies per fetch."""

    model_config = ConfigDict(extra="forbid")

    allow_hosts: Annotated[frozenset[str], NoDecode] = Field(
        default=frozenset(),
        description="Host names or IPs (comma-separated) exempt from the address rules.",
    )
    connect_timeout_s: float = Field(default=5.0, gt=0, description="Per connection attempt.")
    read_timeout_s: float = Field(default=10.0, gt=0, description="Longest silence while reading.")
    deadline_s: float = Field(
        default=30.0, gt=0, description="Whole fetch, redirects and body included."
    )
    max_bytes: int = Field(default=5_000_000, gt=0, description="Largest page accepted.")
    max_image_bytes: int = Field(default=5_000_000, gt=0, description="Largest image accepted.")
    max_images: int = Field(default=8, ge=0, le=50, description="Article images fetched at most.")
    user_agent: str = Field(default=DEFAULT_USER_AGENT, min_length=1)

    @field_validator("allow_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        # An environment variable is one string: "localhost,127.0.0.1"; brackets of [::1] go.
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple | set | frozenset):
            return frozenset(str(v).strip().strip("[]").lower() for v in value if str(v).strip())
        return value
