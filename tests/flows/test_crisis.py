"""A crisis message, from anyone in any state: answered at once, a case opened, on-call staff alerted."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows import engine
from flows.inbound import Channel, Inbound
from tests.support.harness import Harness, member_number, staff_number
from textline.core.line import Line
from textline.models import cases, members, sessions
from textline.models.cases import CaseStatus

M1, M2 = member_number(401), member_number(402)
ANA, BEN, CY = staff_number(1), staff_number(2), staff_number(3)
T0 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
CRISIS = "I want to kill myself tonight"
RESOURCE_EN = "Call or text 988 (Suicide & Crisis Lifeline). In danger now, call 911."
RESOURCE_ES = "Llama o escribe al 988. Si estas en peligro ahora, llama al 911."


@pytest.fixture
def crew(line: Harness) -> Harness:
    """Ana (crisis, on call), Ben (crisis, off call), Cy (coordinator)."""
    line.set_clock(T0)
    line.cli("staff", "add", "Ana", ANA, "--role", "crisis")
    line.cli("staff", "add", "Ben", BEN, "--role", "crisis")
    line.cli("staff", "add", "Cy", CY, "--role", "coordinator")
    assert line.member(ANA).texts("ON") == ["You're on call. Reply OFF when you're done. Thank you!"]
    return line


def only_case(line: Harness) -> cases.Case:
    [case] = cases.all_cases(line.r)
    return case


def test_a_crisis_is_answered_in_the_webhooks_reply_and_reaches_on_call_staff(crew: Harness) -> None:
    member = crew.member(M1).joins()
    [reply] = member.texts(CRISIS)
    assert reply.startswith(RESOURCE_EN) and "being alerted" in reply
    case = only_case(crew)
    assert case.status == CaseStatus.OPEN and case.phone == M1
    crew.work()
    [alert] = crew.twilio.texts_to(ANA)
    assert f"case {case.id}" in alert and f"ACK {case.id}" in alert
    assert "ending 0401" in alert and CRISIS in alert
    assert crew.twilio.texts_to(BEN) == [] and crew.twilio.texts_to(CY) == []
    assert cases.get(crew.r, case.id).level == 1


@pytest.mark.parametrize("state", ["unknown", "pending", "active", "opted_out", "mid_session", "staff"])
def test_every_state_and_every_number_opens_a_case(crew: Harness, state: str) -> None:
    phone = BEN if state == "staff" else M1
    member = crew.member(phone)
    if state == "pending":
        member.texts("hi")
    elif state in ("active", "mid_session"):
        member.joins()
    elif state == "opted_out":
        member.joins().texts("STOP")
    if state == "mid_session":
        sessions.start(crew.r, M1, "checkin", "mood", 600)
    replies = member.texts(CRISIS)
    assert replies[0].startswith(RESOURCE_EN)
    assert only_case(crew).phone == phone
    crew.work()
    assert len(crew.twilio.texts_to(ANA)) == 1
    if state == "unknown":
        assert members.get(crew.r, M1) is None  # a person in crisis is not enrolled by it


def test_spanish_from_a_new_number_is_answered_in_spanish(crew: Harness) -> None:
    [reply] = crew.member(M1).texts("ya no puedo mas, quiero morir")
    assert reply.startswith(RESOURCE_ES) and "avisando" in reply
    assert only_case(crew).language == "es"


def test_a_member_who_chose_a_language_is_answered_in_it(crew: Harness) -> None:
    crew.member(M1).joins()
    members.update(crew.r, M1, language="es")
    [reply] = crew.member(M1).texts(CRISIS)
    assert reply.startswith(RESOURCE_ES)


def test_a_long_resource_and_the_sentence_go_as_two_texts(line: Harness) -> None:
    long = "Call or text 988, the Suicide and Crisis Lifeline, any hour. In danger right now: call 911 at once."
    line.configure(name="Riverside Peer Support Line", crisis={"resource.en": long})
    line.cli("staff", "add", "Ana", ANA, "--role", "crisis")
    line.member(ANA).texts("ON")
    assert line.member(M1).texts(CRISIS) == [long, "A person from Riverside Peer Support Line is being alerted now "
                                                   "and will reach out to you."]


def test_with_nobody_on_call_coordinators_are_alerted_at_once(crew: Harness) -> None:
    crew.member(ANA).texts("OFF")
    [reply] = crew.member(M1).texts(CRISIS)
    assert reply.startswith(RESOURCE_EN) and "alerted" not in reply and "told" in reply
    crew.work()
    [alert] = crew.twilio.texts_to(CY)
    assert "nobody on call" in alert and "ACK 1" in alert
    assert crew.twilio.texts_to(ANA) == crew.twilio.texts_to(BEN) == []
    case = only_case(crew)
    assert case.level == 3
    assert any("nobody on call" in e["what"] and "Cy" in e["what"] for e in cases.events(crew.r, case.id))


def test_ack_stops_the_ladder_and_tells_the_others(crew: Harness) -> None:
    crew.member(M1).joins().texts(CRISIS)
    crew.work()
    crew.set_clock(datetime(2025, 3, 3, 15, 5, 1, tzinfo=UTC))
    crew.work()  # no ACK in 5 minutes: level 2, all crisis staff
    assert len(crew.twilio.texts_to(BEN)) == 1
    [reply] = crew.member(BEN).texts("ack 1")
    assert reply.startswith("Case 1 is yours, Ben.") and M1 in reply
    crew.work()
    assert crew.twilio.texts_to(ANA)[-1] == "Case 1 was acknowledged by Ben. Thank you."
    case = only_case(crew)
    assert case.status == CaseStatus.ACKNOWLEDGED and case.acknowledged_by == BEN
    sent = len(crew.twilio.messages)
    crew.set_clock(datetime(2025, 3, 3, 16, 0, tzinfo=UTC))
    crew.work()
    assert len(crew.twilio.messages) == sent  # the ladder stopped
    assert crew.member(ANA).texts("ACK 1") == ["Case 1 is already acknowledged by Ben."]
    assert crew.member(BEN).texts("ACK 1") == ["Case 1 is already yours. Reply CLOSE 1 and a note when done."]


def test_ack_alone_takes_the_one_case_you_were_alerted_about(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    crew.work()
    assert crew.member(ANA).texts("ACK")[0].startswith("Case 1 is yours, Ana.")
    assert crew.member(BEN).texts("ACK") == ["No crisis case waits for an ACK right now. Thank you."]


def test_without_ack_the_ladder_climbs_again_and_again_on_time(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    crew.work()
    steps = [
        (datetime(2025, 3, 3, 15, 4, 59, tzinfo=UTC), {ANA: 1, BEN: 0, CY: 0}, 1),   # not yet
        (datetime(2025, 3, 3, 15, 5, 0, tzinfo=UTC), {ANA: 2, BEN: 1, CY: 0}, 2),    # all crisis staff
        (datetime(2025, 3, 3, 15, 10, 0, tzinfo=UTC), {ANA: 2, BEN: 1, CY: 1}, 3),   # coordinators
        (datetime(2025, 3, 3, 15, 15, 0, tzinfo=UTC), {ANA: 3, BEN: 2, CY: 2}, 3),   # everyone, again
        (datetime(2025, 3, 3, 15, 20, 0, tzinfo=UTC), {ANA: 4, BEN: 3, CY: 3}, 3),   # and again
    ]
    for at, counts, level in steps:
        crew.set_clock(at)
        crew.work()
        assert {p: len(crew.twilio.texts_to(p)) for p in counts} == counts, at
        assert only_case(crew).level == level
    assert "still no ACK" in crew.twilio.texts_to(CY)[-1]
    trail = [e["event"] for e in cases.events(crew.r, 1)]
    assert trail == ["detected", "alerted", "re-escalated", "re-escalated", "re-escalated", "re-escalated"]
    what = cases.events(crew.r, 1)[2]["what"]
    assert what.startswith("no acknowledgement after 5m: re-escalated to level 2") and "Ben (***0002)" in what


def test_close_with_a_note_ends_the_case_and_a_new_crisis_opens_a_new_one(crew: Harness) -> None:
    member = crew.member(M1).joins()
    member.texts(CRISIS)
    crew.work()
    assert crew.member(CY).texts("CLOSE 1 talked, safe with her sister") == ["Case 1 is closed. Thank you, Cy."]
    crew.work()
    assert crew.twilio.texts_to(ANA)[-1] == "Case 1 was closed by Cy."
    case = only_case(crew)
    assert case.status == CaseStatus.CLOSED and case.note == "talked, safe with her sister"
    assert crew.member(ANA).texts("ACK 1") == ["Case 1 is already closed."]
    assert crew.member(ANA).texts("CLOSE 9") == ["There is no case 9."]
    member.texts("it's back, I want to die")
    assert [c.id for c in cases.all_cases(crew.r)] == [1, 2]


def test_more_crisis_messages_join_the_open_case_and_only_its_holder_hears_of_them(crew: Harness) -> None:
    member = crew.member(M1).joins()
    member.texts(CRISIS)
    crew.work()
    [again] = member.texts("I have the pills right here")
    assert again.startswith(RESOURCE_EN) and "being alerted" in again
    crew.work()
    assert len(cases.all_cases(crew.r)) == 1
    assert len(crew.twilio.texts_to(ANA)) == 1  # an open case alerts by its ladder, not once per text
    crew.member(ANA).texts("ACK 1")
    [held] = member.texts("i want to kill myself")
    assert "has your message" in held
    crew.work()
    assert crew.twilio.texts_to(ANA)[-1] == 'Case 1, number ending 0401 wrote again: "i want to kill myself"'
    member.texts("i'm going to kill myself right now")
    crew.work()
    assert crew.twilio.texts_to(ANA)[-1].endswith('"i want to kill myself"')  # once in a few minutes
    assert crew.twilio.texts_to(BEN) == []
    assert [e["event"] for e in cases.events(crew.r, 1)].count("message") == 3
    assert [t["text"] for t in cases.texts(crew.r, 1)] == [CRISIS, "I have the pills right here",
                                                          "i want to kill myself", "i'm going to kill myself right now"]


def test_a_staff_command_is_not_read_as_a_crisis(crew: Harness) -> None:
    crew.member(M1).texts(CRISIS)
    crew.work()
    crew.member(ANA).texts("CLOSE 1 she said I want to kill myself, now safe at home")
    assert len(cases.all_cases(crew.r)) == 1


def test_ordinary_messages_are_not_crises(crew: Harness) -> None:
    crew.member(M1).joins()
    assert crew.member(M1).texts("MENU")[0].startswith("Reply 1")
    assert cases.all_cases(crew.r) == []


def test_a_spoken_crisis_is_answered_aloud_and_dials_on_call_staff(crew: Harness) -> None:
    from flows import engine
    from flows.inbound import Channel, Inbound

    outcome = engine.handle(crew.line, Inbound(Channel.VOICE, M1, "I just want to kill myself", crew.line.now()))
    assert outcome.dial == (ANA,)
    assert outcome.replies[0].voice.startswith(RESOURCE_EN)
    assert only_case(crew).channel == "voice"


def test_peers_cannot_acknowledge_cases(crew: Harness) -> None:
    crew.cli("staff", "add", "Pat", staff_number(4), "--role", "peer")
    crew.member(M1).texts(CRISIS)
    crew.member(staff_number(4)).texts("ACK 1")
    assert only_case(crew).status == CaseStatus.OPEN


def test_the_crisis_path_logs_no_number_and_no_words(crew: Harness, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    crew.member(M1).texts(CRISIS)
    crew.work()
    crew.member(ANA).texts("ACK 1")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records and "0401" in logged  # masked numbers only
    for secret in (M1, M1[2:], ANA, "kill", "tonight"):
        assert secret not in logged


def test_a_feature_can_follow_the_crisis_answer_in_the_same_response(crew: Harness) -> None:
    from flows import crisis
    from flows.outcome import Reply

    def plan(turn: object, language: str) -> list[Reply]:
        return [Reply("Your plan: 1. Call Sam. 2. Go for a walk.")]

    crisis.followups.append(plan)
    try:
        replies = crew.member(M1).texts(CRISIS)
    finally:
        crisis.followups.remove(plan)
    assert replies[0].startswith(RESOURCE_EN) and replies[-1] == "Your plan: 1. Call Sam. 2. Go for a walk."


def test_the_extra_lexicon_directory_comes_from_the_settings(line: Harness, tmp_path: Path) -> None:
    """TEXTLINE_CRISIS_LEXICON_DIR, read into Settings.crisis_lexicon_dir, extends what the crisis stage catches."""
    (tmp_path / "local.toml").write_text('language = "en"\n[phrases]\ndanger = ["code purple"]\n')
    line.member(M1).joins()

    def said(on: Line) -> list[str]:
        return [r.text for r in engine.handle(on, Inbound(Channel.SMS, M1, "code purple", on.now())).replies]

    said(line.line)  # without the site's entry the model alone may call it a concern, never a crisis
    assert cases.for_member(line.r, M1) == []
    extended = Line.from_settings(line.settings.but(crisis_lexicon_dir=tmp_path))
    assert RESOURCE_EN in said(extended)[0]
    [case] = cases.for_member(line.r, M1)
    assert case.category == "danger"
