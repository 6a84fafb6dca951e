"""The voice line: the same conversations as SMS, by keypad (and speech), reaching the same records."""
from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from tests.support.harness import LINE_NUMBER, Harness, member_number, staff_number
from tests.support.voice import Caller
from textline.core.settings import DEFAULT_RESOURCES
from textline.models import cases, checkins, inbound_log, members, sessions, staff
from textline.models import requests as callbacks
from textline.models.members import MemberStatus
from textline.models.staff import Role

M1, M2 = member_number(301), member_number(302)
MX = "+525512345671"  # a Mexican mobile: starts in Spanish
CRISIS_A, CRISIS_B, CRISIS_OFF = staff_number(301), staff_number(302), staff_number(303)


def joined(line: Harness, phone: str = M1) -> Caller:
    line.member(phone).joins()
    return Caller(line, phone).dial()


def crisis_team(line: Harness) -> None:
    for phone, name in ((CRISIS_A, "Ana"), (CRISIS_B, "Ben"), (CRISIS_OFF, "Cy")):
        staff.add(line.r, name, phone, Role.CRISIS)
    staff.set_on_call(line.r, CRISIS_A, True)
    staff.set_on_call(line.r, CRISIS_B, True)


# -- the webhook ------------------------------------------------------------------------------------------------


def test_an_unsigned_call_is_refused_and_changes_nothing(line: Harness) -> None:
    caller = Caller(line, M1)
    response = line.post("/twilio/voice", caller.params(), signed=False)
    assert response.status_code == 403
    assert line.r.dbsize() == 0
    params = caller.params(Digits="1")
    forged = line.sign("/twilio/voice/gather?at=menu&t=1", {**params, "Digits": "2"})
    assert line.post("/twilio/voice/gather?at=menu&t=1", params, signature=forged).status_code == 403


def test_a_request_without_a_callsid_is_refused(line: Harness) -> None:
    assert line.post("/twilio/voice", {"From": M1, "To": LINE_NUMBER}).status_code == 400


def test_a_repeated_request_is_answered_again_without_acting_again(line: Harness) -> None:
    call = joined(line)
    first = call.xml
    assert Caller(line, M1, sid=call.sid).dial().xml == first
    call.press("1")
    mood_question = call.action
    call.post(mood_question, Digits="2")
    again = call.xml
    call.post(mood_question, Digits="2")  # Twilio delivers the same keypress twice
    assert call.xml == again
    assert [entry.mood for entry in checkins.history(line.r, M1)] == [2]


# -- first call: language, then joining, by key ----------------------------------------------------------------


def test_a_first_call_chooses_a_language_by_key_and_joins_by_key(line: Harness) -> None:
    call = Caller(line, M2).dial()
    assert "For English, press 1." in call.heard and "Para español, pulsa 2." in call.heard
    assert {("en-US", "Polly.Joanna"), ("es-MX", "Polly.Mia")} <= call.voices
    call.press("2")
    member = members.get(line.r, M2)
    assert (member.language, member.status) == ("es", MemberStatus.PENDING)
    assert "Para unirte, pulsa 1." in call.heard
    assert call.voices == {("es-MX", "Polly.Mia")}
    call.press("1")
    assert members.get(line.r, M2).status == MemberStatus.ACTIVE
    assert "ya estás dentro" in call.heard
    assert "Pulsa 1 para registrar tu ánimo." in call.heard


def test_a_key_that_is_no_language_asks_again(line: Harness) -> None:
    call = Caller(line, M2).dial()
    call.press("7")
    assert call.heard.startswith("Sorry, I didn't catch that.") and "For English, press 1." in call.heard
    assert members.get(line.r, M2) is None


def test_before_joining_no_menu_only_the_way_to_join(line: Harness) -> None:
    line.member(M1).texts("hi")
    call = Caller(line, M1).dial()
    assert "To join, press 1." in call.heard and "Press 1 for a check-in" not in call.heard
    call.press("1")  # 1 joins here: it is not menu item 1
    assert "Press 1 for a check-in." in call.heard
    assert sessions.get(line.r, M1) is None


# -- the menu, and the flows behind it ---------------------------------------------------------------------------


def test_the_menu_reads_its_choices_as_keys(line: Harness) -> None:
    call = joined(line)
    assert call.heard == (
        "Welcome to Test Line. What would you like to do? Press 1 for a check-in. Press 2 for your next meeting. "
        "Press 3 for a call back from a peer. Press 4 for language, idioma. If you need help right now, press 0. "
        "To hear this again, press star.")


def test_a_check_in_by_keypad_is_stored_as_a_text_would_be(line: Harness) -> None:
    call = joined(line)
    call.press("1")
    assert call.heard == "How are you feeling right now? Press a number from 1, very low, to 5, very good."
    call.press("4")
    [entry] = checkins.history(line.r, M1)
    assert (entry.mood, entry.prompted) == (4, False)
    assert "say it now" in call.heard
    call.speak("Had lunch with my sister.")
    assert checkins.history(line.r, M1)[0].note == "Had lunch with my sister."
    assert call.heard.startswith("Thank you for checking in. What would you like to do?")


def test_a_spoken_number_answers_too(line: Harness) -> None:
    call = joined(line)
    call.speak("one")
    call.speak("Three.")
    assert [entry.mood for entry in checkins.history(line.r, M1)] == [3]


def test_a_low_check_in_offers_a_peer_call_back_by_key(line: Harness) -> None:
    call = joined(line)
    call.press("1")
    call.press("2")
    assert "Would you like a peer to call you? Press 1 for Yes. Press 2 for No." in call.heard
    assert "press 0" in call.heard
    call.press("1")
    assert callbacks.open_request_id(line.line, M1) is not None
    assert call.heard.startswith("OK, I've asked a peer to call you back at this number.")


def test_menu_3_asks_a_peer_to_call_back(line: Harness) -> None:
    call = joined(line)
    call.press("3")
    request_id = callbacks.open_request_id(line.line, M1)
    assert request_id is not None
    assert line.r.hget(f"tl:callback:{request_id}", "reason") == "voice"
    call.press("1")  # when suits: now
    again = Caller(line, M1).dial()
    again.press("3")
    assert "already in the queue" in again.heard
    assert callbacks.open_request_id(line.line, M1) == request_id


def test_menu_4_changes_the_language_and_the_voice(line: Harness) -> None:
    call = joined(line)
    call.press("4")
    assert call.heard == "Choose your language. For English, press 1. Para español, pulsa 2."
    call.press("2")
    assert members.get(line.r, M1).language == "es"
    assert call.heard.startswith("Listo, te hablaré en español. ¿Qué quieres hacer? Pulsa 1 para registrar")
    assert call.voices == {("es-MX", "Polly.Mia")}


def test_a_spanish_member_hears_spanish(line: Harness) -> None:
    line.member(MX).joins()
    call = Caller(line, MX).dial()
    assert call.heard.startswith("Bienvenida o bienvenido a Test Line.")
    assert "Si necesitas ayuda ahora mismo, pulsa 0." in call.heard
    assert call.doc.find("Gather").get("language") == "es-MX"


def test_an_unknown_key_says_so_and_reads_the_menu_again(line: Harness) -> None:
    call = joined(line)
    call.press("8")
    assert call.heard.startswith("Sorry, I didn't catch that. What would you like to do?")


def test_a_call_starts_at_the_menu_whatever_a_text_left_open(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("CHECKIN")  # the mood question is open by text
    call = Caller(line, M1).dial()
    call.press("3")  # menu item 3, not a mood of 3
    assert checkins.history(line.r, M1) == []
    assert callbacks.open_request_id(line.line, M1) is not None


# -- star, silence, goodbye ------------------------------------------------------------------------------------------


def test_star_repeats_the_last_prompt(line: Harness) -> None:
    call = joined(line)
    call.press("1")
    question = call.heard
    call.press("*")
    assert call.heard == question
    call.press("5")
    assert [entry.mood for entry in checkins.history(line.r, M1)] == [5]


def test_silence_repeats_the_prompt_once_then_says_goodbye(line: Harness) -> None:
    call = joined(line)
    gathers = call.doc.findall("Gather")
    assert len(gathers) == 2 and gathers[0].get("action") == gathers[1].get("action")
    rest = call.silence()
    assert rest[0] == "What would you like to do?"
    assert rest[-2:] == ["Thank you for calling. Take care. Goodbye.", "<Hangup>"]
    assert gathers[0].get("input") == "dtmf speech" and gathers[0].get("numDigits") == "1"


# -- crisis on the phone -------------------------------------------------------------------------------------------


def _at_the_menu(line: Harness) -> Caller:
    return joined(line)


def _at_the_mood_question(line: Harness) -> Caller:
    return joined(line).press("1")


def _at_the_call_back_question(line: Harness) -> Caller:
    return joined(line).press("1").press("1")


def _choosing_a_language(line: Harness) -> Caller:
    return Caller(line, M1).dial()


def _before_joining(line: Harness) -> Caller:
    line.member(M1).texts("hi")
    return Caller(line, M1).dial()


def _opted_out(line: Harness) -> Caller:
    line.member(M1).joins().texts("STOP")
    return Caller(line, M1).dial()


@pytest.mark.parametrize("where", [_at_the_menu, _at_the_mood_question, _at_the_call_back_question,
                                   _choosing_a_language, _before_joining, _opted_out])
def test_zero_at_any_prompt_rings_every_on_call_crisis_staff_member(line: Harness,
                                                                     where: Callable[[Harness], Caller]) -> None:
    crisis_team(line)
    call = where(line)
    call.press("0")
    assert sorted(call.dialled) == [CRISIS_A, CRISIS_B]
    dial = call.doc.find("Dial")
    assert dial.get("callerId") == LINE_NUMBER and dial.get("timeout") == "20"
    assert "Connecting you to someone who can help." in " ".join(s.text for s in call.doc.iter("Say"))


def test_the_staff_member_who_presses_1_is_bridged_and_nothing_more_is_opened(line: Harness) -> None:
    crisis_team(line)
    call = joined(line).press("0")
    ana = call.staff_leg(CRISIS_A)
    assert "a caller needs crisis support now. Press 1 to take the call." in ana.heard
    ana.press("1")
    assert ana.bridged
    call.dial_ends("completed")
    assert call.hangs_up and "You can call this number any time." in call.heard
    assert callbacks.open_request_id(line.line, M1) is None
    [case] = cases.for_member(line.r, M1)  # on the trail, acknowledged by whoever took the call
    assert case.status == "acknowledged" and case.acknowledged_by == CRISIS_A
    assert "crisis call taken by Ana" in cases.events(line.r, case.id)[1]["what"]


def test_nobody_answering_reads_the_resource_and_opens_the_case(line: Harness) -> None:
    crisis_team(line)
    call = joined(line).press("0")
    call.dial_ends("no-answer")
    assert call.heard.startswith(DEFAULT_RESOURCES["en"] + " I couldn't reach anyone just now")
    assert "What would you like to do?" in call.heard  # back to the menu, never a dead end
    assert call.silence()[0] == DEFAULT_RESOURCES["en"]  # said again when the caller says nothing
    [case] = cases.for_member(line.r, M1)
    assert (case.status, case.category, case.channel) == ("open", "call", "voice")
    line.work()
    assert "called in crisis and no one took the call" in line.twilio.texts_to(CRISIS_A)[0]


def test_a_voicemail_picking_up_is_not_a_staff_member_taking_the_call(line: Harness) -> None:
    crisis_team(line)
    call = joined(line).press("0")
    voicemail = call.staff_leg(CRISIS_B)
    assert voicemail.doc.findall("Gather") and [v.tag for v in voicemail.doc][-1] == "Hangup"
    call.dial_ends("completed")  # Twilio saw an answer: the voicemail's
    assert call.heard.startswith(DEFAULT_RESOURCES["en"])
    assert [c.status for c in cases.for_member(line.r, M1)] == ["open"]


def test_a_key_other_than_1_declines_the_crisis_call(line: Harness) -> None:
    crisis_team(line)
    call = joined(line).press("0")
    ben = call.staff_leg(CRISIS_B)
    assert [v.tag for v in ben.press("9")] == ["Hangup"]


def test_with_nobody_on_call_the_resource_comes_at_once_with_the_case(line: Harness) -> None:
    line.member(MX).joins()
    call = Caller(line, MX).dial().press("0")
    assert call.dialled == []
    assert call.heard.startswith(DEFAULT_RESOURCES["es"] + " No pude comunicarme con nadie")
    [case] = cases.for_member(line.r, MX)
    assert case.status == "open" and case.language == "es"


def test_crisis_words_through_the_real_detector(line: Harness) -> None:
    crisis_team(line)
    call = joined(line)
    call.speak("I want to kill myself")
    assert sorted(call.dialled) == [CRISIS_A, CRISIS_B]
    [case] = cases.for_member(line.r, M1)
    assert case.channel == "voice" and case.text == "I want to kill myself"
    call.dial_ends("no-answer")  # the call joins the case its words opened
    assert call.heard.startswith(DEFAULT_RESOURCES["en"])
    assert len(cases.for_member(line.r, M1)) == 1
    assert cases.events(line.r, case.id)[-1]["what"] == "crisis call: no staff member took it"


# -- callers who get no menu -------------------------------------------------------------------------------------------


def test_a_hidden_number_can_still_reach_crisis_staff(line: Harness) -> None:
    crisis_team(line)
    call = Caller(line, None).dial()
    assert "Your number is hidden" in call.heard and "press 0" in call.heard
    call.press("1")
    assert "Your number is hidden" in call.heard
    call.press("0")
    assert sorted(call.dialled) == [CRISIS_A, CRISIS_B]
    call.dial_ends("no-answer")
    assert call.heard.startswith(DEFAULT_RESOURCES["en"])


def test_an_opted_out_caller_hears_how_to_rejoin_and_gets_no_menu(line: Harness) -> None:
    call = _opted_out(line)
    assert "You've opted out of messages from Test Line. To rejoin, text START" in call.heard
    call.press("1")
    assert sessions.get(line.r, M1) is None and checkins.history(line.r, M1) == []
    assert "To rejoin, text START" in call.heard


def test_stop_said_on_a_call_is_not_an_opt_out(line: Harness) -> None:
    call = joined(line)
    call.speak("Stop.")
    assert not members.is_opted_out(line.r, M1)
    assert call.heard.startswith("Sorry, I didn't catch that.")


def test_help_said_on_a_call_reads_the_resource(line: Harness) -> None:
    call = joined(line)
    call.speak("help")
    assert call.heard.startswith(f"This is Test Line. {DEFAULT_RESOURCES['en']}")


def test_menu_said_mid_flow_reads_the_menu_once(line: Harness) -> None:
    call = joined(line).press("1")
    call.speak("Menu")
    assert call.heard.count("Press 1 for a check-in.") == 1
    assert sessions.get(line.r, M1) is None


def test_past_the_turn_limit_the_call_ends_politely_but_0_still_rings(line: Harness) -> None:
    crisis_team(line)
    call = joined(line)
    call.post("/twilio/voice/gather?at=menu&t=101", Digits="1")
    assert call.hangs_up and "Goodbye" in call.heard
    call.post("/twilio/voice/gather?at=menu&t=102", Digits="0")
    assert sorted(call.dialled) == [CRISIS_A, CRISIS_B]


def test_a_repeat_of_a_request_still_being_answered_holds_then_asks_again(line: Harness) -> None:
    call = joined(line)
    inbound_log.claim(line.r, f"{call.sid}:gather:1:1:")  # the first delivery of "1" is in flight
    call.press("1")
    assert [v.tag for v in call.doc] == ["Pause", "Redirect"]
    call.post(call.doc.find("Redirect").text)  # Twilio follows the redirect, without Digits
    assert "What would you like to do?" in call.heard


def test_a_call_leaves_no_number_and_no_words_in_the_logs(line: Harness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    crisis_team(line)
    call = joined(line).press("1").press("4")
    call.speak("my landlord Bartholomew shouted at me")
    call.press("0")
    call.dial_ends("no-answer")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "voice" in text
    for number in (M1, CRISIS_A, CRISIS_B):
        assert number not in text and number[2:] not in text
    assert "Bartholomew" not in text and "landlord" not in text
