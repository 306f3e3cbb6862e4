"""The web app's foundation in Chromium: sign in with an API key, the session cookie, CSRF,
per-role navigation, sign out, and the strict CSP; axe and screenshots of each page."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from app.store.keys import revoke_key
from tests.web_harness import LiveServer, browse


def test_sign_in_session_cookie_and_sign_out(browser: Browser, server: LiveServer) -> None:
    key = server.key("acme", "creator")
    with browse(browser, server, "session") as b:
        b.go("/renders")
        assert "/sign-in?next=%2Frenders" in b.page.url  # pages need a session
        b.check("sign-in")
        with b.expecting_http_errors():
            b.page.get_by_label("API key").fill("rrk_not-a-real-key")
            b.page.get_by_role("button", name="Sign in").click()
            expect(b.page.get_by_role("alert")).to_contain_text("unknown or revoked")
        b.check("sign-in-error")
        b.page.get_by_label("API key").fill(key)
        b.page.get_by_role("button", name="Sign in").click()
        b.page.wait_for_url(server.url + "/renders")
        cookies = {c["name"]: c for c in b.page.context.cookies()}
        session = cookies["rr_session"]
        assert session["httpOnly"] and session["sameSite"] == "Strict"
        assert key not in session["value"]  # sealed, not the key in clear
        assert "rr_pre" not in cookies
        assert b.page.evaluate("document.cookie") == ""  # nothing readable by scripts
        assert b.page.evaluate("Object.keys(localStorage).length") == 0
        b.go("/")
        nav = b.page.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name="New video")).to_be_visible()
        b.check("home-creator")
        b.page.get_by_role("button", name="Sign out").click()
        b.page.wait_for_url(server.url + "/sign-in")
        assert "rr_session" not in {c["name"] for c in b.page.context.cookies()}
        b.go("/")
        assert "/sign-in" in b.page.url


def test_forms_without_the_sessions_csrf_token_are_refused(
    browser: Browser, server: LiveServer
) -> None:
    key = server.key("acme", "creator")
    with browse(browser, server, "csrf") as b:
        b.sign_in(key)
        b.go("/")
        with b.expecting_http_errors():
            status = b.page.evaluate(
                "async () => (await fetch('/sign-out', {method: 'POST', headers: "
                "{'Content-Type': 'application/x-www-form-urlencoded'}, "
                "body: 'csrf_token=forged'})).status"
            )
        assert status == 403
        b.go("/")
        assert "/sign-in" not in b.page.url  # still signed in
        with b.expecting_http_errors():
            ok = b.page.evaluate(
                "async () => (await reelroute.csrfFetch('/sign-out', {method: 'POST'})).status"
            )
        assert ok == 200  # the helper's token is accepted (the redirect ends on sign-in)


def test_each_role_sees_its_own_navigation(browser: Browser, server: LiveServer) -> None:
    auditor = server.key("acme", "auditor")
    with browse(browser, server, "roles") as b:
        b.sign_in(auditor)
        b.go("/")
        expect(b.page.get_by_role("link", name="New video")).to_have_count(0)
        with b.expecting_http_errors():
            response = b.page.goto(server.url + "/renders")
            assert response is not None and response.status == 403
            expect(b.page.get_by_role("heading", name="Not allowed")).to_be_visible()
            b.check("wrong-role")
        b.go("/")
        b.check("home-auditor")


def test_pages_carry_a_strict_content_security_policy(browser: Browser, server: LiveServer) -> None:
    with browse(browser, server, "csp") as b:
        response = b.page.goto(server.url + "/sign-in")
        assert response is not None
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-frame-options"] == "DENY"
        api = b.page.request.get(server.url + "/v1/renders")
        assert api.status == 401 and "content-security-policy" not in api.headers


def test_a_revoked_key_ends_its_sessions(browser: Browser, server: LiveServer) -> None:
    key = server.key("acme", "creator")
    with browse(browser, server, "revoked") as b:
        b.sign_in(key)
        b.go("/renders")
        assert "/sign-in" not in b.page.url
        assert server.call(lambda: revoke_key(server.service.db, key))
        b.go("/renders")
        assert "/sign-in?next=%2Frenders" in b.page.url


def test_keyboard_users_get_a_skip_link_and_a_visible_focus(
    browser: Browser, server: LiveServer
) -> None:
    with browse(browser, server, "keyboard") as b:
        b.go("/sign-in")
        b.page.keyboard.press("Tab")
        skip = b.page.get_by_role("link", name="Skip to content")
        expect(skip).to_be_focused()
        assert skip.bounding_box() is not None and skip.bounding_box()["y"] >= 0  # type: ignore[index]
        b.page.keyboard.press("Tab")
        b.page.keyboard.press("Tab")
        field = b.page.get_by_label("API key")
        expect(field).to_be_focused()
        outline = field.evaluate("(el) => getComputedStyle(el).outlineStyle + ' ' + "
                                 "getComputedStyle(el).outlineWidth")  # fmt: skip
        assert outline.startswith("solid") and not outline.endswith(" 0px"), outline
