"""The one exception tree every provider speaks. Adapters translate vendor errors into it.

ProviderError                      anything a provider did not do
├── ConfigurationError             missing or invalid credentials/settings; never called
├── CapabilityNotSupported         the model cannot serve this request; raised before any call
├── RequestRejected                the vendor refused the request as invalid (400/422, an
│                                  invalid-parameter code): the model's fault, not an outage
├── AuthError                      the vendor refused our credentials (401/403)
├── RateLimited(retry_after)       429 or a vendor concurrency code; wait, then retry
├── ContentRejected(code)          moderation refused the input/output; try another provider,
│                                  never the same one again
├── ProviderUnavailable            timeouts, 5xx, connection errors; retry, then fall back
├── SubmissionUnknown              the connection dropped after a submission was sent: the
│                                  vendor may be making (and billing) the job; never retried,
│                                  the policy's `on_unknown_submit` decides about falling back
├── DeadlineExceeded               the job's whole deadline (submit → poll → download) passed;
│                                  the remote task was cancelled where the vendor allows
├── InvalidResponse                the vendor answered with something we cannot parse
└── GenerationFailed               the vendor accepted the job and then failed it
"""

from __future__ import annotations


class ProviderError(Exception):
    """Base of every provider failure. `provider_id` names who failed."""

    def __init__(self, message: str, *, provider_id: str = "") -> None:
        super().__init__(message)
        self.provider_id = provider_id


class ConfigurationError(ProviderError):
    pass


class CapabilityNotSupported(ProviderError):
    pass


class RequestRejected(ProviderError):
    pass


class AuthError(ProviderError):
    pass


class RateLimited(ProviderError):
    def __init__(
        self, message: str, *, provider_id: str = "", retry_after: float | None = None
    ) -> None:
        super().__init__(message, provider_id=provider_id)
        self.retry_after = retry_after


class ContentRejected(ProviderError):
    def __init__(self, message: str, *, provider_id: str = "", code: str = "") -> None:
        super().__init__(message, provider_id=provider_id)
        self.code = code


class ProviderUnavailable(ProviderError):
    pass


class DeadlineExceeded(ProviderError):
    pass


class InvalidResponse(ProviderError):
    pass


class GenerationFailed(ProviderError):
    pass


class SubmissionUnknown(ProviderError):
    pass
