"""A clip that arrives with its own C2PA manifest has it recorded on the Clip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.config import Settings
from app.provenance.credentials import CredentialSpec, embed_credentials, load_identity
from providers.media import run_ffmpeg
from providers.settings import VeoSettings
from providers.types import ContentCredential
from providers.upstream_c2pa import embedded_c2pa, with_embedded_c2pa
from providers.vendors.veo import VeoProvider
from tests.fakes import FakeTime
from tests.fakes_http.harness import clip_request, instant
from tests.fakes_http.server import serve
from tests.fakes_http.veo import VeoFake

KEY = "AIza-test-key"


@pytest.fixture
async def signed_mp4(tmp_path: Path) -> bytes:
    clip = tmp_path / "vendor.mp4"
    await run_ffmpeg([
        "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x36:rate=30", "-t", "1",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", str(clip),
    ])  # fmt: skip
    spec = CredentialSpec("upstream-job", {"id": "vendor"}, "sha256:0", "sha256:1", "0", scenes=[])
    embed_credentials(clip, spec, load_identity(Settings(data_dir=tmp_path / "vendor-keys")))
    return clip.read_bytes()


async def test_detects_an_embedded_manifest_and_ignores_plain_files(
    signed_mp4: bytes, tiny_mp4: bytes, tmp_path: Path
) -> None:
    signed, plain = tmp_path / "s.mp4", tmp_path / "p.mp4"
    signed.write_bytes(signed_mp4)
    plain.write_bytes(tiny_mp4)
    (found,) = embedded_c2pa(signed)
    assert found.kind == "c2pa" and found.name == "reelroute" and "issuer=" in found.detail
    assert embedded_c2pa(plain) == ()
    documented = (ContentCredential("watermark", "SynthID"), ContentCredential("c2pa", "upstream"))
    merged = with_embedded_c2pa(documented, signed)
    assert [(c.kind, c.name) for c in merged] == [("watermark", "SynthID"), ("c2pa", "reelroute")]


@pytest.fixture
def fake(signed_mp4: bytes) -> Iterator[VeoFake]:
    app = VeoFake(signed_mp4, key=KEY)
    with serve(app) as url:
        app.base_url = url
        yield app


async def test_vendor_clip_with_c2pa_keeps_it_on_the_clip(fake: VeoFake, tmp_path: Path) -> None:
    settings = VeoSettings(api_key=SecretStr(KEY), base_url=f"{fake.base_url}/v1beta")
    provider = VeoProvider(settings, timing=instant(FakeTime()))
    clip = await provider.generate(
        clip_request(duration=4.5), "veo-3.1-fast-generate-preview", tmp_path / "c.mp4"
    )
    kinds = [(c.kind, c.name) for c in clip.credentials]
    assert kinds == [("watermark", "SynthID"), ("c2pa", "reelroute")]
