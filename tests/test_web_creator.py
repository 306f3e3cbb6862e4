"""Browser journeys of a creator (issue 14: journeys 1 and 4, and journey 5's axe and
screenshots of every creator page), in Chromium against a live server."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.api_harness import FAKES_POLICY
from tests.web_harness import Browse, LiveServer, browse

SCRIPT = (
    "A quiet harbour at dawn, boats resting on still water.\n\n"
    "The fishing fleet heads out past the lighthouse as the sun rises."
)
NEW_NARRATION = "A quiet harbour at first light, every boat asleep on the water."
RENDER_TIMEOUT_MS = 240_000

PLAY_AND_SEEK = """async (video) => {
  video.muted = true;
  if (video.readyState < 1) {
    await new Promise((ok, bad) => {
      video.addEventListener('loadedmetadata', ok, {once: true});
      video.addEventListener('error', () => bad(new Error('video error')), {once: true});
    });
  }
  await video.play();
  const until = Date.now() + 15000;  // a loaded machine can take a while to start playing
  while (video.currentTime === 0 && Date.now() < until) {
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const played = video.currentTime;
  video.pause();
  const target = Math.max(0, Math.min(video.duration - 0.3, video.duration / 2));
  const seeked = new Promise((ok) => video.addEventListener('seeked', ok, {once: true}));
  video.currentTime = target;
  await seeked;
  return {played, target, now: video.currentTime, readyState: video.readyState,
          duration: video.duration, width: video.videoWidth, height: video.videoHeight};
}"""

RANGE_PROBE = """async (url) => {
  const r = await fetch(url, {headers: {Range: 'bytes=0-99'}});
  return {status: r.status, range: r.headers.get('content-range'),
          size: (await r.arrayBuffer()).byteLength};
}"""


def plan_video(b: Browse) -> str:
    b.go("/new")
    b.check("new-video")
    b.page.get_by_label("Script", exact=True).fill(SCRIPT)
    b.page.get_by_label("1:1 square").uncheck()
    b.page.get_by_label("Quality").select_option("draft")
    b.page.get_by_label("Voice").select_option("espeak")
    b.page.get_by_label("Music mood").select_option("calm")
    b.page.get_by_role("button", name="Plan").click()
    b.page.wait_for_url("**/renders/rnd_*")
    return b.page.url.rsplit("/", 1)[1].split("#")[0]


def wait_for_result(page: Page) -> None:
    """The progress page reloads itself when its event stream says the render ended."""
    expect(page.get_by_role("heading", name="Videos")).to_be_visible(timeout=RENDER_TIMEOUT_MS)


def scene_maker(page: Page, number: int) -> str:
    return page.locator(f"#scene-{number} .strip__maker code").inner_text()


def test_journey_1_a_creator_plans_edits_approves_watches_plays_and_regenerates(
    browser: Browser, server: LiveServer
) -> None:
    key = server.key("acme", "creator")
    save_policy(server, "acme", FAKES_POLICY)
    with browse(browser, server, "creator") as b:
        b.sign_in(key)
        render_id = plan_video(b)
        page = b.page
        expect(page.locator(".storyboard > li")).to_have_count(2)
        scene_1 = page.locator("#scene-1")
        expect(scene_1.get_by_text("Why", exact=True)).to_be_visible()
        expect(scene_1.locator(".scene__cost")).to_contain_text("$")
        expect(page.locator(".approve-bar")).to_contain_text("Estimated total")
        left_out = scene_1.locator("details.excluded")
        left_out.locator("summary").click()
        expect(left_out).to_contain_text("not configured on this server (no credentials)")
        b.check("plan")

        # edit a scene's narration: the plan is made again with it
        page.get_by_label("Narration of scene 1").fill(NEW_NARRATION)
        page.get_by_role("button", name="Save scene 1").click()
        expect(page.get_by_label("Narration of scene 1")).to_have_value(NEW_NARRATION)

        # a pin the policy forbids shows the policy's reason, and changes nothing
        excluded = page.locator("#model-2 optgroup[label='Left out by the policy'] option")
        forbidden = excluded.first.get_attribute("value")
        assert forbidden
        with b.expecting_http_errors():
            page.get_by_label("Model for scene 2").select_option(forbidden)
            page.get_by_role("button", name="Save scene 2").click()
            alert = page.locator("#scene-2-error")
            expect(alert).to_contain_text(forbidden.split("/")[0])
            expect(alert).to_contain_text("may not make scene 2")
            expect(alert).to_contain_text(
                "not configured on this server (no credentials) (not_configured)"
            )
            b.check("plan-forbidden-pin")

        # an allowed pin sticks
        page.get_by_label("Model for scene 2").select_option("fakeb/m1")
        page.get_by_role("button", name="Save scene 2").click()
        expect(page.locator("#scene-2 .facts")).to_contain_text("fakeb/m1")
        expect(page.locator("#scene-2").get_by_text("Pinned by you.")).to_be_visible()

        page.get_by_role("button", name="Approve and render").click()
        expect(page.locator("#progress")).to_be_visible()
        b.check("progress")
        wait_for_result(page)
        assert page.url.endswith(f"/renders/{render_id}")  # same page, reloaded by the stream
        wait_for_pictures(page)
        b.check("result")
        assert scene_maker(page, 2) == "fakeb/m1"
        expect(page.locator("#scene-1")).to_contain_text(NEW_NARRATION)

        play_every_aspect(page, render_id)
        report = page.request.get(f"{server.url}/renders/{render_id}/files/report.html")
        assert report.status == 200 and "sandbox" in report.headers["content-security-policy"]
        manifest = page.request.get(f"{server.url}/renders/{render_id}/files/manifest.json")
        assert manifest.json()["schema"] == "reelroute.manifest/1"
        # regenerate scene 1 with another allowed model: a new version, only that scene remade
        maker_before = scene_maker(page, 1)
        other = "fakea/m1" if maker_before != "fakea/m1" else "fakeb/m1"
        page.get_by_label("Model for a new take of scene 1").select_option(other)
        page.get_by_role("button", name="Regenerate scene 1").click()
        page.wait_for_url(lambda url: render_id not in url)
        wait_for_result(page)
        assert scene_maker(page, 1) == other
        assert scene_maker(page, 2) == "fakeb/m1"
        expect(page.get_by_role("link", name=render_id)).to_be_visible()  # "Made from"

        # re-render under another policy: a third version, linked to the second
        regenerated = page.url
        page.get_by_label("Policy", exact=True).select_option("fakes")
        page.get_by_role("button", name="Re-render").click()
        page.wait_for_url(lambda url: url != regenerated)
        wait_for_result(page)
        expect(page.locator(".stat-row")).to_contain_text("fakes")

        b.go("/renders")
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.first).to_contain_text("Ready")
        b.check("renders")


def wait_for_pictures(page: Page) -> None:
    """Every scene thumbnail and player poster loaded (ffmpeg takes each once, on demand)."""
    thumbs = page.locator(".strip__scene img")
    expect(thumbs).to_have_count(2)
    for thumb in thumbs.all():  # they load lazily, when scrolled to
        thumb.scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.strip__scene img')]"
        ".every((img) => img.complete && img.naturalWidth > 0)",
        timeout=60_000,
    )
    for video in page.locator("figure.player video").all():
        poster = video.get_attribute("poster")
        assert poster and page.request.get(page.url.split("/renders")[0] + poster).ok, poster


def play_every_aspect(page: Page, render_id: str) -> None:
    players = page.locator("figure.player")
    expect(players).to_have_count(2)
    for aspect in ("16x9", "9x16"):
        video = page.locator(f"figure[data-aspect='{aspect}'] video")
        video.scroll_into_view_if_needed()
        got: dict[str, Any] = video.evaluate(PLAY_AND_SEEK)
        assert got["played"] > 0, got
        assert got["readyState"] >= 2 and abs(got["now"] - got["target"]) < 0.5, got
        assert (got["width"] > got["height"]) == (aspect == "16x9"), got
        probe = page.evaluate(RANGE_PROBE, f"/renders/{render_id}/files/{aspect}")
        assert probe["status"] == 206 and probe["size"] == 100, probe
        assert probe["range"].startswith("bytes 0-99/"), probe


def save_policy(server: LiveServer, tenant: str, text: str) -> None:
    headers = {"Authorization": f"Bearer {server.key(tenant, 'agency_admin')}",
               "Content-Type": "application/yaml"}  # fmt: skip
    saved = httpx.post(server.url + "/v1/policies", content=text, headers=headers, timeout=30)
    assert saved.status_code in (200, 201), saved.text


def make_render(server: LiveServer, key: str) -> dict[str, Any]:
    """A finished render of another tenant, made through the JSON API."""
    headers = {"Authorization": f"Bearer {key}"}
    body = {"source": {"kind": "script", "text": SCRIPT}, "aspects": ["16:9"],
            "quality": "draft", "voice": "espeak", "approve": True}  # fmt: skip
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        made = client.post("/v1/renders", json=body)
        assert made.status_code == 201, made.text
        deadline = time.monotonic() + RENDER_TIMEOUT_MS / 1000
        while True:
            got = client.get(f"/v1/renders/{made.json()['id']}").json()
            if got["state"] in ("succeeded", "failed") or time.monotonic() > deadline:
                assert got["state"] == "succeeded", got
                return dict(got)
            time.sleep(0.3)


def test_journey_4_a_creator_cannot_reach_another_tenants_pages_or_files(
    browser: Browser, server: LiveServer
) -> None:
    theirs = make_render(server, server.key("globex", "creator"))
    same_tenant_other_creator = make_render(server, server.key("acme", "creator"))
    rid = theirs["id"]
    paths = [
        f"/renders/{rid}",
        f"/renders/{rid}/files/16x9",
        f"/renders/{rid}/files/manifest.json",
        f"/renders/{rid}/files/report.html",
        f"/renders/{rid}/files/captions.vtt",
        f"/renders/{rid}/scenes/0/thumbnail.jpg",
        f"/renders/{rid}/events",
        f"/renders/{same_tenant_other_creator['id']}",
        f"/renders/{same_tenant_other_creator['id']}/files/16x9",
    ]
    with browse(browser, server, "isolation") as b:
        b.sign_in(server.key("acme", "creator"))
        with b.expecting_http_errors():
            for path in paths:
                response = b.page.goto(server.url + path)
                assert response is not None and response.status == 404, path
                assert "globex" not in b.page.content() and "harbour" not in b.page.content()
            b.check("not-found")
            for action in ("approve", "cancel", "scenes/0/regenerate", "reroute"):
                status = b.page.evaluate(
                    "async (url) => (await reelroute.csrfFetch(url, {method: 'POST'})).status",
                    f"/renders/{rid}/{action}",
                )
                assert status == 404, action
        b.go("/renders")
        expect(b.page.locator("tbody tr")).to_have_count(0)
        expect(b.page.get_by_role("heading", name="No renders yet")).to_be_visible()
        b.check("renders-empty")


def test_new_video_takes_an_uploaded_script_and_says_what_is_missing(
    browser: Browser, server: LiveServer, tmp_path: Path
) -> None:
    script = tmp_path / "harbour.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    with browse(browser, server, "new-video") as b:
        b.sign_in(server.key("acme", "creator"))
        b.go("/new")
        with b.expecting_http_errors():
            b.page.get_by_role("button", name="Plan").click()
            expect(b.page.get_by_role("alert")).to_contain_text("Give one source")
            b.check("new-video-missing-source")
            b.page.get_by_label("Prompt").fill("tidal energy")
            b.page.get_by_label("Blog URL").fill("https://example.com/post")
            b.page.get_by_role("button", name="Plan").click()
            expect(b.page.get_by_role("alert")).to_contain_text("you gave url and prompt")
        expect(b.page.get_by_label("Prompt")).to_have_value("tidal energy")  # kept
        b.page.wait_for_load_state()  # the page the refused form came back on, scripts included
        b.page.get_by_label("Prompt").fill("")
        b.page.get_by_label("Blog URL").fill("")
        b.page.get_by_label("Or upload a text file").set_input_files(str(script))
        expect(b.page.get_by_label("Script", exact=True)).to_have_value(SCRIPT)
        b.page.get_by_role("button", name="Plan").click()
        b.page.wait_for_url("**/renders/rnd_*")
        expect(b.page.locator(".storyboard > li")).to_have_count(2)
