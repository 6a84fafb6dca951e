"""A staff member's STOP is loud: coordinators told, the roster marks them, the ladder skips them (and says
why); START undoes it."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.harness import Harness, member_number, staff_number
from textline.models import cases, members

SOL, RAY, CORA = staff_number(2001), staff_number(2002), staff_number(2003)
M1 = member_number(2001)
T0 = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)


@pytest.fixture
def crew(line: Harness) -> Harness:
    line.set_clock(T0)
    line.cli("staff", "add", "Sol", SOL, "--role", "crisis")
    line.cli("staff", "add", "Ray", RAY, "--role", "crisis")
    line.cli("staff", "add", "Cora", CORA, "--role", "coordinator")
    line.member(SOL).texts("ON")
    line.member(RAY).texts("ON")
    return line


def roster(line: Harness) -> dict[str, dict]:
    return {row["phone"]: row for row in line.cli_json("staff", "list")}


def test_stop_tells_the_coordinators_and_marks_the_roster(crew: Harness) -> None:
    assert crew.member(SOL).texts("STOP") == ["You're opted out of Test Line: no alerts or requests will reach you. "
                                              "Coordinators are told. Reply START to come back."]
    crew.work()
    assert crew.twilio.texts_to(CORA) == ["Sol (crisis staff) texted STOP: no texts reach them and crisis alerts skip "
                                          "them until they text START."]
    row = roster(crew)[SOL]
    assert row["opted_out"] is True and row["on_call"] is False
    assert roster(crew)[RAY]["opted_out"] is False
    assert members.get(crew.r, SOL) is None  # a staff STOP makes no member record
    crew.member(SOL).texts("STOP")  # said twice: coordinators are told once
    crew.work()
    assert len(crew.twilio.texts_to(CORA)) == 1


def test_the_ladder_skips_a_staff_member_who_opted_out_and_says_why(crew: Harness) -> None:
    crew.member(SOL).texts("STOP")
    crew.cli("staff", "on", SOL)  # a shift or a coordinator puts them back on call: still never texted
    crew.work()
    crew.member(M1).joins().texts("I want to kill myself")
    crew.work()
    assert crew.twilio.texts_to(SOL) == []
    assert crew.twilio.texts_to(RAY)[0].startswith("CRISIS case 1")
    trail = [(e["event"], e["what"]) for e in cases.events(crew.r, 1)]
    assert any(event == "skipped" and what.startswith("Sol (") and what.endswith("skipped: opted out")
               for event, what in trail), trail
    assert not any(event == "failed" for event, _ in trail), trail
    alerted = next(what for event, what in trail if event == "alerted")
    assert "Sol" not in alerted and "Ray" in alerted


def test_start_brings_them_back_and_the_coordinators_hear_it(crew: Harness) -> None:
    crew.member(SOL).texts("STOP")
    assert crew.member(SOL).texts("START") == ["Welcome back, Sol: alerts and requests reach you again. Reply ON to go "
                                               "on call, HELP for your commands."]
    crew.work()
    assert crew.twilio.texts_to(CORA)[-1] == "Sol (crisis staff) texted START: texts and alerts reach them again."
    assert roster(crew)[SOL]["opted_out"] is False
    assert members.get(crew.r, SOL) is None
    assert crew.member(SOL).texts("ON")[0].startswith("You're on call.")
    crew.member(M1).joins().texts("I want to kill myself")
    crew.work()
    assert crew.twilio.texts_to(SOL)[0].startswith("CRISIS case 1")


def test_while_opted_out_their_texts_get_nothing_but_a_start(crew: Harness) -> None:
    crew.member(SOL).texts("STOP")
    assert crew.member(SOL).texts("hello") == []
    assert crew.member(SOL).texts("YES")[0].startswith("Welcome back, Sol")
