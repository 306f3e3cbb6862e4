"""Issue 15: a render mixing scenes the procedural renderer drew and scenes a (fake, loopback)
vendor model made, read back by c2pa-python's Reader as an independent reader would: the
source type per scene, one AI disclosure per generative model, the oversight level with and
without an approval, the manifest and disclosure.vtt saying the same, and `verify` catching
tampering with any of the new fields.

One render without approval and one with, made once per module (espeak, draft, 16:9)."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from app.config import Settings
from app.context import load_effective_catalog
from app.ingest import ingest_text
from app.pipeline.disclose import RenderResult
from app.pipeline.env import RenderEnv
from app.pipeline.plan import plan_script
from app.pipeline.run import RenderOptions, render_script
from app.provenance.credentials import (
    CA_FILE,
    TRUSTED,
    CredentialReadout,
    load_trust_anchors,
    read_credentials,
)
from app.provenance.label_check import CONTRAST, decode_frame, label_contrast, label_masks
from app.provenance.manifest_model import Approval, Manifest, parse_manifest
from app.provenance.signing import load_or_create_key, sign
from app.provenance.source_types import IPTC
from app.provenance.verify import Verdict, VerifyInputs, verify_path
from app.render.quality import Quality
from app.render.timeline import VisibleLabel
from providers.local import LocalProvider
from providers.registry import Registry
from providers.settings import RunwaySettings
from providers.types import Aspect
from providers.vendors.runway import RunwayProvider
from routing.policy import parse_policy
from tests.fakes import FakeTime
from tests.fakes_http.harness import instant
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.server import serve
from tests.rendering import make_env

pytestmark = pytest.mark.slow

SCRIPT = """A quiet harbour at dawn, boats resting on still water.

A crowd of people dancing at a street festival at night.

Sales grew 42% in 2025, from 1.2 million to 1.7 million cups.
"""
# People scenes go to Runway; everything else stays with the built-in renderer.
POLICY = """id: mixed
only: [local, runway]
order: [local, runway]
scene_kinds:
  people: {only: [runway]}
"""
WHOLE = POLICY.replace("id: mixed", "id: mixed-whole") + "disclosure: {label_scope: whole_video}\n"
APPROVAL = Approval(by="editor@example.org", at="2026-12-04T09:30:00Z")


@dataclass(frozen=True)
class Mixed:
    plain: RenderResult  # no approval (as the CLI renders)
    approved: RenderResult  # approved plan (as the service's gate will)
    whole: RenderResult  # label_scope: whole_video
    settings: Settings


async def _render(
    env: RenderEnv, out: Path, approval: Approval | None, policy_text: str = POLICY
) -> RenderResult:
    script = ingest_text(SCRIPT, title="Mixed")
    policy = parse_policy(policy_text, "mixed.yaml", env.catalog)
    routed = plan_script(script, policy, env.catalog, env.registry, Aspect.LANDSCAPE,
                         today=env.clock().date(), breakers=env.breakers)  # fmt: skip
    options = RenderOptions(env.new_id(), policy, (Aspect.LANDSCAPE,), Quality.DRAFT,
                            approval=approval)  # fmt: skip
    return await render_script(script, routed, options, env, out)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory, tiny_mp4: bytes) -> Iterator[Mixed]:
    root = tmp_path_factory.mktemp("mixed")
    settings = Settings(voice="espeak", data_dir=root / "data")
    runway = RunwayFake(tiny_mp4, key="rw-k")
    with serve(runway) as url:
        runway.base_url = url
        time = FakeTime()
        registry = Registry([
            LocalProvider(),
            RunwayProvider(RunwaySettings(api_key=SecretStr("rw-k"), base_url=url),
                           timing=instant(time)),
        ])  # fmt: skip
        env = make_env(settings, registry, clock=time.clock, sleep=time.sleep,
                       monotonic=time.monotonic)  # fmt: skip
        assert env.catalog.sha256 == load_effective_catalog(settings).sha256
        plain = asyncio.run(_render(env, root / "plain", None))
        approved = asyncio.run(_render(env, root / "approved", APPROVAL))
        whole = asyncio.run(_render(env, root / "whole", None, WHOLE))
    yield Mixed(plain, approved, whole, settings)


def _readout(result: RenderResult, settings: Settings) -> CredentialReadout:
    anchors = (settings.keys_dir / CA_FILE).read_text()
    readout = read_credentials(result.outputs[0].path, anchors)
    assert readout is not None and readout.state == TRUSTED, readout and readout.failures
    return readout


def _placed(readout: CredentialReadout) -> list[dict[str, Any]]:
    return [a for a in readout.actions if a["action"] == "c2pa.placed"]


def test_reader_sees_the_right_source_type_per_scene(mixed: Mixed) -> None:
    readout = _readout(mixed.plain, mixed.settings)
    makers = [(s.provider, s.index) for s in mixed.plain.scenes]
    assert [p for p, _ in makers] == ["local", "runway", "local"], makers
    placed = _placed(readout)
    assert [a["softwareAgent"]["name"].split("/")[0] for a in placed] == [
        "local",
        "runway",
        "local",
    ]
    assert [a["digitalSourceType"].removeprefix(IPTC) for a in placed] == [
        "algorithmicMedia", "trainedAlgorithmicMedia", "algorithmicMedia",
    ]  # fmt: skip
    created = next(a for a in readout.actions if a["action"] == "c2pa.created")
    assert created["digitalSourceType"] == IPTC + "compositeWithTrainedAlgorithmicMedia"
    narrated = next(a for a in readout.actions if a["action"] == "org.reelroute.narrated")
    assert narrated["digitalSourceType"] == IPTC + "algorithmicMedia"  # eSpeak
    assert [i["label"].split("__")[0] for i in readout.ingredients] == ["c2pa.ingredient.v3"] * 3
    assert readout.claim_generator[0]["specVersion"] == "2.4"


def test_one_ai_disclosure_per_generative_model_with_its_oversight_level(mixed: Mixed) -> None:
    plain = _readout(mixed.plain, mixed.settings).ai_disclosures
    # Only Runway's model made part of it: eSpeak and the procedural renderer are not models.
    assert [d["modelIdentifier"].split("/")[0] for d in plain] == ["runway"]
    assert plain[0]["org.reelroute.scenes"] == ["scene-2"]
    assert plain[0]["contentProfile"]["humanOversightLevel"] == "prompt_guided"
    approved = _readout(mixed.approved, mixed.settings).ai_disclosures
    assert [d["contentProfile"]["humanOversightLevel"] for d in approved] == ["human_validated"]
    manifest = mixed.approved.manifest
    assert manifest.approval == APPROVAL
    assert mixed.plain.manifest.approval is None
    assert "approval" not in json.loads(mixed.plain.manifest_path.read_text())


def test_manifest_vtt_and_report_say_what_made_each_element(mixed: Mixed) -> None:
    manifest = mixed.plain.manifest
    assert [s.source_type for s in manifest.scenes] == [
        "algorithmicMedia", "trainedAlgorithmicMedia", "algorithmicMedia",
    ]  # fmt: skip
    assert manifest.voice.source_type == "algorithmicMedia"
    assert manifest.music.source_type == "algorithmicMedia"
    assert manifest.digital_source_type == "compositeWithTrainedAlgorithmicMedia"
    marks = manifest.scenes[1].upstream_marks
    assert marks is not None and marks.survival == "unknown" and "re-encoded" in marks.reason
    assert marks.watermark.value == "unknown"  # the catalog has no evidence for Runway's
    local_marks = manifest.scenes[0].upstream_marks
    assert local_marks is not None and local_marks.survival == "not_applicable"
    vtt = (mixed.plain.out_dir / "disclosure.vtt").read_text()
    assert "Scene 1 — visuals drawn procedurally by local" in vtt
    assert "Scene 2 — visuals generated by runway gen4.5 (a trained model)" in vtt
    assert vtt.count("narration: espeak-ng") == 3
    report = mixed.plain.report_path.read_text()
    assert "trainedAlgorithmicMedia" in report and "algorithmicMedia" in report


def _contrasts(result: RenderResult) -> list[float]:
    """Label contrast at each scene's midpoint, from decoded frames of the output."""
    manifest, entry = result.manifest, result.manifest.outputs[0]
    label = manifest.disclosure.visible_label
    assert label is not None
    glyphs, box = asyncio.run(label_masks(VisibleLabel(label.text, label.position),
                                     Aspect(entry.aspect), entry.width, entry.height))  # fmt: skip
    found = []
    for s in manifest.scenes:
        mid = (s.timeline.start + s.timeline.end) / 2
        frame = asyncio.run(decode_frame(result.outputs[0].path, mid, entry.width, entry.height))
        found.append(label_contrast(frame, glyphs, box))
    return found


def test_the_label_shows_over_the_vendor_scene_only(mixed: Mixed) -> None:
    low, high, low2 = _contrasts(mixed.plain)
    assert high >= CONTRAST and low < CONTRAST and low2 < CONTRAST, (low, high, low2)
    scene = mixed.plain.manifest.scenes[1]
    assert mixed.plain.manifest.disclosure.label_scope == "trained_scenes"
    ranges = mixed.plain.manifest.disclosure.label_ranges
    assert ranges is not None
    assert [(r.start, r.end) for r in ranges] == [(scene.timeline.start, scene.timeline.end)]


def test_whole_video_scope_keeps_the_label_on_throughout(mixed: Mixed) -> None:
    assert all(c >= CONTRAST for c in _contrasts(mixed.whole))
    ranges = mixed.whole.manifest.disclosure.label_ranges
    assert ranges is not None and len(ranges) == 1
    assert ranges[0].start == 0 and ranges[0].end == mixed.whole.manifest.scenes[-1].timeline.end


def test_the_fresh_renders_verify(mixed: Mixed) -> None:
    for result in (mixed.plain, mixed.approved, mixed.whole):
        checks = verify_path(result.out_dir, _inputs(mixed.settings))
        failed = [c for c in checks if c.verdict is Verdict.FAIL]
        assert not failed, failed
        passed = {c.name for c in checks if c.verdict is Verdict.PASS}
        assert {"output[16:9].label", "manifest.label_ranges", "manifest.source_types",
                "output[16:9].c2pa.ai_disclosure", "output[16:9].c2pa.soft_binding",
                "output[16:9].c2pa.source_types"} <= passed  # fmt: skip


def _inputs(settings: Settings) -> VerifyInputs:
    return VerifyInputs(load_trust_anchors(settings), None, load_effective_catalog(settings))


def _tamper_and_resign(folder: Path, settings: Settings, change: dict[str, Any]) -> None:
    """Change manifest fields and re-sign with the render's own key, so only the cross-checks
    against the C2PA credentials (not the signature) can catch it."""
    path = folder / "manifest.json"
    doc = json.loads(path.read_text())
    for dotted, value in change.items():
        target = doc
        *parents, last = dotted.split(".")
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    manifest: Manifest = parse_manifest(json.dumps(doc))
    key = load_or_create_key(settings.signing_key_path, settings.keys_dir)
    path.write_text(sign(manifest, key).to_json())


@pytest.mark.parametrize(
    "change",
    [
        {"scenes.1.source_type": "algorithmicMedia"},
        {"scenes.0.source_type": "trainedAlgorithmicMedia"},
        {"digital_source_type": "compositeSynthetic"},
        {"voice.source_type": "trainedAlgorithmicMedia"},
        {"music.source_type": "trainedAlgorithmicMedia"},
        {"approval": {"by": "nobody", "at": "2026-12-04T00:00:00Z"}},
        {"scenes.1.upstream_marks.survival": "not_applicable"},
        {"outputs.0.fingerprint.hashes.0": "0000000000000000"},
        {"disclosure.label_ranges": []},
        {"disclosure.label_scope": "whole_video"},
        {"scenes.1.upstream_marks.watermark.value": "synthid"},
        {"outputs.0.fingerprint.fps": 2},
    ],
)
def test_tampering_with_a_new_field_is_caught(
    mixed: Mixed, tmp_path: Path, change: dict[str, Any]
) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(mixed.plain.out_dir, folder)
    _tamper_and_resign(folder, mixed.settings, change)
    checks = verify_path(folder, _inputs(mixed.settings))
    failed = [c.name for c in checks if c.verdict is Verdict.FAIL]
    assert failed, f"{change} went unnoticed"
    assert "manifest.signature" not in failed, "re-signed: a cross-check must catch it"
