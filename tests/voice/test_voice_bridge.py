"""The masked bridge: the line calls the peer, the peer presses 1, the line dials the member with its own number."""
from __future__ import annotations

from tests.support.harness import LINE_NUMBER, PUBLIC_URL, Harness, member_number, staff_number
from tests.support.peers import BridgeCall, add_peer, named_member, spoken
from textline.models import requests as callbacks

M1 = member_number(601)
ANA, BEN = staff_number(601), staff_number(602)


def taken_call(line: Harness, member_name: str = "Sam") -> BridgeCall:
    """Sam asks for a call, Ana takes it, and the line's call to Ana reaches the Twilio double."""
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1, member_name).texts("CALL")
    ana.texts("TAKE 1")
    line.work()
    [call] = line.twilio.calls_to(ANA)
    return BridgeCall(line, call.form["Url"], ANA)


def test_the_peer_hears_who_it_is_and_is_asked_to_press_1(line: Harness) -> None:
    call = taken_call(line)
    twiml = call.answer()
    gather = twiml.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    assert gather.get("action") == PUBLIC_URL + "/twilio/voice/bridge/1/1/connect"
    assert "Ana" in spoken(twiml) and "Sam" in spoken(twiml) and "Press 1" in spoken(twiml)
    assert M1 not in twiml.itertext()
    assert twiml.find("Dial") is None  # nothing reaches the member before the peer presses 1
    assert twiml.find("Redirect").text == PUBLIC_URL + "/twilio/voice/bridge/1/1/nokey"


def test_pressing_1_dials_the_member_from_the_lines_number_unrecorded(line: Harness) -> None:
    call = taken_call(line)
    call.answer()
    twiml = call.press("1")
    dial = twiml.find("Dial")
    assert dial.get("callerId") == LINE_NUMBER
    assert dial.get("action") == PUBLIC_URL + "/twilio/voice/bridge/1/1/dialed"
    assert dial.get("record") in (None, "do-not-record")
    assert [n.text for n in dial.iter("Number")] == [M1]


def test_another_key_asks_again_and_nothing_is_dialled(line: Harness) -> None:
    call = taken_call(line)
    twiml = call.press("5")
    assert twiml.find("Dial") is None and twiml.find("Gather") is not None


def test_no_key_voicemail_never_reaches_the_member_and_the_peer_is_texted(line: Harness) -> None:
    call = taken_call(line)
    call.answer()
    twiml = call.post("nokey")
    assert twiml.find("Dial") is None and twiml.find("Hangup") is not None
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == ("We couldn't reach you for call-back 1. Reply RETRY 1 to try again, "
                                            "or RELEASE 1.")


def test_a_member_who_does_not_answer_gets_a_text_and_the_peer_can_retry(line: Harness) -> None:
    call = taken_call(line)
    call.press("1")
    twiml = call.dialed("no-answer")
    assert "didn't answer" in spoken(twiml) and "RETRY 1" in spoken(twiml)
    line.work()
    assert line.twilio.texts_to(M1)[-1] == ("A peer tried to call you but couldn't get through. Reply CALL when "
                                           "you're free and they'll try again, or NOCALL.")
    assert line.twilio.texts_to(ANA)[-1].startswith("Sam didn't answer call-back 1; we texted them.")
    record = callbacks.get(line.r, 1)
    assert record.last_dial == "no-answer" and record.status == callbacks.Status.TAKEN
    # The member is free now: CALL tells the peer, who retries.
    assert line.member(M1).texts("CALL") == ["Thanks, we've told the peer you're free now. They'll call you from "
                                             "this number."]
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == "Sam is free now for call-back 1. Reply RETRY 1 to call."
    assert line.member(ANA).texts("RETRY 1")
    line.work()
    assert len(line.twilio.calls_to(ANA)) == 2


def test_a_completed_call_is_recorded_and_the_peer_is_reminded_to_close(line: Harness) -> None:
    call = taken_call(line)
    call.press("1")
    assert "DONE 1" in spoken(call.dialed("completed"))
    line.work()
    assert callbacks.get(line.r, 1).last_dial == "completed"
    assert not any("tried to call" in t for t in line.twilio.texts_to(M1))


def test_a_repeated_callsid_gets_the_same_answer_and_acts_once(line: Harness) -> None:
    call = taken_call(line)
    call.press("1")
    first = call.dialed("busy")
    again = call.post("dialed", DialCallStatus="busy")
    assert [e.tag for e in first.iter()] == [e.tag for e in again.iter()]
    line.work()
    assert sum("tried to call" in t for t in line.twilio.texts_to(M1)) == 1
    assert call.press("1").find("Dial") is not None


def test_bridge_requests_must_be_signed(line: Harness) -> None:
    call = taken_call(line)
    path = "/twilio/voice/bridge/1/1/connect"
    assert line.post(path, call.params(Digits="1"), signed=False).status_code == 403
    forged = line.sign(path, call.params(Digits="2"))
    assert line.post(path, call.params(Digits="1"), signature=forged).status_code == 403


def test_a_call_back_closed_meanwhile_is_never_dialled(line: Harness) -> None:
    call = taken_call(line)
    assert line.member(M1).texts("NOCALL") == ["Your call-back request is withdrawn. Reply CALL any time to ask again."]
    twiml = call.press("1")
    assert twiml.find("Dial") is None and "no longer open" in spoken(twiml)
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == "The member withdrew call-back 1; no call needed. Thank you."


def test_only_the_peer_who_took_it_is_bridged(line: Harness) -> None:
    call = taken_call(line)
    add_peer(line, "Ben", BEN)
    stranger = BridgeCall(line, PUBLIC_URL + "/twilio/voice/bridge/1/1/answer", BEN)
    assert stranger.press("1").find("Dial") is None
    assert call.press("1").find("Dial") is not None


def test_a_peer_who_does_not_pick_up_is_texted(line: Harness) -> None:
    taken_call(line)
    [placed] = line.twilio.calls_to(ANA)
    params = {"CallSid": placed.sid, "CallStatus": "no-answer", "AccountSid": placed.form.get("AccountSid", "")}
    params = {k: v for k, v in params.items() if v}
    assert line.post("/twilio/status", params).status_code == 200
    line.work()
    assert line.twilio.texts_to(ANA)[-1].startswith("We couldn't reach you for call-back 1.")


def test_the_bridge_speaks_the_peers_language(line: Harness) -> None:
    pia = add_peer(line, "Pia", BEN, lang="es")
    named_member(line, M1, "Sam").texts("CALL")
    assert pia.texts("TAKE 1")[0].startswith("La llamada 1 es tuya.")
    line.work()
    [placed] = line.twilio.calls_to(BEN)
    twiml = BridgeCall(line, placed.form["Url"], BEN).answer()
    assert "Pulsa 1" in spoken(twiml) and twiml.find("Gather/Say").get("language") == "es-MX"


def test_a_stale_call_never_bridges(line: Harness) -> None:
    call = taken_call(line)
    ben = add_peer(line, "Ben", BEN)
    line.member(ANA).texts("RELEASE 1")
    ben.texts("TAKE 1")
    line.work()
    assert call.press("1").find("Dial") is None  # Ana's old call
    [fresh] = line.twilio.calls_to(BEN)
    assert fresh.form["Url"].endswith("/twilio/voice/bridge/1/2/answer")
    assert BridgeCall(line, fresh.form["Url"], BEN).press("1").find("Dial") is not None


def test_digits_sent_to_the_answer_url_count_as_the_key(line: Harness) -> None:
    call = taken_call(line)
    dial = call.post("answer", Digits="1").find("Dial")
    assert dial.get("callerId") == LINE_NUMBER and dial.find("Number").text == M1
