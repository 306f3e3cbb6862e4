"""The result page shows the draft at once (issue 17), in Chromium against a live server.

With Media Source Extensions the player starts while the last scene's segment is still being
encoded (its ffmpeg is held by a gate, so this is no race), takes each segment as it appears,
and swaps a scene whose clip lands in place, where it was. Without MSE (taken away from the
page) the draft plays once draft.mp4 is whole, and reloads at the same position on a swap.
Every clip is held back by the test until it opens that clip's gate."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from app.api.app import Overrides
from providers.local import LocalProvider
from providers.media import ffmpeg_exe
from providers.registry import Registry
from tests.api_harness import FAKES, FAKES_POLICY
from tests.fakes import Gates, HeldProvider, ScriptedProvider
from tests.held_ffmpeg import held_ffmpeg
from tests.test_web_creator import SCRIPT, save_policy, wait_for_result
from tests.web_harness import Browse, LiveServer, browse, web_settings

pytestmark = pytest.mark.slow
TIMEOUT_MS = 240_000

PLAY_THEN_PARK = """async (video) => {
  await video.play();
  const until = Date.now() + 30000;
  while (video.currentTime < 0.5 && Date.now() < until) {
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const played = video.currentTime;
  video.pause();
  const seeked = new Promise((ok) => video.addEventListener('seeked', ok, {once: true}));
  video.currentTime = 2.0;
  await seeked;
  return {played, now: video.currentTime, width: video.videoWidth, duration: video.duration};
}"""


def plan_with_fakes(b: Browse) -> str:
    """Plan the two-scene script under the `fakes` policy: every scene from a held vendor."""
    b.go("/new")
    b.page.get_by_label("Script", exact=True).fill(SCRIPT)
    b.page.get_by_label("1:1 square").uncheck()
    b.page.get_by_label("9:16 vertical").uncheck()
    b.page.get_by_label("Quality").select_option("draft")
    b.page.get_by_label("Voice").select_option("espeak")
    b.page.get_by_label("Policy").select_option("fakes")
    b.page.get_by_role("button", name="Plan").click()
    b.page.wait_for_url("**/renders/rnd_*")
    return b.page.url.rsplit("/", 1)[1].split("#")[0]


NO_MSE = "Object.defineProperty(window, 'MediaSource', {value: undefined});"
PLAYS_ON = """async (video) => {
  await video.play();
  const from = video.currentTime, until = Date.now() + 30000;
  while (video.currentTime < from + 0.5 && Date.now() < until) {
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return {from, now: video.currentTime, width: video.videoWidth, src: video.src};
}"""
MANIFEST = """async (url) => (await fetch(url, {cache: 'no-store'})).json()"""
# what a draft player started on the page hears first: its manifest, a failure, or the end
FIRST_HOOK = """async (base) => await new Promise((ok) => {
  const hooks = {manifest: () => ok('manifest'), failed: () => ok('failed'),
                 replaced: () => ok('replaced')};
  new window.reelroute.DraftStream(document.createElement('video'), base, hooks).sync();
})"""
# a hash of the frame shown at `t` (paused), drawn small: the same picture gives the same hash.
# `seeked` can come before the frame at `t` is shown (a loaded machine decodes late), and a
# draw then hashes the frame shown before: it draws once a frame of `t` is presented (its
# media time within a frame of `t`), seeking again if another was, and fails saying so.
FRAME_AT = """async (video, t) => {
  video.pause();
  let shownAt = null;
  for (let attempt = 0; attempt < 5 && !(shownAt !== null && Math.abs(shownAt - t) < 0.05);
       attempt++) {
    const seeked = new Promise((ok) => video.addEventListener('seeked', ok, {once: true}));
    const shown = new Promise((ok) => video.requestVideoFrameCallback((now, m) => ok(m.mediaTime)));
    video.currentTime = attempt % 2 ? t + 0.001 : t;  // a seek to where it is may show nothing
    await seeked;
    shownAt = await Promise.race([shown, new Promise((ok) => setTimeout(() => ok(null), 10000))]);
  }
  if (shownAt === null || Math.abs(shownAt - t) >= 0.05) {
    throw new Error('no frame of ' + t + ' s was shown (last: ' + shownAt + ')');
  }
  const canvas = document.createElement('canvas');
  canvas.width = 96;
  canvas.height = 54;
  const g = canvas.getContext('2d');
  g.drawImage(video, 0, 0, 96, 54);
  let hash = 0;
  for (const byte of g.getImageData(0, 0, 96, 54).data) hash = (hash * 31 + byte) % 1000000007;
  return hash;
}"""


@pytest.fixture
def last_segment_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """ffmpeg behind a wrapper that holds the draft's last segment until the gate exists."""
    gate, wrapper = held_ffmpeg(tmp_path, "last-segment", "*seg_0001.r0.ts.partial")
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(wrapper))
    ffmpeg_exe.cache_clear()  # the path is looked up once per process
    yield gate
    gate.touch()
    monkeypatch.undo()
    ffmpeg_exe.cache_clear()


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[LiveServer, list[threading.Event]]]:
    gates = [threading.Event() for _ in range(8)]
    shared = Gates(gates)
    fakes = [HeldProvider(ScriptedProvider(pid, real_video=True), shared) for pid in FAKES]
    registry = Registry([LocalProvider(), *fakes])
    server = LiveServer(web_settings(tmp_path), Overrides(registry=registry, sse_poll_s=0.1))
    server.start()
    try:
        yield server, gates
    finally:
        for gate in gates:
            gate.set()
        server.stop()


def test_without_mse_the_whole_draft_plays_then_reloads_per_swap(
    browser: Browser, held: tuple[LiveServer, list[threading.Event]]
) -> None:
    server, gates = held
    key = server.key("acme", "creator")
    save_policy(server, "acme", FAKES_POLICY)
    with browse(browser, server, "creator") as b:
        b.sign_in(key)
        page = b.page
        page.add_init_script(NO_MSE)  # the fallback: draft.mp4 once whole
        render_id = plan_with_fakes(b)
        page.get_by_role("button", name="Approve and render").click()

        # the draft plays while no clip has landed: both scenes are placeholders
        figure = page.locator("#draft")
        expect(figure).to_be_visible(timeout=TIMEOUT_MS)
        badges = page.locator("#progress .scene-draft .badge")
        expect(badges).to_have_text(["placeholder", "placeholder"])
        player = page.locator("#draft-player")
        parked = player.evaluate(PLAY_THEN_PARK)
        assert parked["played"] > 0 and parked["width"] == 960, parked
        assert abs(parked["now"] - 2.0) < 0.1
        assert f"/renders/{render_id}/draft/draft.mp4" in (player.get_attribute("src") or "")
        b.check("draft")

        # one clip lands: its scene turns final, the player reloads at the same position
        gates[0].set()
        expect(badges.filter(has_text="final")).to_have_count(1, timeout=TIMEOUT_MS)
        expect(badges.filter(has_text="placeholder")).to_have_count(1)
        expect(player).to_have_attribute("data-revision", "1", timeout=TIMEOUT_MS)
        page.wait_for_function(
            "() => { const v = document.getElementById('draft-player');"
            " return v.readyState >= 1 && !v.seeking; }",
            timeout=TIMEOUT_MS,
        )
        assert "revision=1" in (player.get_attribute("src") or "")
        assert abs(player.evaluate("v => v.currentTime") - 2.0) < 0.2
        expect(page.locator("#draft-status")).to_contain_text("1 of 2 scenes final")

        # the other clip lands: the render finishes and the page shows the final videos
        for gate in gates[1:]:
            gate.set()
        wait_for_result(page)
        assert page.url.endswith(f"/renders/{render_id}")


def test_the_draft_streams_before_its_last_scene_is_encoded(
    browser: Browser,
    last_segment_gate: Path,
    held: tuple[LiveServer, list[threading.Event]],
) -> None:
    server, gates = held
    save_policy(server, "acme", FAKES_POLICY)
    with browse(browser, server, "creator") as b:
        b.sign_in(server.key("acme", "creator"))
        page = b.page
        render_id = plan_with_fakes(b)
        page.get_by_role("button", name="Approve and render").click()
        manifest_url = f"/renders/{render_id}/draft/manifest.json"

        # the soundtrack and the first scene exist; the last scene's encode is held
        expect(page.locator("#draft")).to_be_visible(timeout=TIMEOUT_MS)
        badges = page.locator("#progress .scene-draft .badge")
        expect(badges).to_have_text(["placeholder", "not yet"], timeout=TIMEOUT_MS)
        player = page.locator("#draft-player")
        started = player.evaluate(PLAYS_ON)
        assert started["now"] >= started["from"] + 0.5, started  # it plays
        assert started["src"].startswith("blob:") and started["width"] == 960, started
        manifest = page.evaluate(MANIFEST, manifest_url)
        assert [s["state"] for s in manifest["scenes"]] == ["placeholder", "pending"]
        assert manifest["scenes"][1]["fragment"] is None and not manifest["complete"]
        assert not last_segment_gate.exists()
        assert not (server.service.settings.drafts_dir / render_id / "seg_0001.r0.ts").exists()
        b.check("draft-streaming")

        # the last segment is encoded: the player takes it and plays through that scene
        last_segment_gate.touch()
        expect(badges).to_have_text(["placeholder", "placeholder"], timeout=TIMEOUT_MS)
        page.wait_for_function(
            "() => { const v = document.getElementById('draft-player');"
            " return v.buffered.length === 1 && v.buffered.end(0) > v.duration - 0.2; }",
            timeout=TIMEOUT_MS,
        )
        second = page.evaluate(MANIFEST, manifest_url)["scenes"][1]
        player.evaluate(f"v => {{ v.pause(); v.currentTime = {second['start'] + 0.5}; }}")
        later = player.evaluate(PLAYS_ON)
        assert later["now"] >= second["start"] + 1.0, later
        player.evaluate("v => v.pause()")

        # a clip lands: its scene turns final and is replaced in place, the player stays put
        scenes = page.evaluate(MANIFEST, manifest_url)["scenes"]
        moments = [sc["start"] + 0.5 + 1 / 60 for sc in scenes]  # mid-frame, inside each scene
        before = [player.evaluate(FRAME_AT, t) for t in moments]
        player.evaluate(FRAME_AT, moments[1])  # parked inside the last scene
        at = moments[1]
        gates[0].set()
        expect(badges.filter(has_text="final")).to_have_count(1, timeout=TIMEOUT_MS)
        expect(player).to_have_attribute("data-revision", "1", timeout=TIMEOUT_MS)
        assert player.evaluate("v => v.src") == started["src"]  # no reload
        assert abs(player.evaluate("v => v.currentTime") - at) < 0.05
        final = [sc["state"] for sc in page.evaluate(MANIFEST, manifest_url)["scenes"]]
        after = [player.evaluate(FRAME_AT, t) for t in moments]
        for state, old, new in zip(final, before, after, strict=True):
            assert (old != new) == (state == "final"), (final, before, after)
        again = player.evaluate(PLAYS_ON)
        assert again["now"] >= again["from"] + 0.5, again
        expect(page.locator("#draft-status")).to_contain_text("1 of 2 scenes final")
        b.check("draft-swapped")

        # the other clip lands: the render finishes and the page shows the final videos
        for gate in gates[1:]:
            gate.set()
        wait_for_result(page)
        assert page.url.endswith(f"/renders/{render_id}")

        # the draft is deleted: a player still polling hears so without a failed load (a 410
        # would be one), and stops; its fragments are gone for good
        assert page.evaluate(MANIFEST, manifest_url) == {
            "draft": False, "replaced": True, "render": render_id
        }  # fmt: skip
        assert page.evaluate(FIRST_HOOK, f"/renders/{render_id}/draft/") == "replaced"
        fragment = page.request.get(
            f"{server.url}/renders/{render_id}/draft/{scenes[0]['fragment']}"
        )
        assert fragment.status == 410
