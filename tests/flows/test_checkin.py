"""Check-ins through the signed webhook: mood 1-5, a low one offers a peer, a good one may add a note."""
from __future__ import annotations

import time

import pytest

from flows.checkin import parse_mood
from tests.support.harness import Harness, member_number
from textline.models import checkins, sessions
from textline.models import requests as callbacks

M1, M2 = member_number(301), member_number(302)
MX = "+525512345678"  # Mexico City: starts in Spanish


@pytest.mark.parametrize(("text", "mood"), [
    ("3", 3), ("three", 3), ("3/5", 3), ("im a 3", 3), ("I'm a 3.", 3), ("3 out of 5", 3), ("Three!", 3),
    ("5/5", 5), ("a solid 4 today", 4), ("1", 1), ("tres", 3), ("un 2", 2), ("2 de 5", 2), ("cinco", 5),
    ("I'm 25 and I feel like a 2", 2), ("3️⃣", 3),
])
def test_moods_as_people_write_them(text: str, mood: int) -> None:
    assert parse_mood(text) == mood


@pytest.mark.parametrize("text", ["", "good", "2 or 3", "10/10", "0", "6", "3.5", "no one ever listens to me"])
def test_unclear_answers_are_not_guessed(text: str) -> None:
    assert parse_mood(text) is None


def test_menu_item_1_then_a_good_mood_then_a_note(line: Harness) -> None:
    member = line.member(M1).joins()
    [ask] = member.texts("1")
    assert "1 (very low) to 5 (very good)" in ask
    [high] = member.texts("im a 4")
    assert "note" in high and "SKIP" in high
    [done] = member.texts("Went for a walk with my sister")
    assert "Thank you" in done and "SCHEDULE" in done
    [entry] = checkins.history(line.r, M1)
    assert (entry.mood, entry.note, entry.prompted) == (4, "Went for a walk with my sister", False)
    assert sessions.get(line.r, M1) is None


def test_skip_leaves_no_note(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("CHECKIN")
    member.texts("three")
    [done] = member.texts("skip")
    assert "Thank you" in done
    [entry] = checkins.history(line.r, M1)
    assert (entry.mood, entry.note) == (3, "")


def test_checkin_with_the_mood_in_one_message(line: Harness) -> None:
    member = line.member(M1).joins()
    [high] = member.texts("checkin 5/5")
    assert "note" in high
    assert [e.mood for e in checkins.history(line.r, M1)] == [5]


def test_a_low_mood_offers_a_peer_and_yes_opens_a_call_back_request(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("1")
    [low] = member.texts("2")
    assert "peer" in low and "YES" in low and "HELP" in low
    [asked] = member.texts("yes")
    assert "peer" in asked and "NOCALL" in asked
    request_id = callbacks.open_request_id(line.line, M1)
    assert request_id is not None
    assert line.r.hget(f"tl:callback:{request_id}", "reason") == "low_checkin"
    assert [e.mood for e in checkins.history(line.r, M1)] == [2]


def test_a_low_mood_answered_no_opens_nothing(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("CHECKIN")
    member.texts("1")
    [answer] = member.texts("No thanks")
    assert "HELP" in answer
    assert callbacks.open_request_id(line.line, M1) is None


def test_a_low_mood_with_a_request_already_open_is_not_asked_again(line: Harness) -> None:
    member = line.member(M1).joins()
    callbacks.open_request(line.line, M1, reason="asked")
    member.texts("1")
    [answer] = member.texts("1")
    assert "already" in answer
    assert sessions.get(line.r, M1) is None


def test_the_call_back_question_is_asked_again_then_left_open(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("1")
    member.texts("2")
    [again] = member.texts("I don't know")
    assert "YES or NO" in again
    [later] = member.texts("maybe")
    assert "CALL" in later and "MENU" in later
    assert callbacks.open_request_id(line.line, M1) is None
    assert sessions.get(line.r, M1) is None


def test_an_unclear_mood_is_asked_again_then_never_a_dead_end(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("1")
    [again] = member.texts("not great")
    assert "1 (very low) to 5 (very good)" in again and "MENU" in again
    member.texts("hmm")
    [given_up] = member.texts("dunno")
    assert "CHECKIN" in given_up and "MENU" in given_up
    assert checkins.history(line.r, M1) == []
    assert sessions.get(line.r, M1) is None  # back to the menu's words


def test_menu_leaves_a_check_in_midway(line: Harness) -> None:
    member = line.member(M1).joins()
    member.texts("1")
    [menu] = member.texts("MENU")
    assert "1 Check in" in menu
    assert sessions.get(line.r, M1) is None


def test_a_check_in_left_midway_expires_back_to_the_menu(line: Harness) -> None:
    line.configure(session_timeout="1s")
    member = line.member(M1).joins()
    member.texts("1")
    assert sessions.get(line.r, M1) is not None
    time.sleep(1.1)
    [answer] = member.texts("three")
    assert "peer is on call" in answer and "note" not in answer  # free text for a peer, not the check-in
    assert checkins.history(line.r, M1) == []


def test_a_check_in_in_spanish(line: Harness) -> None:
    member = line.member(MX)
    [welcome] = member.texts("hola")
    assert "Responde YES" in welcome
    member.texts("YES")
    [ask] = member.texts("1")
    assert "muy mal" in ask
    [low] = member.texts("estoy en un 2")
    assert "SI o NO" in low
    [asked] = member.texts("Sí")
    assert "un par" in asked
    assert callbacks.open_request_id(line.line, MX) is not None


def test_a_good_check_in_in_spanish_with_a_note(line: Harness) -> None:
    member = line.member(MX).joins()
    member.texts("ANIMO")
    [high] = member.texts("cuatro")
    assert "SALTAR" in high
    [done] = member.texts("Hablé con mi hermana")
    assert "HORARIO" in done
    [entry] = checkins.history(line.r, MX)
    assert (entry.mood, entry.note) == (4, "Hablé con mi hermana")


def test_check_ins_accumulate_in_order(line: Harness) -> None:
    member = line.member(M2).joins()
    for mood in ("5", "3", "4"):
        member.texts("1")
        member.texts(mood)
        member.texts("SKIP")
    assert [e.mood for e in checkins.history(line.r, M2)] == [5, 3, 4]
