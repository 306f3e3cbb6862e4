"""The vendor error table: HTTP statuses and error bodies → `providers.errors`, scrubbed.

What a vendor says about a failure reaches messages (and from there the CLI, the logs and the
signed manifest) only as its error *code* and *message* fields, trimmed and passed through
`scrub`, never as a raw body: bodies can echo our request headers, and so our credentials.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from providers.errors import (
    AuthError,
    InvalidResponse,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    RequestRejected,
)

STATUS_ERRORS: dict[int, type[ProviderError]] = {
    400: RequestRejected,
    401: AuthError,
    403: AuthError,
    408: ProviderUnavailable,
    413: RequestRejected,
    422: RequestRejected,
    429: RateLimited,
}
"""HTTP status → error class; any other 5xx is ProviderUnavailable, any other 4xx
InvalidResponse. 400/413/422 say the vendor would not take this request (a parameter, a model
name, a size): that counts against the model, never against the vendor's health."""

_DETAIL_CHARS = 200
REDACTED = "[redacted]"
# Shapes of credentials a vendor might echo back: JWTs (Kling signs one per request), auth
# header values, key-ish assignments; token-like means with a digit, so "key parameter" stays.
# Exact secret values are removed as well (`scrub`).
_TOKEN = r"(?=[\w.~+/=:-]*\d)[\w.~+/=:-]"
_TOKEN_PATTERNS = (
    re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*"),
    re.compile(r"(?i)\b(bearer|basic|key|token)\s+" + _TOKEN + "{8,}"),
    re.compile(
        r"(?i)\b(api[_-]?key|x-goog-api-key|authorization|secret[_-]?key|access[_-]?key)"
        r"(\W{1,3})" + _TOKEN + "{6,}"
    ),
)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without our secret values and without anything shaped like a credential."""
    # A value under 4 characters is no credential, and replacing it would shred the message.
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _TOKEN_PATTERNS[0].sub(REDACTED, text)
    text = _TOKEN_PATTERNS[1].sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _TOKEN_PATTERNS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


def vendor_detail(body: Any) -> str:
    """`code: message` from the fields vendors put them in, trimmed; '' when there are none.
    Reads `error{code,status,message}`, `code`/`message`, `base_resp{status_code,status_msg}`,
    fal's `detail[{type,msg}]` and a string `error`/`detail`; never the rest of the body."""
    if not isinstance(body, dict):
        return ""
    inner = body.get("error")
    if isinstance(inner, dict):
        code, message = inner.get("status") or inner.get("code"), inner.get("message")
    elif isinstance(body.get("base_resp"), dict):
        code, message = body["base_resp"].get("status_code"), body["base_resp"].get("status_msg")
    elif isinstance(body.get("detail"), list) and body["detail"]:
        first = body["detail"][0] if isinstance(body["detail"][0], dict) else {}
        code, message = first.get("type"), first.get("msg")
    else:
        code = body.get("code")
        message = next((body[k] for k in ("message", "error", "detail") if k in body), None)
    parts = [str(p) for p in (code, message) if isinstance(p, str | int) and str(p)]
    text = " ".join(": ".join(parts).split())
    return text[:_DETAIL_CHARS]


def server_wait_s(
    headers: Mapping[str, str], wall: Callable[[], float] = time.time
) -> float | None:
    """Seconds a server asked us to wait: `retry-after-ms`, `openai-poll-after-ms`, then
    `Retry-After` (seconds or an HTTP date). None when it did not say or said nonsense
    (including NaN and infinity, which would otherwise defeat every deadline)."""
    for name in ("retry-after-ms", "openai-poll-after-ms"):
        raw = headers.get(name)
        if raw is not None:
            with contextlib.suppress(ValueError):
                return _finite(float(raw) / 1000.0)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    with contextlib.suppress(ValueError):
        return _finite(float(raw))
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return _finite(when.timestamp() - wall())


def _finite(seconds: float) -> float | None:
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def error_for_status(
    response: httpx.Response,
    provider_id: str,
    what: str,
    *,
    wall: Callable[[], float] = time.time,
    body: Any = None,
) -> ProviderError:
    """The error an HTTP failure becomes; `body` is the parsed JSON error body, if any.
    The message carries the vendor's code and message fields only (see `vendor_detail`)."""
    code = response.status_code
    detail = vendor_detail(body)
    message = f"{provider_id}: {what} failed with HTTP {code}" + (f": {detail}" if detail else "")
    cls = STATUS_ERRORS.get(code) or (ProviderUnavailable if code >= 500 else InvalidResponse)
    if cls is RateLimited:
        return RateLimited(
            message, provider_id=provider_id, retry_after=server_wait_s(response.headers, wall)
        )
    return cls(message, provider_id=provider_id)
