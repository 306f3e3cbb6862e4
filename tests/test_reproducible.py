"""Reproducible renders: the same inputs, keys, render id and clock write the same bytes, C2PA
stores included (derived label and instance id, keyed salts, deterministic ECDSA), and every
output still gets a manifest label of its own."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import c2pa  # type: ignore[import-untyped]
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from app.config import Settings
from app.context import build_registry, load_effective_catalog
from app.ingest import ingest_text
from app.pipeline.plan import DEFAULT_POLICY
from app.provenance import credentials
from app.provenance.credentials import (
    TRUSTED,
    CredentialSpec,
    IngredientSpec,
    SignerKey,
    create_local_chain,
    embed_credentials,
    load_identity,
    load_trust_anchors,
    read_credentials,
    trust_anchors,
)
from app.provenance.jumbf import JumbfError, boxes, children, find_store, superbox
from app.provenance.reseal import manifest_ids, reseal
from app.provenance.verify import VerifyInputs, failed, verify_render
from app.render.quality import Quality
from providers.media import run_ffmpeg
from providers.types import Aspect
from tests.fakes import FakeTime
from tests.rendering import identity_of, make_env, render

URN = re.compile(r"urn:c2pa:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _spec(clip: Path, render_id: str = "r-1") -> CredentialSpec:
    scene = IngredientSpec(0, "local", "motion", 0.0, 1.0, "sha256:00", clip)
    return CredentialSpec(render_id, {"id": "p", "version": 1, "sha256": "x"}, "core", "kid",
                          "0.1.0", [scene])  # fmt: skip


def _signed(video: bytes, folder: Path, data: Path, render_id: str = "r-1") -> Path:
    """`video` signed as `<folder>/out.mp4` with the keys of the data folder `data`."""
    folder.mkdir(parents=True, exist_ok=True)
    clip, out = folder / "clip.mp4", folder / "out.mp4"
    clip.write_bytes(video)
    out.write_bytes(video)
    embed_credentials(out, _spec(clip, render_id), load_identity(Settings(data_dir=data)))
    return out


def _label(path: Path) -> str:
    context = c2pa.Context.from_dict({"verify": {"verify_trust": False}})
    with c2pa.Reader.try_create(str(path), context=context) as reader:
        label: str = json.loads(reader.json())["active_manifest"]
    return label


def _salts(path: Path) -> list[bytes]:
    with path.open("rb") as stream:
        offset, size = find_store(stream)
        stream.seek(offset)
        store = stream.read(size)
    (manifest,) = children(store, superbox(store, next(boxes(store, 0, len(store)))))
    (assertions,) = [p for p in children(store, manifest) if p.description.kind == b"c2as"]
    found = []
    for a in children(store, assertions):
        assert a.description.salt is not None
        at, length = a.description.salt
        found.append(store[at : at + length])
    return found


def test_manifest_ids_follow_their_inputs_and_are_c2pa_urns() -> None:
    ids = manifest_ids("r-1", "sha256:aa", "def")
    assert ids == manifest_ids("r-1", "sha256:aa", "def")
    assert URN.fullmatch(ids.label) and ids.instance_id.startswith("xmp:iid:")
    assert uuid.UUID(ids.label.removeprefix("urn:c2pa:")).version == 4
    others = [manifest_ids("r-2", "sha256:aa", "def"), manifest_ids("r-1", "sha256:ab", "def"),
              manifest_ids("r-1", "sha256:aa", "deg")]  # fmt: skip
    labels = {ids.label, *(o.label for o in others)}
    assert len(labels) == 4
    assert ids.label.removeprefix("urn:c2pa:") != ids.instance_id.removeprefix("xmp:iid:")


def test_the_same_output_signed_twice_is_the_same_bytes_and_trusted(
    tiny_mp4: bytes, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    a = _signed(tiny_mp4, tmp_path / "a", data)
    b = _signed(tiny_mp4, tmp_path / "b", data)
    assert a.read_bytes() == b.read_bytes()
    readout = read_credentials(a, trust_anchors(Settings(data_dir=data)))
    assert readout is not None and readout.state == TRUSTED and readout.failures == ()
    assert URN.fullmatch(_label(a))


@pytest.mark.parametrize(
    "leaf", [ed25519.Ed25519PrivateKey.generate, lambda: ec.generate_private_key(ec.SECP384R1())]
)
def test_other_signing_keys_are_reproducible_too(
    leaf: Callable[[], SignerKey], tiny_mp4: bytes, tmp_path: Path
) -> None:
    """Ed25519 signs deterministically by design; ES384 with RFC 6979 nonces like ES256."""
    data = tmp_path / "data"
    create_local_chain(Settings(data_dir=data).keys_dir, leaf())
    a = _signed(tiny_mp4, tmp_path / "a", data)
    assert a.read_bytes() == _signed(tiny_mp4, tmp_path / "b", data).read_bytes()
    readout = read_credentials(a, trust_anchors(Settings(data_dir=data)))
    assert readout is not None and readout.state == TRUSTED and readout.failures == ()
    assert readout.signer["alg"].lower() == load_identity(Settings(data_dir=data)).alg


async def test_other_outputs_get_other_labels(tiny_mp4: bytes, tmp_path: Path) -> None:
    other = tmp_path / "other.mp4"
    await run_ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=24:duration=1",
                      "-c:v", "libx264", "-pix_fmt", "yuv420p", str(other)])  # fmt: skip
    data = tmp_path / "data"
    labels = [
        _label(_signed(tiny_mp4, tmp_path / "a", data)),
        _label(_signed(other.read_bytes(), tmp_path / "other-content", data)),
        _label(_signed(tiny_mp4, tmp_path / "other-render", data, render_id="r-2")),
    ]
    assert len(set(labels)) == 3 and all(URN.fullmatch(label) for label in labels)


def test_a_clip_with_its_own_credentials_is_carried_and_stays_reproducible(
    tiny_mp4: bytes, tmp_path: Path
) -> None:
    """A vendor's signed clip brings its manifest into the output's store; ours is found by its
    label among them, and the output is still the same bytes each time."""
    vendor = _signed(tiny_mp4, tmp_path / "vendor", tmp_path / "vendor-keys", "vendor-job")
    data, outputs = tmp_path / "data", []
    for name in ("a", "b"):
        out = tmp_path / name / "out.mp4"
        out.parent.mkdir()
        out.write_bytes(tiny_mp4)
        embed_credentials(out, _spec(vendor), load_identity(Settings(data_dir=data)))
        outputs.append(out)
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    readout = read_credentials(outputs[0], trust_anchors(Settings(data_dir=data)))
    assert readout is not None and readout.state == TRUSTED and readout.failures == ()
    (ingredient,) = readout.ingredients
    assert ingredient["active_manifest"] == _label(vendor) != _label(outputs[0])


def test_salts_are_secret_to_the_key(tiny_mp4: bytes, tmp_path: Path) -> None:
    """Salts are keyed: the same output under another key gets other salts (and c2pa-rs's
    random ones are gone: the two files would differ anyway, by key and signature)."""
    first = _salts(_signed(tiny_mp4, tmp_path / "a", tmp_path / "data-a"))
    second = _salts(_signed(tiny_mp4, tmp_path / "b", tmp_path / "data-b"))
    assert len(first) >= 3 and all(len(s) == 16 for s in first)
    assert not set(first) & set(second)


def test_a_store_it_cannot_prove_it_reads_is_left_alone(tiny_mp4: bytes, tmp_path: Path) -> None:
    """Resealing with a key that did not sign the claim fails before a byte is changed."""
    out = _signed(tiny_mp4, tmp_path / "a", tmp_path / "data-a")
    before = out.read_bytes()
    stranger = load_identity(Settings(data_dir=tmp_path / "data-b"))
    with pytest.raises(JumbfError, match="does not verify"):
        reseal(out, _label(out), stranger.key_pem, stranger.alg)
    with pytest.raises(JumbfError, match="no single manifest"):
        reseal(out, "urn:c2pa:00000000-0000-4000-8000-000000000000", stranger.key_pem, "es256")
    assert out.read_bytes() == before


def test_a_store_reseal_cannot_read_is_kept_as_c2pa_signed_it(
    tiny_mp4: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If c2pa-rs ever writes a store `reseal` does not understand, the output keeps c2pa-rs's
    own valid credentials (random salts) instead of failing the render."""

    def refuse(path: Path, label: str, key_pem: str, alg: str) -> None:
        raise JumbfError("a layout this reader does not know")

    monkeypatch.setattr(credentials, "reseal", refuse)
    data = tmp_path / "data"
    out = _signed(tiny_mp4, tmp_path / "a", data)
    readout = read_credentials(out, trust_anchors(Settings(data_dir=data)))
    assert readout is not None and readout.state == TRUSTED and readout.failures == ()
    assert out.read_bytes() != _signed(tiny_mp4, tmp_path / "b", data).read_bytes()


SCRIPT = """A quiet harbour at dawn, boats resting on still water.

Sales grew 42% in 2025, from 1.2 million to 1.7 million cups.
"""


def _render(data: Path, out: Path, **identity: Any) -> Path:
    settings = Settings(data_dir=data, voice="espeak", **identity)
    clock = FakeTime()
    env = make_env(settings, build_registry(settings), clock=clock.clock,
                   monotonic=clock.monotonic, new_id=lambda: "same-render")  # fmt: skip
    script = ingest_text(SCRIPT, title="Harbour")
    aspects = (Aspect.LANDSCAPE, Aspect.PORTRAIT)
    result = asyncio.run(render(script, env, out, DEFAULT_POLICY, aspects, Quality.DRAFT))
    return result.out_dir


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


@pytest.mark.slow
def test_two_plain_renders_of_the_same_inputs_are_byte_identical(tmp_path: Path) -> None:
    first = _render(tmp_path / "a", tmp_path / "out-a")
    # The second narrates from the first's cache (espeak in one process does not say a text
    # twice with the same samples) and signs with the first's keys.
    shutil.copytree(tmp_path / "a" / "narration", tmp_path / "b" / "narration")
    second = _render(tmp_path / "b", tmp_path / "out-b", **identity_of(tmp_path / "a" / "keys"))
    a, b = _files(first), _files(second)
    assert a.keys() == b.keys()
    videos = [name for name in a if name.endswith(".mp4")]
    assert len(videos) == 2 and {"manifest.json", "report.html", "disclosure.vtt"} <= a.keys()
    assert [name for name in a if a[name] != b[name]] == []
    # each output has its own label; the render verifies
    assert len({_label(first / name) for name in videos}) == 2
    settings = Settings(data_dir=tmp_path / "a")
    inputs = VerifyInputs(load_trust_anchors(settings), settings.clip_cache_dir,
                          load_effective_catalog(settings))  # fmt: skip
    assert not failed(verify_render(second, inputs).checks)
