"""Settings for the optional LLM script writer (`REELROUTE_LLM__*`).

Any OpenAI-compatible chat-completions endpoint works: OpenAI, a self-hosted vLLM or Ollama
(`http://127.0.0.1:11434/v1`), or a gateway. Without `base_url` and `model` no LLM is used.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_url: str = Field(default="", description="e.g. https://api.openai.com/v1 (with /v1).")
    api_key: SecretStr | None = Field(default=None, description="Sent as a Bearer token.")
    model: str = Field(default="", description="The model name the endpoint expects.")
    timeout_s: float = Field(default=120.0, gt=0, description="One chat-completion request.")
    rate_limit_budget_s: float = Field(
        default=60.0, ge=0, description="Total time a 429 may be waited out before falling back."
    )
    temperature: float = Field(default=0.3, ge=0, le=2)

    @property
    def configured(self) -> bool:
        return bool(self.base_url.strip() and self.model.strip())
