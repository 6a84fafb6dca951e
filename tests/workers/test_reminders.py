"""Meeting reminders: at the right local times across DST, answered 1 / 2, silenced by a cancel."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.support.harness import Harness, member_number
from textline.core import timers
from textline.models import meetings

M1, M2, M3 = member_number(501), member_number(502), member_number(503)
MONDAY_NOON = datetime(2025, 3, 3, 17, 0, tzinfo=UTC)  # 12:00 EST; DST starts Sunday 2025-03-09
SECOND = timedelta(seconds=1)
REMINDER_4 = "Tuesday Circle: Tue Mar 4, 7:00pm, St Mark's hall. Reply 1 if you're coming, 2 if you can't make it."
REMINDER_11 = REMINDER_4.replace("Mar 4", "Mar 11")


def circle(line: Harness, *phones: str, every: bool = False) -> None:
    line.set_clock(MONDAY_NOON)
    line.cli("groups", "add", "Tuesday Circle", "--code", "TUE1", "--tz", "America/New_York")
    args = ["meetings", "add", "tue1", "--at", "2025-03-04 19:00", "--where", "St Mark's hall"]
    result = line.cli(*args, *(["--every", "week"] if every else []))
    assert result.exit_code == 0, result.output
    for phone in phones:
        line.member(phone).joins().texts("JOIN TUE1")


def at(line: Harness, when: datetime) -> None:
    line.set_clock(when)
    line.work()


def test_weekly_reminders_keep_local_time_across_the_dst_change(line: Harness) -> None:
    circle(line, M1, every=True)
    # Tue 4 Mar 19:00 EST is 00:00Z on the 5th: reminders at 00:00Z (24 h) and 22:00Z (2 h) on the 4th.
    at(line, datetime(2025, 3, 4, 0, 0, tzinfo=UTC) - SECOND)
    assert line.member(M1).received == []
    at(line, datetime(2025, 3, 4, 0, 0, tzinfo=UTC))
    assert line.member(M1).received == [REMINDER_4]
    at(line, datetime(2025, 3, 4, 22, 0, tzinfo=UTC) - SECOND)
    assert len(line.member(M1).received) == 1
    at(line, datetime(2025, 3, 4, 22, 0, tzinfo=UTC))
    assert line.member(M1).received == [REMINDER_4, REMINDER_4]
    at(line, datetime(2025, 3, 5, 0, 0, tzinfo=UTC))  # the meeting starts: the next one is planned
    # Tue 11 Mar 19:00 is EDT now, 23:00Z: its 24 h reminder is 23:00Z on the 10th, an hour earlier in UTC.
    at(line, datetime(2025, 3, 10, 23, 0, tzinfo=UTC) - SECOND)
    assert len(line.member(M1).received) == 2
    at(line, datetime(2025, 3, 10, 23, 0, tzinfo=UTC))
    assert line.member(M1).received[2:] == [REMINDER_11]
    at(line, datetime(2025, 3, 11, 21, 0, tzinfo=UTC))
    assert line.member(M1).received[2:] == [REMINDER_11, REMINDER_11]


def test_answers_1_and_2_are_recorded_for_the_meeting(line: Harness) -> None:
    circle(line, M1, M2, M3)
    at(line, datetime(2025, 3, 4, 0, 0, tzinfo=UTC))
    assert line.member(M1).texts("1") == ["Thanks, see you there! Reply MENU for options."]
    assert line.member(M2).texts(" 2. ")[0].startswith("Thanks for letting us know")
    assert line.member(M1).texts("2") == [line.member(M1).texts("NEXT")[0]]  # answered: 2 is the menu again
    [listed] = line.cli_json("meetings", "list")
    assert listed["rsvps"] == {M1: "coming", M2: "not_coming"}
    assert (listed["coming"], listed["not_coming"], listed["at"], listed["status"]) == (1, 1, "2025-03-04 19:00",
                                                                                         "scheduled")
    exported = json.loads(line.cli("members", "export", M1).stdout)
    assert exported["rsvps"] == [{"meeting": 1, "starts_at": "2025-03-05T00:00:00+00:00", "answer": "coming"}]
    line.cli("members", "erase", M1, "--yes")
    assert line.cli_json("meetings", "list")[0]["rsvps"] == {M2: "not_coming"}


def test_1_means_check_in_again_when_no_reminder_is_waiting(line: Harness) -> None:
    circle(line, M1)
    assert line.member(M1).texts("1") != ["Thanks, see you there! Reply MENU for options."]
    [listed] = line.cli_json("meetings", "list")
    assert listed["rsvps"] == {}


def test_cancelling_tells_those_reminded_and_nothing_more_is_sent(line: Harness) -> None:
    circle(line, M1, M2)
    at(line, datetime(2025, 3, 4, 0, 0, tzinfo=UTC))
    line.member(M3).joins().texts("JOIN TUE1")  # joined after the reminder: not told
    result = line.cli("meetings", "cancel", "1")
    assert result.exit_code == 0 and "telling 2 members" in result.output
    line.work()
    cancelled = "Tuesday Circle: the meeting on Tue Mar 4, 7:00pm is cancelled. Sorry for the change."
    assert line.member(M1).received == [REMINDER_4, cancelled]
    assert line.member(M2).received == [REMINDER_4, cancelled]
    at(line, datetime(2025, 3, 4, 22, 0, tzinfo=UTC))
    at(line, datetime(2025, 3, 5, 1, 0, tzinfo=UTC))
    assert len(line.twilio.messages) == 4 and line.member(M3).received == []
    assert line.cli_json("meetings", "list")[0]["status"] == "cancelled"
    assert line.cli("meetings", "cancel", "1").exit_code != 0


def test_a_reminder_job_rereads_the_meeting(line: Harness) -> None:
    circle(line, M1)
    meetings.cancel(line.r, 1, MONDAY_NOON)  # cancelled behind the timers' back
    assert timers.pending(line.r, "remind:1:")
    at(line, datetime(2025, 3, 4, 22, 0, tzinfo=UTC))
    assert line.twilio.messages == []


def test_reminders_wait_for_quiet_hours_to_end_and_the_newest_supersedes(line: Harness) -> None:
    line.configure(quiet_hours="21:00-08:00", reminders={"before": ["2h", "30m"]})
    line.set_clock(MONDAY_NOON)
    line.cli("groups", "add", "Early Birds", "--code", "EARLY", "--tz", "America/New_York")
    line.cli("meetings", "add", "EARLY", "--at", "2025-03-04 08:10")
    line.member(M1).joins().texts("JOIN EARLY")
    at(line, datetime(2025, 3, 4, 11, 10, tzinfo=UTC))  # 06:10 EST, quiet: the 2 h reminder is held
    at(line, datetime(2025, 3, 4, 12, 40, tzinfo=UTC))  # 07:40, quiet: the 30 m one replaces it
    assert line.member(M1).received == []
    at(line, datetime(2025, 3, 4, 13, 0, tzinfo=UTC))  # 08:00: one reminder, not two
    assert line.member(M1).received == [
        "Early Birds: Tue Mar 4, 8:10am, the usual place. Reply 1 if you're coming, 2 if you can't make it."]


def test_a_held_reminder_is_dropped_once_the_meeting_has_begun(line: Harness) -> None:
    line.configure(quiet_hours="21:00-08:00")
    line.set_clock(MONDAY_NOON)
    line.cli("groups", "add", "Dawn", "--code", "DAWN", "--tz", "America/New_York")
    line.cli("meetings", "add", "DAWN", "--at", "2025-03-04 07:00")  # its 24 h reminder time has passed
    line.member(M1).joins().texts("JOIN DAWN")
    at(line, datetime(2025, 3, 4, 10, 0, tzinfo=UTC))  # 05:00 EST: the 2 h reminder is held until 08:00
    at(line, datetime(2025, 3, 4, 13, 0, tzinfo=UTC))  # 08:00, but the meeting began at 07:00
    assert line.member(M1).received == []
    [reminder] = line.cli_json("broadcasts")
    assert (reminder["kind"], reminder["status"], reminder["held"], reminder["skipped"]) == ("reminder", "done", 1, 1)


def test_each_member_gets_the_reminder_in_their_own_language_and_wording(line: Harness) -> None:
    from textline.models import members

    circle(line, M1, M2, M3)
    members.update(line.r, M2, language="es")
    members.update(line.r, M3, language="es", discreet=True)
    at(line, datetime(2025, 3, 4, 0, 0, tzinfo=UTC))
    [en], [es], [es_discreet] = (line.member(p).received for p in (M1, M2, M3))

    def spanish(discreet: bool) -> str:
        return line.line.text("es", "groups.reminder", discreet=discreet, group="Tuesday Circle",
                              where="St Mark's hall", when=meetings.when_text("es", datetime(2025, 3, 4, 19, 0)))

    assert en == REMINDER_4
    assert es == spanish(False) != en
    assert es_discreet == spanish(True)
