"""Crisis beside the other features: the discreet signal, the safety plan, flows in progress, call-backs."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.harness import Harness, member_number, staff_number
from textline.models import cases, checkins, plans, sessions
from textline.models import requests as callbacks
from textline.models.cases import CaseStatus
from workers.escalate import open_case_by_signal

M1 = member_number(461)
ANA = staff_number(41)
T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
RESOURCE_EN = "Call or text 988 (Suicide & Crisis Lifeline). In danger now, call 911."


@pytest.fixture
def crew(line: Harness) -> Harness:
    line.set_clock(T0)
    line.cli("staff", "add", "Ana", ANA, "--role", "crisis")
    line.cli("staff", "on", ANA)
    return line


def test_the_discreet_signal_opens_a_case_quietly_and_alerts_staff(crew: Harness) -> None:
    member = crew.member(M1).joins()
    member.texts("SIGNAL bluebird")
    member.texts("YES")
    assert member.texts("Bluebird") == ["Thanks, noted."]
    crew.work()
    [alert] = crew.twilio.texts_to(ANA)
    assert alert == ("CRISIS case 1, number ending 0461 sent their private signal word: may not be safe to talk. "
                     "Reply ACK 1 to take it.")
    [case] = cases.all_cases(crew.r)
    assert (case.phone, case.category, case.status) == (M1, "signal", CaseStatus.OPEN)
    assert [e["what"] for e in cases.events(crew.r, 1)][:2] == ["discreet signal received", "alerted level 1: Ana "
                                                                "(***0041)"]
    assert member.received == []  # nothing the member's phone would show beyond the ordinary reply
    event_id = crew.r.get("tl:signal:event:seq")
    assert open_case_by_signal(event_id) == "joined"  # the job run again opens nothing new
    assert len(cases.all_cases(crew.r)) == 1


def test_the_safety_plan_follows_the_crisis_resource(crew: Harness) -> None:
    member = crew.member(M1).joins()
    plans.set_answer(crew.r, M1, "helps", "call my sister, walk the dog", T0)
    replies = member.texts("I want to kill myself")
    assert replies[0].startswith(RESOURCE_EN) and "walk the dog" in replies[1]
    again = member.texts("I want to kill myself")
    assert len(again) == 1  # the plan goes with a new case, not with every message


def test_a_medication_reminder_is_not_a_crisis(crew: Harness) -> None:
    member = crew.member(M1).joins()
    asked = member.texts("REMIND Pills")
    assert not asked[0].startswith(RESOURCE_EN)
    assert cases.all_cases(crew.r) == []


def test_a_crisis_mid_check_in_is_escalated_and_not_taken_as_its_answer(crew: Harness) -> None:
    member = crew.member(M1).joins()
    member.texts("CHECKIN")
    replies = member.texts("1, I want to die")
    assert replies[0].startswith(RESOURCE_EN) and len(replies) == 1  # no thanks for a check-in
    assert checkins.history(crew.r, M1) == []
    assert sessions.get(crew.r, M1) is None
    assert len(cases.all_cases(crew.r)) == 1


def test_the_word_pills_alone_outside_any_flow_is_still_escalated(crew: Harness) -> None:
    crew.member(M1).joins()
    assert crew.member(M1).texts("pills")[0].startswith(RESOURCE_EN)
    assert len(cases.all_cases(crew.r)) == 1


def test_a_call_back_from_a_member_with_a_recent_case_comes_first(crew: Harness) -> None:
    other = member_number(462)
    crew.member(other).joins().texts("CALL")
    member = crew.member(M1).joins()
    member.texts("I want to kill myself")
    crew.member(ANA).texts("CLOSE 1 talked it through")
    member.texts("CALL")
    mine = callbacks.open_request_id(crew.line, M1)
    assert callbacks.get(crew.r, mine).reason == "crisis" and callbacks.waiting_ids(crew.r)[0] == mine
    crew.set_clock(T0 + timedelta(days=8))
    assert cases.recent_case_hint(crew.line, M1) is None
