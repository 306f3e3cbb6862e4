"""One call to an OpenAI-compatible chat-completions endpoint, with plain httpx.

`POST {base_url}/chat/completions` with the model, the messages and a JSON response format;
the answer is `choices[0].message.content`. A 429 is waited out (its `Retry-After`, else a
short backoff) while the waits fit in `rate_limit_budget_s`; past that, and on a timeout, a
transport failure, any other error status or an answer without content, `LLMUnavailable` says
why, and the caller falls back to the deterministic writer.

The endpoint is the operator's own setting (like a vendor's base URL), so it is not put through
the URL sources' SSRF guard: a self-hosted model on the intranet is a normal deployment.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from app import __version__
from app.ingest.llm.settings import LLMSettings

Sleep = Callable[[float], Awaitable[object]]
DEFAULT_429_WAIT_S = 2.0
MAX_RETRY_AFTER_S = 3600.0


class LLMUnavailable(Exception):
    """The endpoint gave no usable answer; `str()` says why, for the manifest and the CLI."""


async def chat(settings: LLMSettings, messages: list[dict[str, str]], *, sleep: Sleep) -> str:
    """The assistant's reply text for `messages`."""
    waited = 0.0
    async with httpx.AsyncClient(timeout=settings.timeout_s, trust_env=False) as client:
        while True:
            response = await _post(client, settings, messages)
            if response.status_code != 429:
                return _content(response)
            wait = _retry_after(response, waited)
            if waited + wait > settings.rate_limit_budget_s:
                raise LLMUnavailable(
                    f"rate limited (429) beyond the {settings.rate_limit_budget_s:g} s budget"
                )
            await sleep(wait)
            waited += wait


async def _post(
    client: httpx.AsyncClient, settings: LLMSettings, messages: list[dict[str, str]]
) -> httpx.Response:
    headers = {"User-Agent": f"reelroute/{__version__}"}
    if settings.api_key is not None:
        headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
    body: dict[str, Any] = {
        "model": settings.model,
        "messages": messages,
        "temperature": settings.temperature,
        "response_format": {"type": "json_object"},
    }
    url = settings.base_url.rstrip("/") + "/chat/completions"
    try:
        return await client.post(url, json=body, headers=headers)
    except httpx.TimeoutException as exc:
        raise LLMUnavailable(f"timed out after {settings.timeout_s:g} s") from exc
    except httpx.TransportError as exc:
        raise LLMUnavailable(f"could not reach {url} ({type(exc).__name__})") from exc


def _retry_after(response: httpx.Response, waited: float) -> float:
    raw = response.headers.get("retry-after", "")
    try:
        return min(max(float(raw), 0.0), MAX_RETRY_AFTER_S)
    except ValueError:
        return DEFAULT_429_WAIT_S * (1 + waited / DEFAULT_429_WAIT_S)  # grows with each wait


def _content(response: httpx.Response) -> str:
    if response.status_code != 200:
        raise LLMUnavailable(f"the endpoint answered HTTP {response.status_code}")
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMUnavailable("the answer is not a chat completion") from exc
    if not isinstance(content, str) or not content.strip():
        raise LLMUnavailable("the answer has no content")
    return content
