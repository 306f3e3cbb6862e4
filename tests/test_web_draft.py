"""The result page shows the draft at once (issue 17), in Chromium against a live server: the
draft plays while every clip is held back; when one clip lands its scene turns final in the
scene list and the player reloads the new draft where it was; then the render finishes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from app.api.app import Overrides
from providers.local import LocalProvider
from providers.registry import Registry
from tests.api_harness import FAKES, FAKES_POLICY
from tests.fakes import Gates, HeldProvider, ScriptedProvider
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


def test_the_draft_plays_at_once_then_scenes_turn_final(
    browser: Browser, held: tuple[LiveServer, list[threading.Event]]
) -> None:
    server, gates = held
    key = server.key("acme", "creator")
    save_policy(server, "acme", FAKES_POLICY)
    with browse(browser, server, "creator") as b:
        b.sign_in(key)
        page = b.page
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
