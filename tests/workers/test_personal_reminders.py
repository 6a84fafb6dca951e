"""Personal reminders go out at the member's local time (test clock), respect quiet hours, stop when asked."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.support.harness import Harness, Person, member_number
from textline.core import timers
from textline.models import reminders_personal as store
from workers.personal_reminders import fire_now

M1, MX = member_number(851), "+525512345678"
NY, CDMX = ZoneInfo("America/New_York"), ZoneInfo("America/Mexico_City")


def at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = NY) -> datetime:
    """A local time in March 2026 (Monday the 2nd), as UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=zone).astimezone(UTC)


def joined(line: Harness, phone: str = M1) -> Person:
    line.set_clock(at(2, 12))
    member = line.member(phone)
    member.texts("hi")
    member.texts("YES")
    return member


def sets(member: Person, what: str, when: str, how: str = "1") -> None:
    member.texts(f"REMIND {what}")
    member.texts(when)
    assert "aved reminder" in member.texts(how)[0]


def until(line: Harness, moment: datetime) -> list[str]:
    line.set_clock(moment)
    line.work()
    return [t for t in line.twilio.texts_to(M1) if t.startswith("Reminder")]


def test_a_daily_reminder_arrives_at_the_local_time_each_day_across_dst(line: Harness) -> None:
    sets(joined(line), "Take my pills", "08:00")
    assert until(line, at(3, 7, 59)) == []
    assert until(line, at(3, 8, 0)) == ["Reminder: Take my pills"]
    assert until(line, at(3, 20, 0)) == ["Reminder: Take my pills"]
    for day in (4, 5, 6, 7):
        assert len(until(line, at(day, 8, 0))) == day - 2
    # Clocks went forward on Sunday the 8th: still 08:00 in New York, an hour earlier in UTC.
    assert len(until(line, at(8, 7, 59))) == 5
    assert len(until(line, at(8, 8, 0))) == 6
    assert at(8, 8, 0).hour == 12 and at(7, 8, 0).hour == 13


def test_a_spanish_weekly_reminder_in_the_members_own_zone(line: Harness) -> None:
    member = joined(line, MX)
    member.texts("RECORDAR Llamar a mi mama")
    member.texts("MIE 18:30")
    member.texts("1")
    line.set_clock(at(4, 18, 29, CDMX))
    line.work()
    assert line.twilio.texts_to(MX) == []
    line.set_clock(at(4, 18, 30, CDMX))
    line.work()
    assert line.twilio.texts_to(MX) == ["Recordatorio: Llamar a mi mama"]


def test_a_time_the_member_chose_goes_out_even_in_quiet_hours(line: Harness) -> None:
    line.configure(quiet_hours="21:00-08:00")
    sets(joined(line), "Evening pills", "22:30")
    assert until(line, at(2, 22, 29)) == []
    assert until(line, at(2, 22, 30)) == ["Reminder: Evening pills"]


def test_a_late_reminder_waits_for_quiet_hours_to_end(line: Harness) -> None:
    line.configure(quiet_hours="21:00-08:00")
    sets(joined(line), "Lay out clothes", "20:50")
    # Nothing ran between 20:50 and 21:30 (workers down): now it is quiet hours, so it waits.
    assert until(line, at(2, 21, 30)) == []
    assert until(line, at(3, 7, 59)) == []
    assert until(line, at(3, 8, 0)) == ["Reminder for 20:50: Lay out clothes"]
    assert until(line, at(3, 20, 50))[1:] == ["Reminder: Lay out clothes"]  # the next one on its own time


def test_occurrences_missed_while_nothing_ran_are_sent_once_or_skipped_when_stale(line: Harness) -> None:
    sets(joined(line), "Stretch", "08:00")
    assert until(line, at(5, 9, 0)) == ["Reminder for 08:00: Stretch"]  # the 3rd, 4th and 5th: one text
    assert until(line, at(6, 21, 0)) == ["Reminder for 08:00: Stretch"]  # 13 h late: the next one is near
    assert until(line, at(7, 8, 0))[1:] == ["Reminder: Stretch"]


def test_a_date_without_a_time_respects_quiet_hours(line: Harness) -> None:
    line.configure(quiet_hours="21:00-10:00")
    member = joined(line)
    sets(member, "Dentist at noon", "2026-03-05")
    assert until(line, at(5, 9, 0)) == []
    assert until(line, at(5, 10, 0)) == ["Reminder: Dentist at noon"]
    assert member.texts("REMINDERS") == ["You have no reminders. Reply REMIND to set one."]
    assert timers.pending(line.r, "personal_reminder:") == []


def test_remind_stop_ends_it(line: Harness) -> None:
    member = joined(line)
    sets(member, "Walk", "09:00")
    assert until(line, at(3, 9, 0)) == ["Reminder: Walk"]
    member.texts("REMIND STOP 1")
    assert until(line, at(4, 9, 0)) == ["Reminder: Walk"]
    assert timers.pending(line.r, "personal_reminder:") == []


def test_never_sent_after_stop(line: Harness) -> None:
    member = joined(line)
    sets(member, "Walk", "09:00")
    member.texts("STOP")
    assert until(line, at(3, 9, 0)) == []
    assert until(line, at(4, 9, 0)) == []
    member.texts("START")
    assert until(line, at(5, 9, 0)) == ["Reminder: Walk"]


def test_a_reminder_by_call_is_read_by_a_call(line: Harness) -> None:
    member = joined(line)
    sets(member, "Breathe", "09:00", how="2")
    line.set_clock(at(3, 9, 0))
    line.work()
    [call] = line.twilio.calls_to(M1)
    assert (call.get("Url") or "").startswith("https://line.example.org/twilio/voice/notice/")
    assert line.twilio.texts_to(M1) == []
    notice = line.post((call.get("Url") or "").removeprefix("https://line.example.org"),
                       {"CallSid": "CA" + "7" * 32, "From": "+15005550006", "To": M1, "AccountSid": "AC1",
                        "CallStatus": "in-progress", "Direction": "outbound-api"})
    assert notice.status_code == 200 and b"<Say" in notice.data


def test_a_job_run_again_for_the_same_time_sends_once(line: Harness) -> None:
    sets(joined(line), "Pills", "08:00")
    [reminder] = store.of_member(line.r, M1)
    assert until(line, at(3, 8, 0)) == ["Reminder: Pills"]
    # As if the worker died after sending but before moving the reminder on: its watch timer runs it again.
    line.r.hset(f"tl:personal_reminder:{reminder.id}", "due", repr(at(3, 8, 0).timestamp()))
    assert fire_now(line.line, reminder.id) == "sent"
    line.work()
    assert until(line, at(3, 8, 1)) == ["Reminder: Pills"]
    assert store.of_member(line.r, M1)[0].due == at(4, 8, 0).timestamp()
