"""Who gets in: logins, sessions, CSRF, the login limit, roles, and the cookie's flags."""
from __future__ import annotations

import pytest

from tests.support.dashboard import Browser, add_user, location, signed_in
from tests.support.harness import Harness
from textline.models import audit

#: One sample URL per dashboard page, with sample values for the URL's parts.
SAMPLES = {"case_id": "1", "callback_id": "1", "request_id": "1", "meeting_id": "1", "shift_id": "1", "move": "take",
           "state": "on",
           "ref": "abc", "token": "abc", "rest": "nowhere/at/all"}


def dashboard_urls(line: Harness) -> list[tuple[str, str]]:
    """(method, path) of every dashboard rule, so a page added later is covered too."""
    urls = line.app.url_map.bind("line.example.org")
    found = []
    for rule in line.app.url_map.iter_rules():
        if not rule.rule.startswith("/dashboard") or rule.endpoint == "dashboard.login":
            continue
        path = urls.build(rule.endpoint, {name: SAMPLES[name] for name in rule.arguments})
        found += [(method, path) for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return found


def test_every_dashboard_url_redirects_to_login_without_a_session(line: Harness) -> None:
    urls = dashboard_urls(line)
    assert len(urls) >= 20
    browser = Browser(line)
    for method, path in urls + [("GET", "/dashboard/anything/else")]:
        response = browser.client.open(path, method=method, base_url=browser.base_url)
        assert response.status_code in (302, 303), (method, path, response.status_code)
        assert location(response).startswith("/dashboard/login"), (method, path)


def test_a_coordinator_signs_in_sees_now_and_signs_out(line: Harness) -> None:
    add_user(line, "ana@example.org")
    browser = Browser(line)
    response = browser.login("Ana@Example.org ")
    assert response.status_code == 302 and location(response) == "/dashboard/"
    html = browser.page("/dashboard/")
    assert "Open crisis cases" in html and "On call" in html
    assert browser.post("/dashboard/logout").status_code == 302
    assert location(browser.get("/dashboard/")).startswith("/dashboard/login")
    assert [e["what"] for e in audit.recent(line.r)] == ["signed out", "signed in"]


def test_login_goes_back_to_the_page_asked_for_but_never_off_the_dashboard(line: Harness) -> None:
    add_user(line, "ana@example.org")
    browser = Browser(line)
    first = browser.get("/dashboard/roster")
    assert location(first) == "/dashboard/login?next=/dashboard/roster"
    assert location(browser.login("ana@example.org", next="/dashboard/roster")) == "/dashboard/roster"
    other = Browser(line)
    assert location(other.login("ana@example.org", next="https://evil.example/")) == "/dashboard/"
    third = Browser(line)
    assert location(third.login("ana@example.org", next="//evil.example/dashboard/")) == "/dashboard/"


def test_a_wrong_password_is_refused(line: Harness) -> None:
    add_user(line, "ana@example.org")
    browser = Browser(line)
    response = browser.login("ana@example.org", "not the passphrase")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert location(browser.get("/dashboard/")).startswith("/dashboard/login")


def test_forms_without_the_csrf_token_are_refused(line: Harness) -> None:
    add_user(line, "ana@example.org")
    browser = Browser(line)
    browser.get("/dashboard/login")
    assert browser.post("/dashboard/login", {"email": "ana@example.org", "password": "a long passphrase"},
                        csrf=False).status_code == 400
    assert browser.post("/dashboard/login", {"email": "ana@example.org", "password": "a long passphrase",
                                             "csrf_token": "forged" * 8}, csrf=False).status_code == 400
    browser = signed_in(line, email="bob@example.org")
    for path in ("/dashboard/logout", "/dashboard/broadcast"):
        assert browser.post(path, {"step": "check", "text": "hi"}, csrf=False).status_code == 400, path
    assert browser.get("/dashboard/").status_code == 200, "still signed in: nothing happened"


def test_a_tampered_or_foreign_session_cookie_means_login(line: Harness) -> None:
    browser = signed_in(line)
    cookie = browser.client.get_cookie("tl_dashboard", domain="line.example.org", path="/dashboard")
    assert cookie is not None
    value = cookie.value
    for forged in (value[:-2] + ("AA" if not value.endswith("AA") else "BB"), "eyJzaWQiOiJ4In0.Zz.abc", ""):
        intruder = Browser(line)
        intruder.client.set_cookie("tl_dashboard", forged, domain="line.example.org", path="/dashboard")
        assert location(intruder.get("/dashboard/")).startswith("/dashboard/login"), forged
    thief = Browser(line)
    thief.client.set_cookie("tl_dashboard", value, domain="line.example.org", path="/dashboard")
    assert thief.get("/dashboard/").status_code == 200, "the genuine cookie works"
    browser.post("/dashboard/logout")
    assert location(thief.get("/dashboard/")).startswith("/dashboard/login"), "logout ends it everywhere"


def test_login_brute_force_is_slowed_for_that_email_from_that_address(line: Harness) -> None:
    line.configure(dashboard={"login_attempts": 3, "address_attempts": 5})
    add_user(line, "ana@example.org")
    browser = Browser(line)
    codes = [browser.login("ana@example.org", f"guess number {n}").status_code for n in range(4)]
    assert codes == [401, 401, 401, 429]
    limited = browser.login("ana@example.org")
    assert limited.status_code == 429 and "Too many attempts" in limited.get_data(as_text=True)
    add_user(line, "bob@example.org")
    assert Browser(line).login("bob@example.org").status_code == 302, "bob was not the one being guessed"


@pytest.mark.parametrize(("public_url", "secure"), [("https://line.example.org", True), ("http://127.0.0.1", False)])
def test_the_session_cookie_is_secure_under_https(line: Harness, public_url: str, secure: bool) -> None:
    line.monkeypatch.setenv("TEXTLINE_PUBLIC_URL", public_url)
    from textline import create_app
    from textline.core.settings import Settings

    line.app = create_app(Settings.from_env())
    add_user(line, "ana@example.org")
    browser = Browser(line, base_url=public_url)
    response = browser.login("ana@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/dashboard" in cookie
    assert ("Secure" in cookie) is secure


def test_a_peer_sees_call_backs_and_nothing_else(line: Harness) -> None:
    peer = signed_in(line, "peer")
    assert location(peer.get("/dashboard/")) == "/dashboard/callbacks"
    assert peer.get("/dashboard/callbacks").status_code == 200
    html = peer.page("/dashboard/callbacks")
    assert "Impact" not in html and "Cases" not in html, "no link to pages a peer cannot open"
    for path in ("/dashboard/cases", "/dashboard/cases/1", "/dashboard/members", "/dashboard/impact",
                 "/dashboard/groups", "/dashboard/roster", "/dashboard/broadcast", "/dashboard/meetings",
                 "/dashboard/delivery"):
        assert peer.get(path).status_code == 403, path
    for path in ("/dashboard/cases/1/ack", "/dashboard/members/abc/reveal", "/dashboard/broadcast"):
        assert peer.post(path, {"step": "check"}).status_code == 403, path


def test_removing_an_account_ends_its_session(line: Harness) -> None:
    browser = signed_in(line, email="ana@example.org")
    assert line.cli("users", "remove", "ana@example.org").exit_code == 0
    assert location(browser.get("/dashboard/")).startswith("/dashboard/login")


def test_pages_forbid_other_hosts_and_framing(line: Harness) -> None:
    browser = signed_in(line)
    headers = browser.get("/dashboard/").headers
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["Cache-Control"] == "no-store"
