"""A reminder or check-in prompt that cannot go by SMS (30006), or to a member who chose calls, is read by a call."""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from tests.support.harness import LINE_NUMBER, PUBLIC_URL, Harness, member_number
from tests.support.voice import Caller
from textline.core import queues
from textline.models import checkins, member_data, members, outbound, voice_notices
from textline.models.outbound import Kind, Status
from textline.models.voice_notices import Contact

M1 = member_number(401)
NY = member_number(402)                         # America/New_York
MONDAY = datetime(2024, 6, 3, 15, tzinfo=UTC)   # 11:00 in New York
NOON = datetime(2024, 6, 3, 16, tzinfo=UTC)     # 12:00 EDT
REMINDER = "Reminder: Riverside group Tue 6:00pm at the library. Reply 1 coming, 2 can't make it."


def remind(line: Harness, phone: str = M1, kind: Kind = Kind.REMINDER) -> str:
    """What a reminder sender does: a record and its delivery."""
    msg_id = outbound.send_text(line.line, phone, REMINDER, kind=kind, queue=queues.BROADCAST, ref="bc:1")
    assert msg_id is not None
    line.work()
    return msg_id


def carrier_says(line: Harness, msg_id: str, error: str = "30006") -> None:
    """Twilio's status callback: the text could not be delivered."""
    message = outbound.get(line.r, msg_id)
    assert message is not None and message.sid
    assert line.status(message.sid, "undelivered", error).status_code == 200


def answer_the_call(line: Harness, phone: str) -> Caller:
    """The member picks up: Twilio fetches the call's TwiML."""
    [call] = line.twilio.calls_to(phone)[-1:]
    return Caller(line, phone, outbound=True).post(urlsplit(call.get("Url")).path)


def test_a_30006_on_a_reminder_places_a_call_that_reads_it(line: Harness) -> None:
    line.member(M1).joins()
    msg_id = remind(line)
    carrier_says(line, msg_id)
    [job] = queues.queue(line.line, queues.CALLS).get_jobs()
    assert job.args == (msg_id,) and M1 not in job.description  # ids only
    line.work()
    [call] = line.twilio.calls_to(M1)
    assert call.get("Url") == f"{PUBLIC_URL}/twilio/voice/notice/{msg_id}"
    assert call.get("From") == LINE_NUMBER
    callee = answer_the_call(line, M1)
    assert callee.heard == "Hello, this is Test Line with a message for you. To hear it, press 1."
    callee.press("1")
    assert callee.heard == ("Reminder: Riverside group Tue 6:00pm at the library. Press 1 coming, 2 can't make it. "
                            "To answer, press your choice now. To hear the message again, press star.")
    assert voice_notices.contact(line.r, M1) == Contact.CALL  # a landline: calls from now on


def test_a_30006_on_a_check_in_prompt_takes_the_mood_by_keypad(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.member(NY).joins().texts("DAILY noon")
    line.set_clock(NOON)
    line.work()
    [prompt] = [m for m in line.twilio.messages if m.to == NY and "time to check in" in (m.body or "")]
    carrier_says(line, outbound.by_sid(line.r, prompt.sid))
    line.work()
    callee = answer_the_call(line, NY)
    callee.press("1")
    assert callee.heard.startswith("Test Line: time to check in. How are you feeling? Press 1 (very low)")
    callee.press("4")
    [entry] = checkins.history(line.r, NY)
    assert (entry.mood, entry.prompted) == (4, True)
    assert "say it now" in callee.heard
    callee.press("1")  # skip the note
    assert callee.heard.startswith("Thank you for checking in.")


def test_after_a_30006_the_next_prompt_is_a_call_from_the_start(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.member(NY).joins().texts("DAILY noon")
    line.set_clock(NOON)
    line.work()
    [prompt] = [m for m in line.twilio.messages if m.to == NY and "time to check in" in (m.body or "")]
    carrier_says(line, outbound.by_sid(line.r, prompt.sid))
    line.work()
    texts_before = len(line.twilio.texts_to(NY))
    line.set_clock(datetime(2024, 6, 4, 16, tzinfo=UTC))
    line.work()
    assert len(line.twilio.calls_to(NY)) == 2
    assert len(line.twilio.texts_to(NY)) == texts_before
    answer_the_call(line, NY).press("1").press("2")
    assert [entry.mood for entry in checkins.history(line.r, NY)] == [2]


def test_replies_and_other_errors_are_not_called(line: Harness) -> None:
    line.member(M1).joins()
    carrier_says(line, remind(line, kind=Kind.REPLY))
    carrier_says(line, remind(line), error="30003")
    line.work()
    assert line.twilio.calls_to(M1) == []
    assert voice_notices.contact(line.r, M1) == Contact.TEXT


def test_a_repeated_status_callback_calls_once(line: Harness) -> None:
    line.member(M1).joins()
    msg_id = remind(line)
    for _ in range(3):
        carrier_says(line, msg_id)
        line.work()
    assert len(line.twilio.calls_to(M1)) == 1


def test_a_member_who_opted_out_is_not_called(line: Harness) -> None:
    member = line.member(M1).joins()
    msg_id = remind(line)
    member.texts("STOP")
    carrier_says(line, msg_id)
    line.work()
    assert line.twilio.calls_to(M1) == []


def test_a_member_who_opts_out_before_picking_up_hears_nothing(line: Harness) -> None:
    member = line.member(M1).joins()
    msg_id = remind(line)
    carrier_says(line, msg_id)
    line.work()
    member.texts("STOP")
    callee = Caller(line, M1, outbound=True).post(f"/twilio/voice/notice/{msg_id}")
    assert callee.hangs_up and callee.heard == ""


def test_quiet_hours_hold_the_call_until_morning(line: Harness) -> None:
    line.configure(quiet_hours="21:00-08:00")
    line.set_clock(datetime(2024, 6, 4, 0, 30, tzinfo=UTC))  # 20:30 in New York
    line.member(NY).joins()
    msg_id = remind(line, NY)
    line.set_clock(datetime(2024, 6, 4, 1, 30, tzinfo=UTC))  # 21:30: the failure comes in late
    carrier_says(line, msg_id)
    line.work()
    assert line.twilio.calls_to(NY) == []
    line.set_clock(datetime(2024, 6, 4, 12, tzinfo=UTC))  # 08:00
    line.work()
    assert len(line.twilio.calls_to(NY)) == 1


def test_a_text_gone_stale_is_not_called_about(line: Harness) -> None:
    line.set_clock(MONDAY)
    line.member(M1).joins()
    msg_id = remind(line)
    line.set_clock(datetime(2024, 6, 4, 4, tzinfo=UTC))  # 13 hours later
    carrier_says(line, msg_id)
    line.work()
    assert line.twilio.calls_to(M1) == []


def test_a_discreet_member_is_not_told_the_line_s_name_before_pressing(line: Harness) -> None:
    line.member(M1).joins().texts("DISCREET ON")
    carrier_says(line, remind(line))
    line.work()
    callee = answer_the_call(line, M1)
    assert callee.heard == "Hello, you have a message. To hear it, press 1."
    assert "Test Line" not in " ".join(callee.silence())


def test_a_member_who_chose_calls_gets_prompts_as_calls_and_no_text(line: Harness) -> None:
    line.set_clock(MONDAY)
    member = line.member(NY).joins()
    member.texts("DAILY noon")
    [said] = member.texts("VOICE ON")
    assert "phone call" in said
    texts_before = len(line.twilio.texts_to(NY))
    line.set_clock(NOON)
    line.work()
    assert len(line.twilio.texts_to(NY)) == texts_before
    [call] = line.twilio.calls_to(NY)
    msg_id = urlsplit(call.get("Url")).path.rsplit("/", 1)[1]
    assert outbound.get(line.r, msg_id).status == Status.SKIPPED  # the text record, carried by the call
    answer_the_call(line, NY).press("1").press("5")
    assert [(e.mood, e.prompted) for e in checkins.history(line.r, NY)] == [(5, True)]


def test_the_choice_is_kept_under_the_member_and_erased_with_them(line: Harness) -> None:
    line.member(M1).joins().texts("VOICE ON")
    assert member_data.view(line.r, M1)["contact"] == "call"
    assert f"tl:member:{M1}:contact" in member_data.export(line.r, M1)["keys"]
    member_data.erase(line.r, M1)
    assert voice_notices.contact(line.r, M1) == Contact.TEXT
    assert members.get(line.r, M1) is None
