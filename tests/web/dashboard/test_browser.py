"""The dashboard in headless Chromium on a 360-pixel screen: sign in, pages, roles, actions, weight."""
from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.browser import screenshot
from tests.support.dashboard import add_user
from tests.support.harness import Harness, member_number, staff_number
from tests.web.dashboard.conftest import Site
from textline.models import staff

pytestmark = pytest.mark.browser

M1, M2, S1, S2 = member_number(301), member_number(302), staff_number(31), staff_number(32)
MAIN = {"now": "/dashboard/", "cases": "/dashboard/cases", "callbacks": "/dashboard/callbacks",
        "groups": "/dashboard/groups", "members": "/dashboard/members", "meetings": "/dashboard/meetings",
        "broadcast": "/dashboard/broadcast", "roster": "/dashboard/roster", "delivery": "/dashboard/delivery",
        "impact": "/dashboard/impact"}


def test_every_page_redirects_to_login_without_a_session(line: Harness, site: Site) -> None:
    for path in [*MAIN.values(), "/dashboard/cases/1", "/dashboard/nowhere"]:
        site.go(path)
        assert site.path.startswith("/dashboard/login"), path
    assert site.page.is_visible("#password")
    screenshot(site.page, "login")


def test_a_coordinator_signs_in_and_sees_now(line: Harness, site: Site) -> None:
    line.cli("staff", "add", "Ana", S1, "--role", "crisis")
    line.member(S1).texts("ON")
    add_user(line, "ana@example.org")
    site.login("nobody@example.org", "wrong password!")
    assert "do not match" in site.page.inner_text("main")
    site.login("ana@example.org")
    assert site.path == "/dashboard/"
    assert "Ana" in site.page.inner_text("main")
    site.click("text=Sign out")
    assert site.path.startswith("/dashboard/login")
    site.go("/dashboard/")
    assert site.path.startswith("/dashboard/login")


def test_every_page_is_light_self_contained_and_fits_a_phone(line: Harness, site: Site) -> None:
    line.cli("staff", "add", "Ana Longname-Example", S1, "--role", "crisis")
    line.cli("staff", "add", "Bo", S2, "--role", "peer")
    line.member(S2).texts("ON")
    for n in range(30):
        line.member(member_number(320 + n)).joins()
    add_user(line, "ana@example.org")
    site.login("ana@example.org")
    weights: dict[str, int] = {}
    for name, path in MAIN.items():
        site.requests.clear()
        sizes: list[int] = []
        site.page.on("response", lambda response, sizes=sizes: sizes.append(len(response.body())))
        response = site.go(path)
        assert response is not None and response.status == 200, name
        site.page.wait_for_load_state("networkidle")
        weights[name] = sum(sizes)
        assert weights[name] < 100_000, (name, weights[name])
        assert all(url.startswith(site.base + "/dashboard/") for url in site.requests), (name, site.requests)
        width = site.page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width[0] <= width[1], (name, width)
        assert not re.search(r"\+1\d{10}", site.page.content()), name
        screenshot(site.page, name)
    print("page weights (bytes):", weights)


def test_the_composer_counts_as_you_type_and_checks_on_the_server(line: Harness, site: Site) -> None:
    add_user(line, "ana@example.org")
    site.login("ana@example.org")
    site.go("/dashboard/broadcast")
    site.page.fill("#text", "Reunión el martes")
    assert site.page.inner_text("#count") == "17 characters, 1 segment"
    assert "ó" in site.page.inner_text("#replaced")
    site.click("#check")
    assert "ó → o" in site.page.inner_text("#replaced")
    assert site.page.input_value("#text") == "Reunión el martes"
    screenshot(site.page, "broadcast-check")


def test_a_peer_is_refused_the_case_pages(line: Harness, site: Site) -> None:
    add_user(line, "pat@example.org", "peer")
    site.login("pat@example.org")
    assert site.path == "/dashboard/callbacks"
    assert "Cases" not in site.page.inner_text("nav")
    for path in ("/dashboard/cases", "/dashboard/cases/1", "/dashboard/members", "/dashboard/impact", "/dashboard/"):
        response = site.go(path)
        assert response is not None
        if path == "/dashboard/":
            assert site.path == "/dashboard/callbacks"
            continue
        assert response.status == 403, path
        assert "Your account cannot open this page" in site.page.inner_text("main")
    screenshot(site.page, "peer-refused")


def test_a_case_raised_by_a_webhook_appears_on_now_and_is_acknowledged(line: Harness, site: Site) -> None:
    line.cli("staff", "add", "Ana", S1, "--role", "crisis")
    line.cli("staff", "add", "Cy", S2, "--role", "crisis")
    line.member(S1).texts("ON")
    line.member(S2).texts("ON")
    add_user(line, "ana@example.org", phone=S1)
    line.member(M1).joins()
    line.member(M1).texts("I want to kill myself tonight")
    line.work()
    assert line.twilio.texts_to(S1), "Ana was alerted"
    site.login("ana@example.org")
    card = site.page.locator("[data-case]").first
    assert "Case 1" in card.inner_text() and "open" in card.inner_text()
    assert M1 not in site.page.content()
    screenshot(site.page, "now-with-case")
    with site.page.expect_navigation():
        card.locator("a").first.click()
    assert "I want to kill myself tonight" in site.page.inner_text("#case-texts")  # the member's words, in full
    site.click("#ack")
    assert site.page.inner_text("#case-status") == "acknowledged"
    [case] = line.cli_json("cases")
    assert case["status"] == "acknowledged" and case["acknowledged_by"] == S1
    assert any("acknowledged" in e["what"] for e in case["events"])
    line.work()
    assert any("Ana" in text for text in line.twilio.texts_to(S2)), "the other alerted staff hear who took it"
    screenshot(site.page, "case")


def test_a_broadcast_composed_in_the_browser_reaches_the_members(line: Harness, site: Site) -> None:
    assert line.cli("groups", "add", "Tuesday", "--code", "TUE").exit_code == 0
    for phone in (M1, M2):
        line.member(phone).joins()
        line.member(phone).texts("JOIN TUE")
    add_user(line, "ana@example.org")
    site.login("ana@example.org")
    site.go("/dashboard/broadcast")
    site.page.select_option("#group", "TUE")
    site.page.fill("#text", "No meeting this Tuesday: see you next week.")
    site.click("#check")
    assert site.page.inner_text("#recipients") == "2"
    site.click("#send")
    assert "Send to 2 members" in site.page.inner_text("#confirm")
    site.click("#confirm-send")
    assert line.work_until(lambda: all(
        "No meeting this Tuesday: see you next week." in line.twilio.texts_to(p) for p in (M1, M2)))
    site.go("/dashboard/broadcast")
    screenshot(site.page, "broadcast-sent")


def _on_call(line: Harness) -> list[Any]:
    return staff.on_call(line.r, staff.Role.CRISIS)
