"""Dashboard actions run the very code SMS commands run, as the account's linked staff number."""
from __future__ import annotations

import pytest

from tests.support.dashboard import add_user, signed_in
from tests.support.harness import Harness, member_number, staff_number
from textline.models import requests as callbacks
from textline.models import staff, users
from textline.web.dashboard.actions import ActionError, staff_command

S1, M1, M2 = staff_number(41), member_number(441), member_number(442)


def _account(line: Harness, phone: str = "") -> users.User:
    add_user(line, "ana@example.org", phone=phone)
    user = users.get(line.r, "ana@example.org")
    assert user is not None
    return user


def test_a_staff_command_runs_as_if_texted_by_the_linked_number(line: Harness) -> None:
    line.cli("staff", "add", "Ana", S1, "--role", "coordinator")
    user = _account(line, S1)
    staff.set_on_call(line.r, S1, False)
    texted = line.member(S1).texts("ON")[0]
    staff.set_on_call(line.r, S1, False)
    assert staff_command(line.line, user, "ON") == texted
    assert staff.require(line.r, S1).on_call


def test_without_a_linked_number_or_a_known_command_nothing_happens(line: Harness) -> None:
    with pytest.raises(ActionError, match="Link your account"):
        staff_command(line.line, _account(line), "ON")
    line.cli("staff", "add", "Ana", S1, "--role", "coordinator")
    linked = _account(line, S1)
    with pytest.raises(ActionError, match="NOSUCHWORD is not a staff command"):
        staff_command(line.line, linked, "NOSUCHWORD 3")


def test_the_roles_sms_checks_are_checked_here_too(line: Harness) -> None:
    line.member(M1).joins()
    callbacks.open_request(line.line, M1)
    line.cli("staff", "add", "Ana", S1, "--role", "coordinator")
    with pytest.raises(ActionError, match="not open to your role"):
        staff_command(line.line, _account(line, S1), "TAKE 1")
    assert callbacks.get(line.r, 1).status == callbacks.Status.WAITING


def test_acknowledging_from_an_unlinked_account_says_how_to_link(line: Harness) -> None:
    browser = signed_in(line)
    response = browser.post("/dashboard/cases/7/ack")
    assert response.status_code == 302
    assert "Link your account to your staff number" in browser.get(response.headers["Location"]).get_data(as_text=True)


def test_a_peer_sees_the_queue_and_only_the_call_backs_they_took(line: Harness) -> None:
    other = staff_number(42)
    line.cli("staff", "add", "Pat", S1, "--role", "peer")
    line.cli("staff", "add", "Quinn", other, "--role", "peer")
    for phone in (M1, M2, member_number(443)):
        line.member(phone).joins()
        callbacks.open_request(line.line, phone)
    line.member(S1).texts("TAKE 1")
    line.member(other).texts("TAKE 2")
    peer = signed_in(line, "peer", "pat@example.org", phone=S1)
    html = peer.page("/dashboard/callbacks")
    assert "Yours (1)" in html and "The queue (1)" in html and "Quinn" not in html
    assert "***" not in html, "peers never see digits of a member's number"
    response = peer.post("/dashboard/callbacks/1/done", {"note": "talked for a while"})
    assert response.status_code == 302
    assert [c["status"] for c in line.cli_json("callbacks") if c["id"] == 1] == ["done"]
