"""Per-provider connection settings: credentials, base URL, concurrency and timeouts.

Plain pydantic models so `providers` never imports `app`; `app.config.Settings` nests one per
vendor, read from `REELROUTE_<PROVIDER>__API_KEY`, `__BASE_URL`, `__CONCURRENCY`, `__TIMEOUT_S`
(Kling: `__ACCESS_KEY` and `__SECRET_KEY`). Each default base URL is the vendor's documented
one, path prefix included, so pointing an adapter at a fake server is one setting.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class ProviderSettings(BaseModel):
    """One vendor's settings. Without credentials the provider is `not_configured`."""

    model_config = ConfigDict(extra="forbid")

    api_key: SecretStr | None = None
    base_url: str = ""
    concurrency: int = Field(default=2, ge=1, le=64, description="Jobs in flight at once.")
    timeout_s: float = Field(default=60.0, gt=0, description="Per HTTP request.")
    deadline_s: float = Field(
        default=900.0, gt=0, description="Whole job, submit to downloaded, in real time."
    )
    max_download_bytes: int = Field(
        default=512 * 1024 * 1024, gt=0, description="A result larger than this is refused."
    )
    poll_interval_s: float | None = Field(
        default=None,
        gt=0,
        description="Seconds between polls (never below 1 s); default: the vendor's advice.",
    )

    def has_credentials(self) -> bool:
        return self.api_key is not None and bool(self.api_key.get_secret_value())


class KlingSettings(ProviderSettings):
    """Kling signs a short-lived JWT with an access key / secret key pair instead of a key."""

    base_url: str = "https://api-singapore.klingai.com"
    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None

    def has_credentials(self) -> bool:
        keys = (self.access_key, self.secret_key)
        return all(k is not None and k.get_secret_value() for k in keys)


class RunwaySettings(ProviderSettings):
    base_url: str = "https://api.dev.runwayml.com"


class VeoSettings(ProviderSettings):
    base_url: str = "https://generativelanguage.googleapis.com/v1beta"


class LumaSettings(ProviderSettings):
    base_url: str = "https://api.lumalabs.ai/dream-machine/v1"


class HailuoSettings(ProviderSettings):
    base_url: str = "https://api.minimax.io"


class PikaSettings(ProviderSettings):
    base_url: str = "https://queue.fal.run"


class SeedanceSettings(ProviderSettings):
    base_url: str = "https://ark.ap-southeast.bytepluses.com/api/v3"


class SoraSettings(ProviderSettings):
    base_url: str = "https://api.openai.com/v1"
