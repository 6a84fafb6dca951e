"""The dashboard under attack: CSRF, tampered sessions, login brute force, another role's pages.

Written against SPEC.md's contract (`/dashboard/`, `/dashboard/login` with `email`, `password`,
`csrf_token`).
"""
from __future__ import annotations

import re

from tests.support.harness import Harness


def csrf(page: bytes) -> str:
    found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, "no csrf_token field"
    return found.group(1).decode()


def add_user(line: Harness, email: str, role: str, password: str) -> None:
    result = line.cli("users", "add", email, "--role", role, "--password-stdin", input=password + "\n")
    assert result.exit_code == 0, result.output


def login(line: Harness, email: str, password: str, token: str | None = None) -> int:
    page = line.client.get("/dashboard/login")
    data = {"email": email, "password": password, "csrf_token": token if token is not None else csrf(page.data)}
    return line.client.post("/dashboard/login", data=data).status_code


def test_every_page_redirects_to_login_without_a_session(line: Harness) -> None:
    response = line.client.get("/dashboard/")
    assert response.status_code in (302, 303) and "/dashboard/login" in response.headers["Location"]


def test_a_login_without_or_with_a_wrong_csrf_token_is_refused(line: Harness) -> None:
    add_user(line, "coord@example.org", "coordinator", "correct horse battery")
    assert login(line, "coord@example.org", "correct horse battery", token="") in (400, 403)
    assert login(line, "coord@example.org", "correct horse battery", token="forged") in (400, 403)
    assert line.client.get("/dashboard/").status_code in (302, 303)


def test_a_tampered_session_cookie_is_no_session(line: Harness) -> None:
    add_user(line, "coord@example.org", "coordinator", "correct horse battery")
    login(line, "coord@example.org", "correct horse battery")
    name = line.app.config["SESSION_COOKIE_NAME"]
    path = line.app.config.get("SESSION_COOKIE_PATH") or "/"
    cookie = line.client.get_cookie(name, path=path)
    assert cookie is not None
    assert line.client.get("/dashboard/").status_code == 200
    tampered = cookie.value[:-4] + ("AAAA" if not cookie.value.endswith("AAAA") else "BBBB")
    line.client.set_cookie(name, tampered, path=path)
    assert line.client.get("/dashboard/").status_code in (302, 303)


def test_login_brute_force_is_slowed(line: Harness) -> None:
    add_user(line, "coord@example.org", "coordinator", "correct horse battery")
    for _ in range(20):
        login(line, "coord@example.org", "wrong password")
    login(line, "coord@example.org", "correct horse battery")
    assert line.client.get("/dashboard/").status_code != 200


def test_a_peer_never_gets_a_coordinators_page(line: Harness) -> None:
    add_user(line, "peer@example.org", "peer", "another long passphrase")
    login(line, "peer@example.org", "another long passphrase")
    coordinator_pages = [rule.rule for rule in line.app.url_map.iter_rules()
                         if rule.rule.startswith("/dashboard/") and "coordinator" in (rule.endpoint or "")]
    for page in coordinator_pages:
        assert line.client.get(page).status_code in (302, 303, 403, 404), page
