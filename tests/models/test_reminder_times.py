"""Reading when a member wants a reminder, and its next local times (DST included)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from textline.core.quiet import next_allowed
from textline.core.settings import QuietHours
from textline.models.reminder_times import Repeat, Schedule, latest_due, next_time, parse

NY = "America/New_York"


@pytest.mark.parametrize(("text", "expected"), [
    ("08:00", Schedule(Repeat.DAILY, time(8, 0))),
    ("8:30", Schedule(Repeat.DAILY, time(8, 30))),
    ("every day at 9pm", Schedule(Repeat.DAILY, time(21, 0))),
    ("cada dia a las 21:15", Schedule(Repeat.DAILY, time(21, 15))),
    ("12am", Schedule(Repeat.DAILY, time(0, 0))),
    ("12:30 p.m.", Schedule(Repeat.DAILY, time(12, 30))),
    ("MON 09:00", Schedule(Repeat.WEEKLY, time(9, 0), weekday=0)),
    ("every friday 6pm", Schedule(Repeat.WEEKLY, time(18, 0), weekday=4)),
    ("miércoles 7.45", Schedule(Repeat.WEEKLY, time(7, 45), weekday=2)),
    ("Dom 10h30", Schedule(Repeat.WEEKLY, time(10, 30), weekday=6)),
    ("2026-12-01 09:00", Schedule(Repeat.ONCE, time(9, 0), day=date(2026, 12, 1))),
    ("on 2026-12-01 at 4:15pm", Schedule(Repeat.ONCE, time(16, 15), day=date(2026, 12, 1))),
    ("2026-12-01", Schedule(Repeat.ONCE, time(9, 0), day=date(2026, 12, 1), chosen=False)),
])
def test_what_members_write(text: str, expected: Schedule) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["", "tomorrow", "8", "25:00", "9:75", "13pm", "MON", "MON TUE 9:00",
                                  "2026-13-01", "2026-02-30 9:00", "MON 2026-12-01 9:00", "at 9:00 please",
                                  "9:00 and 10:00"])
def test_what_is_not_a_time(text: str) -> None:
    assert parse(text) is None


def test_fields_round_trip() -> None:
    for schedule in (parse("MON 09:00"), parse("2026-12-01"), parse("23:59")):
        assert schedule is not None and Schedule.from_fields(schedule.fields()) == schedule


def test_daily_local_time_holds_across_dst() -> None:
    daily = Schedule(Repeat.DAILY, time(8, 0))
    before = next_time(daily, datetime(2026, 3, 7, 12, 0, tzinfo=UTC), NY)
    after = next_time(daily, datetime(2026, 3, 8, 11, 0, tzinfo=UTC), NY)  # DST began at 2:00 that morning
    assert before == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    assert after is not None and after.astimezone(ZoneInfo(NY)).time() == time(8, 0)


def test_weekly_and_once() -> None:
    monday = Schedule(Repeat.WEEKLY, time(9, 0), weekday=0)
    sunday_noon = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    assert next_time(monday, sunday_noon, NY) == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert next_time(monday, datetime(2026, 3, 2, 14, 0, tzinfo=UTC), NY) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    once = Schedule(Repeat.ONCE, time(9, 0), day=date(2026, 3, 2))
    assert next_time(once, sunday_noon, NY) == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert next_time(once, datetime(2026, 3, 2, 14, 0, tzinfo=UTC), NY) is None


def test_missed_occurrences_collapse_into_the_latest() -> None:
    daily = Schedule(Repeat.DAILY, time(8, 0))
    due = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
    now = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)
    assert latest_due(daily, due, now, NY) == (datetime(2026, 3, 5, 13, 0, tzinfo=UTC),
                                               datetime(2026, 3, 6, 13, 0, tzinfo=UTC))


def test_quiet_hours_end_in_the_members_zone() -> None:
    quiet = QuietHours(time(21, 0), time(8, 0))
    late_evening = datetime(2026, 3, 3, 2, 30, tzinfo=UTC)  # 21:30 in New York
    assert next_allowed(late_evening, NY, quiet) == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    noon = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
    assert next_allowed(noon, NY, quiet) == noon
