"""Journey 3 in Chromium: an auditor opens a render's disclosure page, runs an audit search and
exports it as CSV, and verifies an uploaded video once untouched and once tampered (the
tampered one fails). Every auditor page goes through axe and screenshots at both widths."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, expect

from tests.api_harness import FAKES_POLICY
from tests.test_api_renders import create_body
from tests.web_harness import LiveServer, browse


def finished_render(server: LiveServer) -> tuple[str, bytes]:
    """A render made through the API (policy `fakes`), and its 16:9 video."""
    admin = {"Authorization": f"Bearer {server.key('acme', 'agency_admin')}"}
    creator = {"Authorization": f"Bearer {server.key('acme', 'creator')}"}
    with httpx.Client(base_url=server.url, timeout=60) as api:
        saved = api.post(
            "/v1/policies", content=FAKES_POLICY,
            headers={**admin, "Content-Type": "application/yaml"},
        )  # fmt: skip
        assert saved.status_code == 201, saved.text
        budget = "id: agency\nbudget:\n  per_tenant_usd: 25\n  per_video_usd: 2\n"
        agency = api.post(
            "/v1/policies", content=budget, headers={**admin, "Content-Type": "application/yaml"}
        )
        assert agency.status_code == 201, agency.text
        enforced = api.put("/v1/policies/enforced", json={"policy_id": "agency"}, headers=admin)
        assert enforced.status_code == 200
        made = api.post("/v1/renders", json=create_body(approve=True), headers=creator)
        assert made.status_code == 201, made.text
        rid = str(made.json()["id"])
        render: dict[str, Any] = {}
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            render = api.get(f"/v1/renders/{rid}", headers=creator).json()
            if render["state"] in ("succeeded", "failed"):
                break
            time.sleep(0.3)
        assert render.get("state") == "succeeded", render.get("error")
        video = api.get(f"/v1/renders/{rid}/outputs/16x9", headers=creator)
        assert video.status_code == 200
        return rid, video.content


def test_journey_3_disclosure_audit_csv_and_verify(
    browser: Browser, server: LiveServer, tmp_path: Path
) -> None:
    rid, video = finished_render(server)
    untouched = tmp_path / "untouched.mp4"
    untouched.write_bytes(video)
    damaged = bytearray(video)
    damaged[len(damaged) // 2] ^= 0xFF
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(damaged))
    auditor = server.key("acme", "auditor")
    with browse(browser, server, "auditor") as b:
        b.sign_in(auditor)
        b.go(f"/audit/renders/{rid}")
        status = b.page.get_by_role("status").first
        expect(status).to_contain_text("Verified")
        scenes = b.page.get_by_role("region", name="Each scene: who made it")
        expect(scenes.get_by_role("row")).to_have_count(3)  # header + two scenes
        expect(scenes).to_contain_text("fakea/m1")
        expect(scenes).to_contain_text("not in the policy's `only` list")
        with b.page.expect_download() as got:
            b.page.get_by_role("link", name="Download manifest").click()
        assert got.value.suggested_filename == f"{rid}-manifest.json"
        b.check("disclosure")

        b.page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
        b.check("audit-empty")
        b.page.get_by_label("Provider").select_option("fakea")
        b.page.get_by_label("From").fill("2020-01-01")
        b.page.get_by_role("button", name="Search").click()
        expect(b.page.get_by_role("heading", name="2 scenes found")).to_be_visible()
        b.check("audit-results")
        with b.page.expect_download() as got:
            b.page.get_by_role("link", name="Export CSV").click()
        rows = list(csv.DictReader(io.StringIO(Path(got.value.path()).read_text())))
        assert [(r["render_id"], r["provider"]) for r in rows] == [(rid, "fakea")] * 2
        b.page.get_by_label("Provider").select_option("")
        b.page.get_by_label("Allegation topic").select_option("unauthorized-distillation")
        b.page.get_by_role("button", name="Search").click()
        expect(b.page.get_by_role("heading", name="0 scenes found")).to_be_visible()

        b.go("/spend")
        expect(b.page.get_by_role("region", name="Spend per provider")).to_contain_text("fakea")
        expect(b.page.get_by_label("Share of the agency budget spent")).to_be_visible()
        b.check("spend-with-renders")

        b.page.get_by_role("navigation", name="Main").get_by_role("link", name="Verify").click()
        b.check("verify")
        b.page.get_by_label("Video file (MP4)").set_input_files(untouched)
        b.page.get_by_role("button", name="Verify").click()
        result = b.page.locator("#verify-result")
        expect(result.get_by_role("status")).to_contain_text("Verified")
        disclosed = result.get_by_role("region", name="Which provider and model made each scene")
        expect(disclosed.get_by_role("row")).to_have_count(3)
        expect(disclosed).to_contain_text("fakea/m1")
        b.check("verify-untouched")
        b.page.get_by_label("Video file (MP4)").set_input_files(tampered)
        b.page.get_by_role("button", name="Verify").click()
        expect(result.get_by_role("status")).to_contain_text("Failed")
        expect(result).to_contain_text("tampered.mp4")
        b.check("verify-tampered")

    admin = server.key("acme", "agency_admin")
    with browse(browser, server, "agency") as b:  # the policy's versions name the render
        b.sign_in(admin)
        b.go("/policies/fakes")
        versions = b.page.get_by_role("region", name="Versions of fakes")
        expect(versions.get_by_role("link", name=rid)).to_be_visible()
        b.check("policy-versions")


def test_auditor_pages_and_roles(browser: Browser, server: LiveServer) -> None:
    auditor = server.key("acme", "auditor")
    with browse(browser, server, "auditor") as b:
        b.sign_in(auditor)
        nav = b.page.get_by_role("navigation", name="Main")
        for label in ("Audit", "Verify", "Catalog", "Spend"):
            expect(nav.get_by_role("link", name=label)).to_be_visible()
        expect(nav.get_by_role("link", name="Policies")).to_have_count(0)
        b.check("home")
        with b.expecting_http_errors():
            response = b.page.goto(server.url + "/policies")
            assert response is not None and response.status == 403
            missing = b.page.goto(server.url + "/audit/renders/rnd_nope")
            assert missing is not None and missing.status == 404
        b.go("/catalog")
        b.check("catalog")
        b.go("/spend")
        b.check("spend")
