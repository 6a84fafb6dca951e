"""Risk first (#14): a crisis or a concern is the line's answer alone, whatever flow, command or number it comes from.

A crisis text mid-flow is never the flow's answer (nothing stored, the session cleared, the safety plan the
second message); a staff number's text is assessed whatever its first word; repeated crisis texts join one
case and staff hear of it by the ladder only; staff read every word on the case.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.harness import Harness, member_number, staff_number
from textline.core import gsm
from textline.models import cases, checkins, groups, plans, prompts, sessions, staff
from textline.models import reminders_personal as reminders
from textline.models import requests as callbacks
from textline.models.cases import CaseStatus
from textline.models.staff import Role

M1, M2 = member_number(471), member_number(472)
ANA, BEN = staff_number(471), staff_number(472)
T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
RESOURCE_EN = "Call or text 988 (Suicide & Crisis Lifeline). In danger now, call 911."
PLAN_TEXT = "call my sister, walk the dog"


@pytest.fixture
def crew(line: Harness) -> Harness:
    line.set_clock(T0)
    line.cli("staff", "add", "Ana", ANA, "--role", "crisis")
    line.cli("staff", "add", "Ben", BEN, "--role", "crisis")
    line.cli("staff", "on", ANA)
    return line


def with_plan(crew: Harness, phone: str = M1) -> None:
    plans.set_answer(crew.r, phone, "helps", PLAN_TEXT, T0)


def crisis_answer(replies: list[str]) -> None:
    """The resource first, the safety plan second, and nothing from a flow after them."""
    assert replies[0].startswith(RESOURCE_EN), replies
    assert len(replies) == 2 and PLAN_TEXT in replies[1], replies


def test_a_crisis_mid_check_in_is_not_its_answer(crew: Harness) -> None:
    member = crew.member(M1).joins()
    with_plan(crew)
    member.texts("CHECKIN")
    crisis_answer(member.texts("1, I want to end it all tonight"))
    assert checkins.history(crew.r, M1) == []  # no mood, no note stored
    assert sessions.get(crew.r, M1) is None
    assert len(cases.all_cases(crew.r)) == 1
    assert "1 to 5" in member.texts("CHECKIN")[0] or member.texts("1")  # the check-in can start again


def test_a_crisis_after_remind_is_not_the_reminders_wording(crew: Harness) -> None:
    member = crew.member(M1).joins()
    with_plan(crew)
    member.texts("REMIND")
    crisis_answer(member.texts("i want to die"))
    assert reminders.of_member(crew.r, M1) == []
    assert sessions.get(crew.r, M1) is None
    member.texts("8am")  # what would have been the next step is no answer to anything now
    assert reminders.of_member(crew.r, M1) == []


def test_remind_with_crisis_words_is_a_crisis_not_a_reminder(crew: Harness) -> None:
    member = crew.member(M1).joins()
    with_plan(crew)
    crisis_answer(member.texts("REMIND me that i'm going to kill myself tonight"))
    assert reminders.of_member(crew.r, M1) == [] and sessions.get(crew.r, M1) is None


def test_a_crisis_mid_plan_edit_is_not_stored_in_the_plan(crew: Harness) -> None:
    member = crew.member(M1).joins()
    with_plan(crew)
    assert "step 1 of 4" in member.texts("PLAN EDIT")[0].lower()
    crisis_answer(member.texts("I'm going to kill myself tonight"))
    assert "kill" not in json.dumps(plans.export_member(crew.r, M1))
    assert sessions.get(crew.r, M1) is None


def test_a_crisis_mid_schedule_sets_no_schedule(crew: Harness) -> None:
    member = crew.member(M1).joins()
    with_plan(crew)
    member.texts("SCHEDULE")
    crisis_answer(member.texts("1 more night and i'm ending my life"))
    assert prompts.get(crew.r, M1) is None and sessions.get(crew.r, M1) is None


def test_a_crisis_after_join_joins_nothing(crew: Harness) -> None:
    assert crew.cli("groups", "add", "Tuesday Circle", "--code", "tue1").exit_code == 0
    member = crew.member(M2)
    assert "Reply YES to join" in member.texts("JOIN TUE1")[0]
    [answer] = member.texts("i want to kill myself")
    assert answer.startswith(RESOURCE_EN)
    assert groups.groups_of(crew.r, M2) == []
    crew.member(M1).joins()
    with_plan(crew)
    crisis_answer(crew.member(M1).texts("JOIN TUE1 i'm going to end my life tonight"))
    assert groups.groups_of(crew.r, M1) == []


@pytest.mark.parametrize("text", ["Off to end my life tonight", "ON my way to kill myself", "ACK that i'm done, "
                                  "taking all my pills now"])
def test_a_staff_number_in_crisis_is_a_crisis_whatever_the_first_word(crew: Harness, text: str) -> None:
    [answer] = crew.member(ANA).texts(text)
    assert answer.startswith(RESOURCE_EN) and "off call" not in answer and "on call" not in answer.lower()
    [case] = cases.for_member(crew.r, ANA)
    assert case.status == CaseStatus.OPEN
    assert [p.phone for p in staff.on_call(crew.r, Role.CRISIS)] == [ANA]  # the command did not run


def test_staff_commands_about_a_numbered_case_are_not_a_crisis(crew: Harness) -> None:
    crew.member(M1).joins().texts("I want to kill myself tonight")
    crew.member(ANA).texts("ACK 1")
    assert crew.member(ANA).texts("CLOSE 1 she said she wanted to kill herself, safe with family now")[0] \
        .startswith("Case 1 is closed")
    assert cases.for_member(crew.r, ANA) == []


def test_twenty_crisis_texts_in_a_minute_are_one_case_and_the_ladders_alerts_only(crew: Harness) -> None:
    member = crew.member(M1).joins()
    words = [f"i can't do this, i'm going to kill myself ({n})" for n in range(20)]
    for n, text in enumerate(words):
        crew.set_clock(T0 + timedelta(seconds=3 * n))
        assert member.texts(text)[0].startswith(RESOURCE_EN)
        crew.work()
    [case] = cases.all_cases(crew.r)
    ladder = [e for e in cases.events(crew.r, case.id) if e["what"].startswith("alerted level")]
    alerts = crew.twilio.texts_to(ANA) + crew.twilio.texts_to(BEN)
    assert len(ladder) == 1 and len(alerts) == 1, alerts
    assert [t["text"] for t in cases.texts(crew.r, case.id)] == words  # each text on the case's trail


def test_every_word_of_a_case_is_in_cases_json_and_the_alert_says_when_cut(crew: Harness) -> None:
    member = crew.member(M1).joins()
    long = ("so much happened today, work, the landlord, my sister. " * 4) + "i'm going to kill myself tonight"
    member.texts(long)
    crew.work()
    member.texts("i have the pills here")
    crew.work()
    [alert] = crew.twilio.texts_to(ANA)
    assert alert.endswith("(cut: full text on the case page)") and gsm.segments(alert) == 1
    [row] = crew.cli_json("cases", "--json")
    assert [t["text"] for t in row["texts"]] == [long, "i have the pills here"]
    assert all(t["channel"] == "sms" and t["at"] for t in row["texts"])


def test_a_concern_gets_the_resource_and_no_alarm(crew: Harness) -> None:
    member = crew.member(M1).joins()
    member.texts("CHECKIN")
    answer, peer_reads = member.texts("i feel so alone tonight and everything is too much")
    assert answer.startswith(RESOURCE_EN) and "peer" in peer_reads
    crew.work()
    assert cases.all_cases(crew.r) == [] and crew.twilio.texts_to(ANA) == []
    assert checkins.history(crew.r, M1) == [] and sessions.get(crew.r, M1) is None


def test_a_concern_opens_a_text_request_for_a_peer(crew: Harness) -> None:
    member = crew.member(M1).joins()
    member.texts("i feel so alone tonight and everything is too much")
    found = [r for r in callbacks.all_requests(crew.r) if r.phone == M1]
    assert found and found[0].kind == "text" and found[0].priority == "high"


def test_the_signal_opens_its_case_in_the_webhook_at_once(crew: Harness) -> None:
    member = crew.member(M1).joins()
    member.texts("SIGNAL bluebird")
    member.texts("YES")
    assert member.texts("bluebird") == ["Thanks, noted."]
    [case] = cases.all_cases(crew.r)  # before any worker ran
    assert case.category == cases.SIGNAL and case.status == CaseStatus.OPEN
    crew.work()
    assert len(crew.twilio.texts_to(ANA)) == 1


def test_a_concern_with_nobody_on_call_gives_the_resource_once(line: Harness) -> None:
    member = line.member(M1).joins()
    answer, after = member.texts("i feel so alone tonight and everything is too much")
    assert answer.startswith(RESOURCE_EN) and after.startswith("No peer is on call now")
    assert RESOURCE_EN not in after
