"""Issue 15: a vendor clip that animates an article image records that image as its input.

The loopback article is fetched and extracted for real (its two images are given to scenes);
scenes go to the (fake, loopback) Runway first, which animates each image for its scene and
makes the others from text. Each image is then in the manifest (sha256, media type, the URL it
was fetched from), in the C2PA credentials as an `inputTo` ingredient that the scene's action
lists, read back by c2pa-python's Reader, and in report.html; `verify` checks it, and catches
tampering with it even after re-signing. (The URL render test covers the built-in renderer's
Ken Burns over an article image.)"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from app.config import Settings
from app.context import load_effective_catalog
from app.ingest.url.ingest import UrlOptions, ingest_url
from app.pipeline.disclose import RenderResult
from app.pipeline.plan import plan_script
from app.pipeline.run import RenderOptions, render_script
from app.provenance.credentials import CA_FILE, TRUSTED, load_trust_anchors, read_credentials
from app.provenance.manifest_model import InputImage, parse_manifest
from app.provenance.signing import load_or_create_key, sign
from app.provenance.verify import Verdict, VerifyInputs, verify_path
from app.render.quality import Quality
from providers.local import LocalProvider
from providers.registry import Registry
from providers.settings import RunwaySettings
from providers.types import Aspect
from providers.vendors.runway import RunwayProvider
from routing.policy import parse_policy
from tests.fakes import FakeTime
from tests.fakes_http.articles import png, serve_articles
from tests.fakes_http.harness import instant
from tests.fakes_http.runway import RunwayFake
from tests.fakes_http.server import serve
from tests.rendering import make_env
from tests.url_helpers import loopback_settings, table_resolver

pytestmark = pytest.mark.slow

POLICY = "id: runway-first\nonly: [runway, local]\norder: [runway, local]\n"


@dataclass(frozen=True)
class Animated:
    result: RenderResult
    settings: Settings
    images: dict[int, tuple[str, bytes]]  # scene index -> (article image URL, its bytes)
    runway: RunwayFake

    @property
    def image_scene(self) -> int:
        return min(self.images)


async def _render(settings: Settings, runway: RunwayFake, url: str, time: FakeTime) -> RenderResult:
    options = UrlOptions(minutes=0.4, fetch=loopback_settings(),
                         image_dir=settings.data_dir / "url-images")  # fmt: skip
    script = (await ingest_url(url, options, resolver=table_resolver({}))).script
    # As a creator editing the plan would: each scene says its first words only, so the scene
    # with the image fits a Runway clip (10 s at most) and the render stays short.
    short = tuple(replace(s, narration=" ".join(s.narration.split()[:8]), target_duration=3.5)
                  for s in script.scenes)  # fmt: skip
    script = replace(script, scenes=short)
    registry = Registry([
        LocalProvider(),
        RunwayProvider(RunwaySettings(api_key=SecretStr("rw-k"), base_url=runway.base_url),
                       timing=instant(time)),
    ])  # fmt: skip
    env = make_env(settings, registry, clock=time.clock, sleep=time.sleep,
                   monotonic=time.monotonic)  # fmt: skip
    policy = parse_policy(POLICY, "runway-first.yaml", env.catalog)
    routed = plan_script(script, policy, env.catalog, env.registry, Aspect.LANDSCAPE,
                         today=env.clock().date(), breakers=env.breakers)  # fmt: skip
    render = RenderOptions(env.new_id(), policy, (Aspect.LANDSCAPE,), Quality.DRAFT, input_ref=url)
    return await render_script(script, routed, render, env, settings.data_dir.parent / "out")


@pytest.fixture(scope="module")
def animated(tmp_path_factory: pytest.TempPathFactory, tiny_mp4: bytes) -> Iterator[Animated]:
    root = tmp_path_factory.mktemp("animated")
    settings = Settings(voice="espeak", data_dir=root / "data")
    runway = RunwayFake(tiny_mp4, key="rw-k")
    with serve_articles() as site, serve(runway) as vendor:
        runway.base_url = vendor
        result = asyncio.run(_render(settings, runway, f"{site}/article.html", FakeTime()))
        served = {f"{site}/img/harbour.png": png(), f"{site}/img/quay.png": png(240, 160)}
    placed = (result.manifest.input.model_extra or {})["source"]["images"]
    images = {i["scenes"][0]: (i["url"], served[i["url"]]) for i in placed}
    assert len(images) == 2, placed
    yield Animated(result, settings, images, runway)


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_the_vendor_was_sent_the_article_image_and_the_manifest_records_it(
    animated: Animated,
) -> None:
    sent = [json.loads(r.body) for r in animated.runway.requests
            if r.path == "/v1/image_to_video"]  # fmt: skip
    # Only the scenes with an image are image-to-video, and Runway got the article's bytes.
    sent_images = sorted(base64.b64decode(b["promptImage"].split(",", 1)[1]) for b in sent)
    assert sent_images == sorted(data for _, data in animated.images.values())
    scenes = animated.result.manifest.scenes
    report = animated.result.report_path.read_text()
    for index, (url, data) in animated.images.items():
        want = InputImage(sha256=_sha(data), media_type="image/png", origin="article", ref=url)
        assert scenes[index].input_image == want
        assert scenes[index].clip.provider == "runway"
        assert url in report and want.sha256 in report
    assert [s.index for s in scenes if s.input_image is not None] == sorted(animated.images)
    vtt = (animated.result.out_dir / "disclosure.vtt").read_text()
    for index, (url, _) in animated.images.items():
        assert (f"Scene {index + 1} — visuals generated by runway gen4.5 (a trained model) "
                f"from the article image {url}; narration") in vtt  # fmt: skip


def test_an_independent_reader_sees_the_image_as_the_scenes_input(animated: Animated) -> None:
    anchors = (animated.settings.keys_dir / CA_FILE).read_text()
    readout = read_credentials(animated.result.outputs[0].path, anchors)
    assert readout is not None and readout.state == TRUSTED, readout and readout.failures
    inputs = [i for i in readout.ingredients if i["relationship"] == "inputTo"]
    assert [(i["title"], i["format"], i["description"]) for i in inputs] == [
        (f"scene {index + 1} input: {url}", "image/png", _sha(data))
        for index, (url, data) in sorted(animated.images.items())
    ]
    clips = [i for i in readout.ingredients if i["relationship"] == "componentOf"]
    assert len(clips) == len(animated.result.manifest.scenes)
    placed = [a for a in readout.actions if a["action"] == "c2pa.placed"]
    # The scene's action names both its clip and the image the clip was made from.
    counts = [len(a["parameters"]["ingredients"]) for a in placed]
    assert counts == [2 if i in animated.images else 1 for i in range(len(placed))]


def test_the_render_verifies_with_its_input_image(animated: Animated) -> None:
    checks = verify_path(animated.result.out_dir, _inputs(animated.settings))
    assert not [c for c in checks if c.verdict is Verdict.FAIL]
    passed = {c.name for c in checks if c.verdict is Verdict.PASS}
    assert {"manifest.input_images", "output[16:9].c2pa.input_images"} <= passed


def _inputs(settings: Settings) -> VerifyInputs:
    return VerifyInputs(load_trust_anchors(settings), None, load_effective_catalog(settings))


def _resign(folder: Path, settings: Settings, edit: Any) -> None:
    """Edit the manifest document and re-sign it with the render's own key."""
    path = folder / "manifest.json"
    doc = json.loads(path.read_text())
    edit(doc)
    key = load_or_create_key(settings.signing_key_path, settings.keys_dir)
    path.write_text(sign(parse_manifest(json.dumps(doc)), key).to_json())


def _other_url(doc: dict[str, Any], scene: int) -> None:
    doc["scenes"][scene]["input_image"]["ref"] = "https://elsewhere.example/photo.png"


def _other_sha(doc: dict[str, Any], scene: int) -> None:
    doc["scenes"][scene]["input_image"]["sha256"] = _sha(b"another picture")


def _dropped(doc: dict[str, Any], scene: int) -> None:
    del doc["scenes"][scene]["input_image"]


def _as_local_file(doc: dict[str, Any], scene: int) -> None:
    doc["scenes"][scene]["input_image"] |= {"origin": "file", "ref": "harbour.png"}


@pytest.mark.parametrize("edit", [_other_url, _other_sha, _dropped, _as_local_file])
def test_tampering_with_the_input_image_is_caught(
    animated: Animated, tmp_path: Path, edit: Any
) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(animated.result.out_dir, folder)
    _resign(folder, animated.settings, lambda doc: edit(doc, animated.image_scene))
    checks = verify_path(folder, _inputs(animated.settings))
    failed = {c.name for c in checks if c.verdict is Verdict.FAIL}
    assert "output[16:9].c2pa.input_images" in failed, failed
    assert "manifest.signature" not in failed, "re-signed: a cross-check must catch it"
