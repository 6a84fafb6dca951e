"""A crisis caller nobody on staff took is connected to `[crisis] handover_number`, not left with a recording.

Every answer is checked by `check_twiml` (tests/support/voice.py): a <Dial> from the line's own number to
the crisis line, with no whisper (the crisis line answers with its own menu).
"""
from __future__ import annotations

from tests.support.harness import LINE_NUMBER, Harness, member_number, staff_number
from tests.support.voice import Caller
from textline.core.settings import DEFAULT_RESOURCES
from textline.models import cases, staff
from textline.models.staff import Role

M1 = member_number(1501)
ANA, BEN = staff_number(1501), staff_number(1502)
LIFELINE = "+18002738255"


def with_handover(line: Harness, **voice: str) -> None:
    line.configure(crisis={"handover_number": LIFELINE}, voice=voice)


def crisis_team(line: Harness) -> None:
    for name, phone in (("Ana", ANA), ("Ben", BEN)):
        staff.add(line.r, name, phone, Role.CRISIS)
        staff.set_on_call(line.r, phone, True)


def joined(line: Harness) -> Caller:
    line.member(M1).joins()
    return Caller(line, M1).dial()


def handover_dial(call: Caller) -> dict[str, str]:
    dial = call.doc.find("Dial")
    assert dial is not None, call.xml
    [number] = dial.iter("Number")
    assert number.get("url") is None, "a crisis line gets no whisper"
    return {"to": (number.text or "").strip(), **dial.attrib}


def trail(line: Harness) -> list[str]:
    [case] = cases.for_member(line.r, M1)
    return [event["what"] for event in cases.events(line.r, case.id)]


def test_a_caller_nobody_took_within_ring_timeout_is_connected_to_the_handover_line(line: Harness) -> None:
    with_handover(line, ring_timeout="15s")
    crisis_team(line)
    call = joined(line).press("0")
    assert sorted(call.dialled) == [ANA, BEN] and call.doc.find("Dial").get("timeout") == "15"
    call.dial_ends("no-answer")
    dial = handover_dial(call)
    assert dial["to"] == LIFELINE and dial["callerId"] == LINE_NUMBER
    assert dial["action"].startswith("/twilio/voice/handover-end")
    assert "No one from our team could answer just now, so I'm connecting you to a crisis line." in call.heard
    assert trail(line)[-1] == f"crisis call: no staff member took it; connected to the handover line {LIFELINE}"
    call.dial_ends("completed")  # they talked; the crisis line hung up
    assert call.hangs_up and "You can call this number any time." in call.heard
    assert trail(line)[-1] == "handover call ended"
    line.work()
    assert "called in crisis and no one took the call" in line.twilio.texts_to(ANA)[0]  # staff still follow up


def test_with_nobody_on_call_the_caller_is_connected_straight_away(line: Harness) -> None:
    with_handover(line)
    call = joined(line).press("0")
    assert handover_dial(call)["to"] == LIFELINE
    assert "I'm connecting you to a crisis line now." in call.heard
    assert trail(line)[-1] == f"crisis call: nobody on call; connected to the handover line {LIFELINE}"


def test_a_voicemail_picking_up_is_no_staff_member_either(line: Harness) -> None:
    with_handover(line)
    crisis_team(line)
    call = joined(line).press("0")
    call.staff_leg(BEN)  # a voicemail answers and hears the whisper; it never presses 1
    call.dial_ends("completed")
    assert handover_dial(call)["to"] == LIFELINE


def test_a_staff_member_who_takes_the_call_is_not_handed_over(line: Harness) -> None:
    with_handover(line)
    crisis_team(line)
    call = joined(line).press("0")
    call.staff_leg(ANA).press("1")
    call.dial_ends("completed")
    assert call.doc.find("Dial") is None and call.hangs_up
    assert not any("handover" in what for what in trail(line))


def test_when_the_handover_line_does_not_answer_the_caller_hears_the_resource_and_the_menu(line: Harness) -> None:
    with_handover(line)
    call = joined(line).press("0")
    call.dial_ends("busy")
    assert call.heard.startswith(DEFAULT_RESOURCES["en"] + " I couldn't reach anyone just now")
    assert "What would you like to do?" in call.heard
    assert trail(line)[-1] == "handover line did not answer (busy)"
    assert len(cases.for_member(line.r, M1)) == 1


def test_crisis_words_nobody_took_are_handed_over_too(line: Harness) -> None:
    with_handover(line)
    crisis_team(line)
    call = joined(line)
    call.speak("I want to kill myself")
    call.dial_ends("no-answer")
    assert handover_dial(call)["to"] == LIFELINE
    [case] = cases.for_member(line.r, M1)
    assert case.text == "I want to kill myself"


def test_a_hidden_number_is_handed_over_with_no_case_to_keep(line: Harness) -> None:
    with_handover(line)
    call = Caller(line, None).dial().press("0")
    assert handover_dial(call)["to"] == LIFELINE
    call.dial_ends("completed")
    assert call.hangs_up and cases.all_cases(line.r) == []


def test_a_repeated_end_of_handover_is_answered_again_and_recorded_once(line: Harness) -> None:
    with_handover(line)
    call = joined(line).press("0")
    action = call.doc.find("Dial").get("action")
    first = call.post(action, DialCallStatus="no-answer").xml
    again = call.post(action, DialCallStatus="no-answer").xml
    assert first == again
    assert trail(line).count("handover line did not answer (no-answer)") == 1


def test_without_a_handover_number_a_crisis_call_goes_on_as_before(line: Harness) -> None:
    call = joined(line).press("0")
    assert call.doc.find("Dial") is None
    assert call.heard.startswith(DEFAULT_RESOURCES["en"] + " I couldn't reach anyone just now")
