"""The polling engine's pure parts: server wait hints and the HTTP status table."""

from __future__ import annotations

import httpx
import pytest

from providers.errors import (
    AuthError,
    InvalidResponse,
    ProviderUnavailable,
    RateLimited,
    RequestRejected,
)
from providers.vendors.status import error_for_status, server_wait_s

NOW = 1795348800.0  # 2026-11-22 12:00:00 UTC


@pytest.mark.parametrize(
    ("headers", "wait"),
    [({}, None), ({"retry-after": "3"}, 3.0), ({"retry-after-ms": "250"}, 0.25),
     ({"openai-poll-after-ms": "1500"}, 1.5), ({"retry-after": "soon"}, None),
     ({"retry-after": "Sun, 22 Nov 2026 12:01:00 GMT"}, 60.0),
     ({"retry-after": "Sun, 22 Nov 2026 11:00:00 GMT"}, 0.0),
     ({"retry-after": "NaN"}, None), ({"retry-after-ms": "inf"}, None),
     ({"openai-poll-after-ms": "-Infinity"}, None), ({"retry-after": "1e400"}, None)],
)  # fmt: skip
def test_server_wait_hints(headers: dict[str, str], wait: float | None) -> None:
    assert server_wait_s(httpx.Headers(headers), lambda: NOW) == wait


@pytest.mark.parametrize(
    ("status", "cls"),
    [(401, AuthError), (403, AuthError), (429, RateLimited), (500, ProviderUnavailable),
     (502, ProviderUnavailable), (504, ProviderUnavailable), (400, RequestRejected),
     (422, RequestRejected), (404, InvalidResponse)],
)  # fmt: skip
def test_status_table(status: int, cls: type[Exception]) -> None:
    response = httpx.Response(status, text="nope", headers={"retry-after": "2"})
    error = error_for_status(response, "vendor", "submit")
    assert type(error) is cls and "HTTP" in str(error) and error.provider_id == "vendor"
    if isinstance(error, RateLimited):
        assert error.retry_after == 2.0
