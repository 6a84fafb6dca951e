"""Pages over the features' own data: groups, meetings, call-backs, cases and their impact figures."""
from __future__ import annotations

import re
from datetime import timedelta

from tests.support.dashboard import signed_in
from tests.support.harness import Harness, member_number, staff_number
from textline.models import requests as callbacks

M1, M2, M3, S1, S2 = (member_number(461), member_number(462), member_number(463), staff_number(46),
                      staff_number(47))
CRISIS = "I want to kill myself tonight"


def _group_of_two(line: Harness) -> None:
    assert line.cli("groups", "add", "Tuesday", "--code", "TUE").exit_code == 0
    for phone in (M1, M2):
        line.member(phone).joins()
        line.member(phone).texts("JOIN TUE")


def test_groups_show_join_codes_and_rosters(line: Harness) -> None:
    _group_of_two(line)
    line.member(M3).joins()
    browser = signed_in(line)
    html = browser.page("/dashboard/groups")
    assert "JOIN TUE" in html and re.search(r'<td class="n">2</td><td class="n">2</td>', html)
    roster = browser.page("/dashboard/members?group=TUE")
    assert roster.count('href="/dashboard/members/') == 2 and "***0463" not in roster


def test_meetings_show_rsvps_and_cancel_like_the_cli(line: Harness) -> None:
    _group_of_two(line)
    soon = (line.line.now() + timedelta(days=3)).astimezone(line.settings.zone).strftime("%Y-%m-%d 19:00")
    assert line.cli("meetings", "add", "TUE", "--at", soon, "--where", "Library room 2").exit_code == 0
    browser = signed_in(line)
    html = browser.page("/dashboard/meetings")
    assert "Library room 2" in html and "0</strong> coming" in html
    form = re.search(r'action="(/dashboard/meetings/\d+/cancel)"', html)
    assert form
    response = browser.post(form.group(1))
    assert "cancelled" in browser.page(response.headers["Location"])
    [meeting] = line.cli_json("meetings", "list")
    assert meeting["status"] == "cancelled"
    assert "cancelled</span>" in browser.page("/dashboard/meetings")


def test_now_lists_waiting_call_backs_highest_priority_first(line: Harness) -> None:
    for phone in (M1, M2):
        line.member(phone).joins()
    callbacks.open_request(line.line, M1)
    callbacks.open_request(line.line, M2, reason="low_checkin")
    html = signed_in(line).page("/dashboard/")
    assert re.search(r'id="waiting-callbacks">2<', html)
    assert html.index("***0462") < html.index("***0461"), "the low check-in is served first"
    assert M1 not in html and M2 not in html


def test_impact_shows_acknowledgement_and_wait_times(line: Harness) -> None:
    line.configure(dashboard={"min_group": 1})
    line.cli("staff", "add", "Ana", S1, "--role", "crisis")
    line.cli("staff", "add", "Pat", S2, "--role", "peer")
    line.member(S1).texts("ON")
    line.member(S2).texts("ON")
    line.member(M1).joins().texts(CRISIS)
    line.work()
    line.member(S1).texts("ACK 1")
    callbacks.open_request(line.line, M2)
    line.member(S2).texts("TAKE 1")
    browser = signed_in(line)
    html = browser.page("/dashboard/impact")
    assert "Alert to acknowledgement" in html and "Waiting for a peer" in html
    assert "median" in html and M1 not in html and "0461" not in html
    member = re.search(r'href="(/dashboard/members/[^"]+)"', browser.page("/dashboard/cases"))
    assert member and 'href="/dashboard/cases/1"' in browser.page(member.group(1))
