"""Risk first on the phone (#14): every spoken phrase is assessed, from any caller at any prompt.

A spoken crisis with nobody on call goes to `[crisis] handover_number` at once; a staff number's crisis is a
crisis whatever its first word (and no staff command is ever taken from speech); a staff member who takes a
crisis call acknowledges its case as an ACK would, for /metrics too.
"""
from __future__ import annotations

from flows import engine
from flows.inbound import Channel, Inbound
from tests.support.harness import Harness, member_number, staff_number
from tests.support.voice import Caller
from textline.models import cases, metrics, staff
from textline.models.cases import CaseStatus
from textline.models.staff import Role

M1 = member_number(1601)
ANA, BEN = staff_number(1601), staff_number(1602)
LIFELINE = "+18002738255"


def with_handover(line: Harness) -> None:
    line.configure(crisis={"handover_number": LIFELINE})


def dialled_to(call: Caller) -> list[str]:
    dial = call.doc.find("Dial")
    assert dial is not None, call.xml
    return [(n.text or "").strip() for n in dial.iter("Number")]


def test_a_spoken_crisis_with_nobody_on_call_goes_to_the_handover_line(line: Harness) -> None:
    with_handover(line)
    line.member(M1).joins()
    call = Caller(line, M1).dial().speak("I took all my pills and I want to die")
    assert dialled_to(call) == [LIFELINE]
    [case] = cases.for_member(line.r, M1)
    assert case.channel == "voice" and case.status == CaseStatus.OPEN
    assert [t["text"] for t in cases.texts(line.r, case.id)] == ["I took all my pills and I want to die"]
    assert any("handover" in e["what"] for e in cases.events(line.r, case.id))


def test_a_staff_number_saying_a_crisis_after_a_command_word_is_a_crisis(line: Harness) -> None:
    with_handover(line)
    staff.add(line.r, "Ana", ANA, Role.CRISIS)
    staff.set_on_call(line.r, ANA, True)
    staff.add(line.r, "Ben", BEN, Role.CRISIS)
    staff.set_on_call(line.r, BEN, True)
    call = Caller(line, ANA).dial().speak("Off to end my life tonight")
    assert dialled_to(call) == [BEN]  # the other on-call staff, never herself
    [case] = cases.for_member(line.r, ANA)
    assert case.status == CaseStatus.OPEN
    assert {p.phone for p in staff.on_call(line.r, Role.CRISIS)} == {ANA, BEN}  # no OFF taken from speech


def test_a_hidden_callers_spoken_crisis_rings_like_0(line: Harness) -> None:
    with_handover(line)
    call = Caller(line, None).dial().speak("i'm going to kill myself")
    assert dialled_to(call) == [LIFELINE]


def test_staff_commands_and_a_peers_plan_answers_are_never_taken_from_a_call(line: Harness) -> None:
    staff.add(line.r, "Ana", ANA, Role.CRISIS)
    staff.set_on_call(line.r, ANA, True)
    outcome = engine.handle(line.line, Inbound(Channel.VOICE, ANA, "OFF", line.line.now()))
    assert "off call" not in " ".join(r.text for r in outcome.replies)
    assert [p.phone for p in staff.on_call(line.r, Role.CRISIS)] == [ANA]


def test_a_crisis_call_taken_by_staff_is_an_acknowledgement_in_metrics(line: Harness) -> None:
    staff.add(line.r, "Ana", ANA, Role.CRISIS)
    staff.set_on_call(line.r, ANA, True)
    line.member(M1).joins()
    call = Caller(line, M1).dial().speak("I want to kill myself")
    assert dialled_to(call) == [ANA]
    call.staff_leg(ANA).press("1")
    call.dial_ends("completed")
    [case] = cases.for_member(line.r, M1)
    assert cases.get(line.r, case.id).status == CaseStatus.ACKNOWLEDGED
    _, histograms = metrics.read(line.r)
    [row] = histograms[metrics.ACK_TIME]
    assert row.cumulative[-1] == 1
