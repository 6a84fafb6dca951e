"""The call-back time choice is always offered, and times are written like the rest of the line."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.support.harness import Harness, member_number, staff_number
from textline.models import requests as callbacks

M1, M2 = member_number(2201), member_number(2202)
PIA = staff_number(2201)
NOON_DC = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)  # 12:00 in Washington, DC (+1 202 numbers)


def test_with_no_peer_on_call_the_time_choice_is_still_offered(line: Harness) -> None:
    line.set_clock(NOON_DC)
    sam = line.member(M1).joins()
    first = sam.texts("CALL")[0]
    assert first.startswith("No peer is on call right now.") and "Reply 2 for this evening, 3 tomorrow" in first
    assert sam.texts("2") == ["OK: a peer will call you from this number today after 6:00pm, your time. Reply 1 for "
                              "now, NOCALL to withdraw."]
    assert callbacks.get(line.r, 1).when == callbacks.When.EVENING


def test_a_scheduled_call_back_is_told_as_scheduled(line: Harness) -> None:
    line.set_clock(NOON_DC)
    sam = line.member(M1).joins()
    sam.texts("CALL TOMORROW")
    sam.texts("MENU")
    assert sam.texts("CALL") == ["You have a call-back set for tomorrow after 10:00am, your time. Reply 1 for now, "
                                 "2 this evening, 3 tomorrow, NOCALL to withdraw."]
    assert sam.texts("1")[0].startswith("No peer is on call right now.")


def test_spanish_times_are_24_hour(line: Harness) -> None:
    line.set_clock(NOON_DC)
    ana = line.member(M2).joins()
    line.r.hset(f"tl:member:{M2}", "language", "es")
    first = ana.texts("CALL")[0]
    assert first.startswith("Ahora no hay ningun par de guardia.") and "Responde 2 esta tarde, 3 manana" in first
    assert "hoy despues de las 18:00" in ana.texts("2")[0]
    ana.texts("MENU")
    assert ana.texts("CALL")[0].startswith("Tienes una llamada para hoy despues de las 18:00, tu hora.")


def test_a_waiting_member_asking_again_can_still_choose_a_time(line: Harness) -> None:
    line.set_clock(NOON_DC)
    line.cli("staff", "add", "Pia", PIA, "--role", "peer")
    line.member(PIA).texts("ON")
    sam = line.member(M1).joins()
    sam.texts("CALL")
    again = sam.texts("CALL")[0]
    assert again.startswith("You're already in the queue") and "Reply 2 for this evening, 3 tomorrow" in again
    assert "today after 6:00pm" in sam.texts("2")[0]
