"""Every registered vendor adapter against its fake, misbehaving the same ways: the shared
engine must map each failure to the same documented error class for all of them, leave no
partial file behind, and never put a credential in a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.base import watching_submissions
from providers.errors import AuthError, InvalidResponse, ProviderUnavailable, RateLimited
from tests.fakes_http.harness import clip_request, leftovers
from tests.fakes_http.matrix import SECRET, Vendor, make_adapter
from tests.fakes_http.server import Reply, VendorFake

MISBEHAVIOURS: dict[str, tuple[str, Reply, tuple[type[Exception], ...]]] = {
    "429-retry-after": ("submit", Reply(429, {}, {"Retry-After": "7"}), (RateLimited,)),
    "503": ("submit", Reply(503, b"upstream down"), (ProviderUnavailable,)),
    "malformed-json": ("status", Reply(200, b"{oops"), (InvalidResponse,)),
    "hang": ("status", Reply(200, {}, hang_s=8.0), (ProviderUnavailable,)),
    "expired-url": ("download", Reply(404, b"gone"), (InvalidResponse,)),
    "truncated": ("download", Reply(200, b"z" * 5000, truncate_to=50),
                  (InvalidResponse, ProviderUnavailable)),
}  # fmt: skip


async def test_renders_through_the_real_http_path(
    vendor: tuple[Vendor, VendorFake], tiny_mp4: bytes, tmp_path: Path
) -> None:
    spec, fake = vendor
    clip = await make_adapter(spec, fake).generate(clip_request(), spec.model, tmp_path / "c.mp4")
    assert (tmp_path / "c.mp4").read_bytes() == tiny_mp4
    assert clip.model_id == spec.model and clip.provider_job_id and clip.width == 64


async def test_the_job_id_is_announced_before_the_first_poll(
    vendor: tuple[Vendor, VendorFake], tmp_path: Path
) -> None:
    spec, fake = vendor
    heard: list[tuple[str, int]] = []  # (job id, requests the fake had seen by then)
    with watching_submissions(lambda job_id: heard.append((job_id, len(fake.requests)))):
        clip = await make_adapter(spec, fake).generate(
            clip_request(), spec.model, tmp_path / "c.mp4"
        )
    assert [job for job, _ in heard] == [clip.provider_job_id]  # the id the clip carries
    before_polling = heard[0][1]
    assert before_polling < len(fake.requests) - 1  # a status poll and the download came after


async def test_refused_credentials_are_auth_errors_without_secrets(
    vendor: tuple[Vendor, VendorFake], tmp_path: Path
) -> None:
    spec, fake = vendor
    wrong = "wrong-" + SECRET
    with pytest.raises(AuthError) as info:
        await make_adapter(spec, fake, wrong).generate(clip_request(), spec.model, tmp_path / "c")
    assert wrong not in str(info.value) and SECRET not in str(info.value)


@pytest.mark.parametrize("case", sorted(MISBEHAVIOURS))
async def test_misbehaviour_maps_to_its_error_class(
    vendor: tuple[Vendor, VendorFake], tmp_path: Path, case: str
) -> None:
    spec, fake = vendor
    route, reply, errors = MISBEHAVIOURS[case]
    fake.fail(route, reply)
    folder = tmp_path / "clips"
    with pytest.raises(errors) as info:
        # A short timeout only where the fake hangs on purpose: elsewhere a loaded machine
        # must not turn a slow loopback answer into a timeout.
        timeout_s = 2.0 if case == "hang" else 5.0
        await make_adapter(spec, fake, timeout_s=timeout_s).generate(
            clip_request(), spec.model, folder / "c.mp4"
        )
    assert SECRET not in str(info.value) and info.value.provider_id  # type: ignore[attr-defined]
    assert leftovers(folder) == []
    if case == "429-retry-after":
        assert info.value.retry_after == 7.0  # type: ignore[attr-defined]
