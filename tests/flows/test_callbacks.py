"""Members ask for a call-back: CALL or menu 3, an honest wait, when suits them, NOCALL."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.harness import Harness, member_number, staff_number
from tests.support.peers import add_peer, named_member
from textline.models import member_data
from textline.models import requests as callbacks

M1, M2, M3 = member_number(701), member_number(702), member_number(703)
ANA, BEN = staff_number(701), staff_number(702)
NEW_YORK = ZoneInfo("America/New_York")  # the zone of +1 202 numbers
AFTERNOON = datetime(2025, 3, 12, 14, 0, tzinfo=NEW_YORK)


def test_call_queues_a_request_and_gives_an_honest_wait(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    [reply] = named_member(line, M1, "Sam").texts("CALL")
    assert reply == ("A peer will call you from this number in about 10 min. Reply 2 for this evening instead, "
                     "3 for tomorrow, or NOCALL to withdraw.")
    assert callbacks.get(line.r, 1).status == callbacks.Status.WAITING


def test_the_wait_grows_with_the_queue_ahead_and_shrinks_with_peers_on_call(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    named_member(line, M1).texts("CALL")
    named_member(line, M2).texts("CALL")
    assert "about 50 min" in named_member(line, M3).texts("CALL")[0]  # 10 min pickup + two 20-min calls ahead
    add_peer(line, "Ben", BEN)
    assert "about 30 min" in line.member(M3).texts("CALL")[0]  # two peers: one round ahead


def test_with_no_peer_on_call_the_member_is_told_so(line: Harness) -> None:
    add_peer(line, "Ana", ANA, on_call=False)
    [reply] = named_member(line, M1).texts("3")
    assert reply.startswith("No peer is on call right now.") and "NOCALL" in reply


def test_one_open_request_per_member(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    sam = named_member(line, M1)
    sam.texts("CALL")
    assert sam.texts("call")[0].startswith("You're already in the queue: a peer will call you")
    assert sam.texts("3")[0].startswith("OK: a peer will call you from this number tomorrow")  # 3 = tomorrow here
    sam.texts("MENU")  # leaves the 1/2/3 question: 3 is the menu's again, and there is still one request
    assert sam.texts("3")[0].startswith("You have a call-back set for tomorrow after 10:00am, your time.")
    assert callbacks.open_request(line.line, M1, reason="low_checkin") is None
    assert line.cli_json("callbacks") and len(line.cli_json("callbacks")) == 1


def test_nocall_withdraws_and_is_not_an_opt_out(line: Harness) -> None:
    sam = named_member(line, M1)
    sam.texts("CALL")
    assert sam.texts("NOCALL") == ["Your call-back request is withdrawn. Reply CALL any time to ask again."]
    assert callbacks.get(line.r, 1).status == callbacks.Status.WITHDRAWN
    assert callbacks.waiting_ids(line.r) == []
    assert sam.texts("nocall") == ["You have no call-back request open. Reply CALL to ask a peer to call you."]
    assert sam.texts("MENU")[0].startswith("Reply 1")  # still a member


def test_this_evening_waits_for_the_evening_then_peers_hear_of_it(line: Harness) -> None:
    line.set_clock(AFTERNOON)
    add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts("CALL")
    assert sam.texts("2") == ["OK: a peer will call you from this number today after 6:00pm, your time. Reply 1 for "
                              "now, NOCALL to withdraw."]
    line.work()
    assert callbacks.waiting_ids(line.r) == []
    assert line.member(ANA).texts("TAKE 1") == ["Call-back 1 isn't due yet: the member asked for today after 6:00pm, "
                                                "their time."]
    line.set_clock(AFTERNOON.replace(hour=18, minute=0, second=1))
    line.work()
    assert callbacks.waiting_ids(line.r) == [1]
    assert line.twilio.texts_to(ANA)[-1] == "Call-back 1 waiting, priority normal: Sam. Reply TAKE 1"


def test_call_tomorrow_and_back_to_now(line: Harness) -> None:
    line.set_clock(AFTERNOON)
    add_peer(line, "Ana", ANA)
    sam = named_member(line, M1)
    assert "tomorrow after 10:00am" in sam.texts("CALL TOMORROW")[0]
    assert sam.texts("1")[0].startswith("A peer will call you from this number in about")
    assert callbacks.waiting_ids(line.r) == [1]


def test_spanish_words_for_when(line: Harness) -> None:
    line.set_clock(AFTERNOON)
    sam = named_member(line, M1)
    line.r.hset(f"tl:member:{M1}", "language", "es")
    assert sam.texts("CALL")[0].startswith("Ahora no hay ningun par de guardia.")
    assert "manana despues de las 10:00" in sam.texts("mañana")[0]


def test_a_late_evening_request_is_not_called_in_quiet_hours(line: Harness) -> None:
    line.configure(quiet_hours="21:00-08:00")
    evening = AFTERNOON.replace(hour=17)
    line.set_clock(evening)
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1, "Sam").texts("CALL EVENING")
    line.set_clock(evening.replace(hour=18, minute=1))
    line.work()
    line.set_clock(evening.replace(hour=21, minute=30))
    assert ana.texts("TAKE 1") == ["It's quiet hours for that member. Call-back 1 waits until 8:00am their time."]
    line.work()
    assert line.twilio.calls == [] and callbacks.waiting_ids(line.r) == []
    line.set_clock(evening.replace(hour=8, minute=0, second=1) + timedelta(days=1))
    line.work()
    assert callbacks.waiting_ids(line.r) == [1]
    assert ana.texts("TAKE 1")[0].startswith("Call-back 1 is yours.")


def test_a_request_for_now_is_called_even_in_quiet_hours(line: Harness) -> None:
    line.configure(quiet_hours="21:00-08:00")
    line.set_clock(AFTERNOON.replace(hour=23))
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1).texts("CALL")
    assert ana.texts("TAKE 1")[0].startswith("Call-back 1 is yours.")
    line.work()
    assert len(line.twilio.calls_to(ANA)) == 1


def test_this_evening_said_at_night_means_the_next_evening(line: Harness) -> None:
    line.configure(quiet_hours="21:00-08:00")
    line.set_clock(AFTERNOON.replace(hour=22))
    assert "tomorrow after 6:00pm" in named_member(line, M1).texts("CALL EVENING")[0]


def test_a_low_check_in_asks_with_high_priority_and_peers_hear_of_it(line: Harness) -> None:
    add_peer(line, "Ana", ANA)
    named_member(line, M1, "Al").texts("CALL")
    named_member(line, M2, "Bo")
    assert callbacks.open_request(line.line, M2, reason="low_checkin") == 2
    line.work()
    assert line.twilio.texts_to(ANA)[-1] == "Call-back 2 waiting, priority high: Bo, low check-in today. Reply TAKE 2"
    assert callbacks.waiting_ids(line.r) == [2, 1]


def test_a_low_check_in_raises_an_open_plain_request(line: Harness) -> None:
    named_member(line, M1).texts("CALL")
    named_member(line, M2).texts("CALL")
    assert callbacks.open_request(line.line, M2, reason="low_checkin") is None
    assert callbacks.waiting_ids(line.r) == [2, 1]
    assert callbacks.get(line.r, 2).priority == callbacks.Priority.HIGH


def test_a_member_with_an_open_crisis_case_is_called_back_first(line: Harness) -> None:
    named_member(line, M1).texts("CALL")
    bo = named_member(line, M2)
    bo.texts("I want to kill myself")
    bo.texts("CALL")
    assert callbacks.waiting_ids(line.r) == [2, 1]
    assert callbacks.get(line.r, 2).reason == "crisis"


def test_a_member_who_opts_out_is_never_called(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    sam = named_member(line, M1)
    sam.texts("CALL")
    sam.texts("STOP")
    assert ana.texts("TAKE 1") == ["That member can no longer be reached, so call-back 1 is closed."]
    line.work()
    assert line.twilio.calls == []
    assert callbacks.get(line.r, 1).status == callbacks.Status.WITHDRAWN


def test_export_and_erase_cover_call_backs(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1).texts("CALL")
    ana.texts("TAKE 1")
    ana.texts("DONE 1 private note")
    exported = member_data.export(line.r, M1)
    assert [c["note"] for c in exported["callbacks"]] == ["private note"]
    assert line.cli_json("members", "show", M1)["callback"] is None
    member_data.erase(line.r, M1)
    assert callbacks.get(line.r, 1) is None
    assert [k for k in line.r.keys("tl:callback*") if line.r.type(k) == "hash"] == []
    assert not any(M1 in k for k in line.r.keys("*"))
    assert line.cli_json("callbacks") == []


def test_a_discreet_member_gets_neutral_words(line: Harness) -> None:
    ana = add_peer(line, "Ana", ANA)
    named_member(line, M1).texts("CALL")
    line.r.hset(f"tl:member:{M1}", "discreet", "1")
    ana.texts("TAKE 1")
    line.work()
    assert line.twilio.texts_to(M1) == ["You'll get a call from this number in a moment."]


def test_other_words_after_call_do_not_move_the_request(line: Harness) -> None:
    line.set_clock(AFTERNOON)
    sam = named_member(line, M1)
    sam.texts("CALL TOMORROW")
    assert "tomorrow after 10:00" in sam.texts("CALL me please")[0]
    assert callbacks.waiting_ids(line.r) == []


def test_a_held_request_keeps_a_raised_priority_when_it_comes_due(line: Harness) -> None:
    line.set_clock(AFTERNOON)
    named_member(line, M1).texts("CALL EVENING")
    named_member(line, M2).texts("CALL")
    assert callbacks.open_request(line.line, M1, reason="low_checkin") is None
    line.set_clock(AFTERNOON.replace(hour=18, minute=5))
    line.work()
    assert callbacks.waiting_ids(line.r) == [1, 2]
    assert line.r.hget("tl:callback:1", "score").isdigit()


def test_peers_told_at_once_hear_again_when_a_request_moved_to_the_evening_comes_due(line: Harness) -> None:
    line.set_clock(AFTERNOON)
    add_peer(line, "Ana", ANA)
    sam = named_member(line, M1, "Sam")
    sam.texts("CALL")
    line.work()
    sam.texts("2")
    line.set_clock(AFTERNOON.replace(hour=18, minute=0, second=1))
    line.work()
    assert line.twilio.texts_to(ANA) == ["Call-back 1 waiting, priority normal: Sam. Reply TAKE 1"] * 2
