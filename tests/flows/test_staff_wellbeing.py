"""After a crisis case: a rest (offered nothing, alerted last), one kind word, ON ends it; counts per day;
alerts to the member's language first; ON tells what waits; a bare ACK lists, never guesses."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.harness import Harness, member_number, staff_number
from textline.models import cases, staff, staff_load
from textline.models.staff import Role

SOL, RAY, CORA, PIA = staff_number(2101), staff_number(2102), staff_number(2103), staff_number(2104)
M1, M2, M3 = member_number(2101), member_number(2102), member_number(2103)
T0 = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
CRISIS = "I want to kill myself"


@pytest.fixture
def crew(line: Harness) -> Harness:
    line.set_clock(T0)
    staff.add(line.r, "Sol", SOL, Role.CRISIS)
    staff.add(line.r, "Ray", RAY, Role.CRISIS, language="es")
    staff.add(line.r, "Cora", CORA, Role.COORDINATOR)
    line.member(SOL).texts("ON")
    line.member(RAY).texts("ON")
    return line


def events(line: Harness, case_id: int) -> list[tuple[str, str]]:
    return [(e["event"], e["what"]) for e in cases.events(line.r, case_id)]


def test_ack_rests_the_staffer_counts_the_case_and_the_close_sends_one_kind_word(crew: Harness) -> None:
    crew.member(M1).joins().texts(CRISIS)
    crew.work()
    assert crew.member(SOL).texts("ACK 1")[0].startswith("Case 1 is yours, Sol.")
    assert staff.is_paused(crew.r, SOL, crew.line.now())
    assert not staff.is_paused(crew.r, RAY, crew.line.now())
    assert staff_load.today(crew.line, SOL) == {"taken_today": 0, "crisis_today": 1}
    crew.set_clock(T0 + timedelta(minutes=30))  # the rest from the ACK is over; the close starts another
    assert not staff.is_paused(crew.r, SOL, crew.line.now())
    crew.member(SOL).texts("CLOSE 1 safe with her sister")
    crew.work()
    kind = crew.twilio.texts_to(SOL)[-1]
    assert kind == ("Thank you for being there for case 1, Sol. That can weigh on you: take a breath. No new requests "
                    "for 15 min; ON when ready.")
    assert staff.is_paused(crew.r, SOL, crew.line.now())
    crew.member(SOL).texts("CLOSE 1")
    crew.work()
    assert crew.twilio.texts_to(SOL).count(kind) == 1  # one kind word, not one per close
    assert crew.member(SOL).texts("ON")[0].startswith("You're on call.")
    assert not staff.is_paused(crew.r, SOL, crew.line.now())


def test_a_resting_staffer_is_alerted_only_when_nobody_else_can_be(crew: Harness) -> None:
    crew.member(M1).joins().texts(CRISIS)
    crew.work()
    crew.member(SOL).texts("ACK 1")
    crew.member(M2).joins().texts(CRISIS)
    crew.work()
    assert not any("ACK 2" in t for t in crew.twilio.texts_to(SOL))
    assert any("ACK 2" in t for t in crew.twilio.texts_to(RAY))
    assert ("skipped", f"{cases.staff_label(crew.r, SOL)}: skipped: paused after a crisis case") in events(crew, 2)
    crew.member(RAY).texts("ACK 2")
    crew.member(M3).joins().texts(CRISIS)  # both rest now: a crisis still reaches them
    crew.work()
    assert any(t.startswith("CRISIS case 3") for t in crew.twilio.texts_to(SOL))


def test_pause_after_crisis_zero_means_no_rest(crew: Harness) -> None:
    crew.configure(peers={"pause_after_crisis": "0s"})
    crew.member(M1).joins().texts(CRISIS)
    crew.work()
    crew.member(SOL).texts("ACK 1")
    assert not staff.is_paused(crew.r, SOL, crew.line.now())
    crew.member(SOL).texts("CLOSE 1")
    crew.work()
    assert crew.twilio.texts_to(SOL)[-1].startswith("Thank you for being there for case 1, Sol.")


def test_alerts_go_first_to_on_call_staff_who_speak_the_members_language(crew: Harness) -> None:
    maria = crew.member(M1)
    maria.joins()
    crew.r.hset(f"tl:member:{M1}", "language", "es")
    maria.texts("quiero matarme")
    crew.work()
    order = [m.to for m in crew.twilio.messages if m.to in (SOL, RAY)]
    assert order[:2] == [RAY, SOL]
    crew.member(M2).joins().texts(CRISIS)
    crew.work()
    order = [m.to for m in crew.twilio.messages if m.to in (SOL, RAY)]
    assert order[2:4] == [SOL, RAY]


def test_a_bare_ack_with_two_open_cases_lists_them(crew: Harness) -> None:
    crew.member(M1).joins().texts(CRISIS)
    crew.member(M2).joins().texts(CRISIS)
    crew.work()
    assert crew.member(SOL).texts("ACK") == ["Open crisis cases: 1, 2. Reply ACK and the case number, for example "
                                             "ACK 1."]
    assert cases.get(crew.r, 1).status == cases.CaseStatus.OPEN
    crew.member(SOL).texts("ACK 2")
    assert crew.member(RAY).texts("ACK")[0].startswith("El caso 1 es tuyo, Ray.")  # the one left, in Ray's Spanish


def test_on_tells_a_peer_what_waits_and_crisis_staff_the_open_cases(crew: Harness) -> None:
    staff.add(crew.r, "Pia", PIA, Role.PEER)
    for phone in (M1, M2):
        crew.member(phone).joins().texts("CALL")
    assert crew.member(PIA).texts("ON") == ["You're on call. Reply OFF when you're done. Thank you!",
                                            "2 waiting: 2 calls. Reply QUEUE to see them."]
    crew.member(M2).texts("NOCALL")
    crew.member(PIA).texts("OFF")
    assert crew.member(PIA).texts("ON")[1] == "1 waiting: 1 call. Reply QUEUE to see them."
    staff.add(crew.r, "Pia", PIA, Role.PEER, language="es")
    assert crew.member(PIA).texts("ON")[1] == "1 en espera: 1 llamada. Responde QUEUE para verlos."
    crew.member(M3).joins().texts(CRISIS)
    crew.work()
    assert crew.member(SOL).texts("ON")[1].startswith("Open crisis cases: 1.")
