"""A caller ID can be forged: on a call it never acts as staff, never changes a member's settings, never hears
a whole number. Each test is an attack that worked when caller ID was taken as identity."""
from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from tests.support.harness import Harness, member_number, staff_number
from tests.support.voice import Caller
from textline.models import broadcasts, cases, members, plans, signals, staff, voice_notices
from textline.models.cases import CaseStatus
from textline.models.staff import Role

M1, M2 = member_number(1701), member_number(1702)
ANA, BEN, CY = staff_number(1701), staff_number(1702), staff_number(1703)
NOON = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
BY_TEXT = "Staff commands are taken by text message only, never on a call."
PRIVATE = "For your privacy, that can only be done by text message from your own phone."


@pytest.fixture
def crisis(line: Harness) -> cases.Case:
    """Ana and Ben (crisis staff) on call; M1 texted a crisis, so case 1 is open."""
    line.set_clock(NOON)
    for name, phone in (("Ana", ANA), ("Ben", BEN)):
        staff.add(line.r, name, phone, Role.CRISIS)
        line.member(phone).texts("ON")
    line.member(M1).joins().texts("I want to kill myself")
    [case] = cases.all_cases(line.r)
    return case


def forged_call(line: Harness, phone: str) -> Caller:
    """A call showing `phone` as caller ID, past the language choice a non-member hears first."""
    call = Caller(line, phone).dial()
    if "press 1" in call.heard and "English" in call.heard:
        call.press("1")
    return call


@pytest.mark.parametrize("said", ["ACK {case}", "Close {case}", "close {case} she is safe now", "Off", "ack"])
def test_staff_commands_said_from_a_staff_caller_id_change_nothing(line: Harness, crisis: cases.Case,
                                                                    said: str) -> None:
    call = forged_call(line, ANA)
    call.speak(said.format(case=crisis.id))
    assert BY_TEXT in call.heard
    after = cases.get(line.r, crisis.id)
    assert after.status == CaseStatus.OPEN and not after.acknowledged_by
    assert staff.get(line.r, ANA).on_call
    line.work()
    assert not any("closed by" in t or "acknowledged by" in t for t in line.twilio.texts_to(BEN))


def test_a_coordinators_pending_broadcast_is_not_confirmed_by_a_key_on_a_call(line: Harness) -> None:
    line.set_clock(NOON)
    line.cli("staff", "add", "Cy", CY, "--role", "coordinator")
    line.cli("groups", "add", "Tuesday Circle", "--code", "TUE1")
    line.member(M1).joins().texts("JOIN TUE1")
    assert "Reply YES" in line.member(CY).texts("SEND TUE1 Meeting moved")[0]
    call = Caller(line, CY).dial()
    for key in ("1", "1", "1"):  # a language, then "1 to join", which the line used to pass on as YES
        call.press(key)
    call.speak("yes")
    line.work()
    assert broadcasts.recent(line.r) == [] and line.member(M1).received == []
    assert line.member(CY).texts("YES")[0].startswith("Sending to 1 member"), "the real coordinator, by text, still can"


@pytest.mark.parametrize(("said", "unchanged"), [
    ("discreet off", lambda line: members.get(line.r, M1).discreet),
    ("signal off", lambda line: signals.is_set(line.r, M1)),
    ("voice on", lambda line: voice_notices.member_view(line.r, M1) == "text"),
    ("zone pacific", lambda line: members.get(line.r, M1).timezone == "America/New_York"),
    ("plan edit", lambda line: plans.get(line.r, M1).signs == "Pacing"),
])
def test_a_members_private_settings_are_not_changed_from_their_caller_id(line: Harness, said: str,
                                                                          unchanged: object) -> None:
    line.set_clock(NOON)
    member = line.member(M1).joins()
    for text in ("DISCREET ON", "SIGNAL bluebird", "YES", "PLAN EDIT", "Pacing", "skip", "skip", "skip"):
        member.texts(text)
    call = Caller(line, M1).dial()
    call.speak(said)
    assert PRIVATE in call.heard
    call.speak("pacific")  # nothing of a settings flow was left open to answer either
    assert unchanged(line), said  # type: ignore[operator]


def test_the_plan_is_read_on_a_call_without_the_contacts_numbers(line: Harness) -> None:
    member = line.member(M1).joins()
    for text in ("PLAN EDIT", "Pacing", "Music", "Ana 202-555-0188", "skip", "My dog"):
        member.texts(text)
    assert "+12025550188" in member.texts("PLAN")[0], "by text, from the member's own phone, the number is there"
    call = Caller(line, M1).dial().press("5")
    assert "Pacing" in call.heard and "Ana" in call.heard
    assert "2025550188" not in call.heard.replace("+1", "").replace(" ", "") and "0188" not in call.heard


def test_a_crisis_said_on_a_call_still_reads_the_plan_without_numbers(line: Harness) -> None:
    member = line.member(M1).joins()
    for text in ("PLAN EDIT", "Pacing", "skip", "Ana 202-555-0188", "skip", "skip"):
        member.texts(text)
    call = Caller(line, M1).dial()
    call.speak("I want to kill myself")  # nobody on call: the resource, the plan, then the menu
    assert "Ana" in call.heard and "0188" not in call.heard
    assert cases.for_member(line.r, M1), "the crisis is escalated as ever"


@pytest.mark.parametrize("verstat", ["TN-Validation-Failed-A", "TN-Validation-Failed-C", "TN-Validation-Failed"])
def test_a_failed_attestation_is_a_caller_without_a_number(line: Harness, verstat: str,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    member = line.member(M1).joins()
    for text in ("PLAN EDIT", "Pacing", "skip", "Ana 202-555-0188", "skip", "skip"):
        member.texts(text)
    staff.add(line.r, "Ana", ANA, Role.CRISIS)
    staff.set_on_call(line.r, ANA, True)
    call = Caller(line, M1).post("/twilio/voice", StirVerstat=verstat)
    assert "can't confirm the number you're calling from" in call.heard
    call.press("5")  # later requests of the call carry no StirVerstat: the verdict holds for the whole call
    assert "Pacing" not in call.heard and "Ana" not in call.heard
    call.press("0")
    assert call.dialled == [ANA], "0 still rings crisis staff"
    assert any(verstat in r.getMessage() and "hidden" in r.getMessage() for r in caplog.records)


def test_a_passed_attestation_is_logged_and_changes_nothing(line: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    line.member(M1).joins()
    call = Caller(line, M1).post("/twilio/voice", StirVerstat="TN-Validation-Passed-A")
    assert "Press 1 for a check-in." in call.heard
    assert any("StirVerstat TN-Validation-Passed-A" in r.getMessage() for r in caplog.records)
