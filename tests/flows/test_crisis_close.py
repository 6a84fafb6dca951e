"""CLOSE of a case someone else acknowledged tells the one who holds it."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.support.harness import Harness, member_number, staff_number
from textline.models import cases, staff
from textline.models.staff import Role

M1 = member_number(1801)
ANA, BEN, CY = staff_number(1801), staff_number(1802), staff_number(1803)


def test_closing_a_case_someone_else_acknowledged_tells_them(line: Harness) -> None:
    line.set_clock(datetime(2026, 3, 5, 17, 0, tzinfo=UTC))
    for name, phone, role in (("Ana", ANA, Role.CRISIS), ("Ben", BEN, Role.CRISIS), ("Cy", CY, Role.COORDINATOR)):
        staff.add(line.r, name, phone, role)
    line.member(ANA).texts("ON")
    line.member(M1).joins().texts("I want to kill myself")
    [case] = cases.all_cases(line.r)
    line.member(ANA).texts(f"ACK {case.id}")
    line.work()
    before = len(line.twilio.texts_to(ANA))
    assert line.member(BEN).texts(f"CLOSE {case.id} reached her by phone") == [
        f"Case {case.id} is closed. Thank you, Ben."]
    line.work()
    told = line.twilio.texts_to(ANA)[before:]
    assert told[0] == f"Case {case.id} was closed by Ben.", "Ana held the case: she must know it is over"
    assert told[1].startswith(f"Thank you for being there for case {case.id}, Ana.")  # and one kind word
    assert len(told) == 2
    assert line.twilio.texts_to(CY) == []


def test_closing_your_own_acknowledged_case_tells_nobody_else(line: Harness) -> None:
    staff.add(line.r, "Ana", ANA, Role.CRISIS)
    line.member(ANA).texts("ON")
    line.member(M1).joins().texts("I want to kill myself")
    [case] = cases.all_cases(line.r)
    line.member(ANA).texts(f"ACK {case.id}")
    line.work()
    before = len(line.twilio.messages)
    line.member(ANA).texts(f"CLOSE {case.id}")
    line.work()
    assert [m.to for m in line.twilio.messages[before:]] == [ANA]  # only her own kind word
