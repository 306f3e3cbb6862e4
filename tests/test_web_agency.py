"""Journey 2 in Chromium: an agency admin writes a policy with an error, sees it with its field
and line as they type, fixes it, saves it, and sees the plan of a script change when the policy
changes. Then every agency page (catalog, spend, keys and webhooks) through axe at both widths."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, expect

from tests.api_harness import SCRIPT
from tests.web_harness import LiveServer, browse

TYPO = "id: house\nname: House rules\norder: [fakeb, fakea]\nsourcing:\n  oficial_api: true\n"
FIXED = TYPO.replace("oficial_api", "official_api")
STRICTER = FIXED + "allegations:\n  exclude_topics: [unauthorized-distillation]\n"


def test_journey_2_policy_error_fix_and_plan_change(browser: Browser, server: LiveServer) -> None:
    admin = server.key("acme", "agency_admin")
    with browse(browser, server, "agency") as b:
        b.sign_in(admin)
        b.page.get_by_role("navigation", name="Main").get_by_role("link", name="Policies").click()
        expect(b.page.get_by_role("heading", name="No policies yet")).to_be_visible()
        b.check("policies-empty")
        b.page.get_by_role("link", name="New policy").click()
        b.page.wait_for_load_state()
        editor = b.page.get_by_label("Policy (YAML)")
        editor.fill(TYPO)
        issues = b.page.locator("#policy-check")
        expect(issues).to_contain_text("Line 5")
        expect(issues).to_contain_text("sourcing.oficial_api")
        expect(issues).to_contain_text("unknown field")
        expect(editor).to_have_attribute("aria-invalid", "true")
        assert issues.get_attribute("aria-live") == "polite"
        b.check("policy-editor-error")

        editor.fill(FIXED)
        expect(issues).to_contain_text("Valid")
        expect(issues).not_to_contain_text("Line 5")
        b.page.get_by_role("button", name="Save policy").click()
        b.page.wait_for_url("**/policies/house?saved=1")
        expect(b.page.get_by_role("heading", name="House rules")).to_be_visible()
        expect(b.page.get_by_text("Saved as version 1.")).to_be_visible()
        b.check("policy-detail")

        b.page.get_by_role("link", name="Edit", exact=True).click()
        expect(editor).to_have_value(FIXED)
        b.page.get_by_label("Script to try (optional)").fill(SCRIPT)
        b.page.get_by_role("button", name="Preview").click()
        plan = b.page.locator("#plan")
        expect(plan.locator("code.chosen")).to_have_text(["fakeb/m1", "fakeb/m1"])
        expect(b.page.locator("#plan-changes")).to_contain_text("Same choices")
        expect(b.page.locator("#what-it-does")).to_contain_text("sourcing.official_api")
        b.check("policy-preview")

        editor.fill(STRICTER)
        expect(issues).to_contain_text("Valid")
        b.page.get_by_role("button", name="Preview").click()
        expect(plan.locator("code.chosen")).to_have_text(["fakea/m1", "fakea/m1"])
        changes = b.page.locator("#plan-changes")
        expect(changes).to_contain_text("Scene 1: fakeb/m1 → fakea/m1")
        expect(changes).to_contain_text("Scene 2: fakeb/m1 → fakea/m1")
        expect(b.page.locator("#what-it-does")).to_contain_text(
            "allegation.unauthorized-distillation:alleged"
        )
        b.check("policy-plan-change")
        b.page.get_by_role("button", name="Save policy").click()
        b.page.wait_for_url("**/policies/house?saved=1")  # unused, so v1 is replaced in place
        b.go("/policies")
        b.page.get_by_label("Policy to enforce").select_option("house")
        b.page.get_by_role("button", name="Set enforced policy").click()
        expect(b.page.get_by_text("Enforced", exact=True)).to_be_visible()
        b.check("policies")
    renders = httpx.get(f"{server.url}/v1/renders", headers={"Authorization": f"Bearer {admin}"})
    assert renders.json()["total"] == 0  # previews make no render and spend nothing


def test_agency_pages_catalog_spend_keys_and_webhooks(browser: Browser, server: LiveServer) -> None:
    admin = server.key("acme", "agency_admin")
    with browse(browser, server, "agency") as b:
        b.sign_in(admin)
        b.go("/catalog")
        fakeb = b.page.locator("#provider-fakeb")
        expect(fakeb.get_by_text("Alleged", exact=True)).to_be_visible()
        expect(fakeb).to_contain_text("unauthorized-distillation")
        expect(fakeb).to_contain_text("as of")
        b.check("catalog")
        b.go("/spend")
        expect(b.page.get_by_role("heading", name="Budgets and spend")).to_be_visible()
        b.check("spend")
        b.go("/access")
        b.page.get_by_label("Role of the new key").select_option("auditor")
        b.page.get_by_role("button", name="Create key").click()
        secret = b.page.get_by_label("The new API key")
        expect(secret).to_contain_text("rrk_")
        b.page.get_by_label("Webhook URL").fill("https://hooks.example.test/reelroute")
        b.page.get_by_role("button", name="Add webhook").click()
        expect(b.page.get_by_label("The webhook's signing secret")).to_be_visible()
        expect(
            b.page.get_by_role("row", name="https://hooks.example.test/reelroute")
        ).to_be_visible()
        b.check("access")
        b.page.get_by_role(
            "button", name="Delete webhook https://hooks.example.test/reelroute"
        ).click()
        expect(b.page.get_by_text("No webhooks yet.")).to_be_visible()
