"""Choosing scheduled check-in prompts by SMS: daily, weekly or off, at a local time; and the time zone."""
from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from flows.schedule import parse_day, parse_time
from flows.zone import parse_zone
from tests.support.harness import Harness, member_number
from textline.core import timers
from textline.models import members, prompts, sessions

NY = member_number(401)            # +1 202: America/New_York
LA = "+12065550402"                # +1 206: America/Los_Angeles
MX = "+525512345679"               # Mexico City, Spanish
MONDAY_8AM_NY = datetime(2024, 6, 3, 12, tzinfo=UTC)


@pytest.fixture
def monday(line: Harness) -> Harness:
    line.set_clock(MONDAY_8AM_NY)
    return line


def due(line: Harness, phone: str) -> datetime | None:
    schedule = prompts.get(line.r, phone)
    at = timers.due_at(line.r, f"prompt:{schedule.id}") if schedule else None
    return datetime.fromtimestamp(at, UTC) if at is not None else None


@pytest.mark.parametrize(("text", "at"), [
    ("9", time(9)), ("9am", time(9)), ("9 AM", time(9)), ("9:30pm", time(21, 30)), ("6:30 p.m.", time(18, 30)),
    ("18:30", time(18, 30)), ("9h30", time(9, 30)), ("12am", time(0)), ("12pm", time(12)), ("noon", time(12)),
    ("at 7 in the evening", time(19)), ("7 de la tarde", time(19)), ("a las 8 de la mañana", time(8)),
])
def test_times_as_people_write_them(text: str, at: time) -> None:
    assert parse_time(text) == at


@pytest.mark.parametrize("text", ["", "soon", "25:00", "13pm", "9:75", "9 or 10", "0am"])
def test_unclear_times_are_not_guessed(text: str) -> None:
    assert parse_time(text) is None


@pytest.mark.parametrize(("text", "day"), [("mon", 0), ("Mondays", 0), ("TUES", 1), ("miércoles", 2), ("jue", 3),
                                           ("viernes", 4), ("Sat", 5), ("domingo", 6)])
def test_days_in_english_and_spanish(text: str, day: int) -> None:
    assert parse_day(text) == day


def test_step_by_step_daily(monday: Harness) -> None:
    member = monday.member(NY).joins()
    [ask] = member.texts("SCHEDULE")
    assert "1 Daily, 2 Weekly or 3 Off" in ask
    [when] = member.texts("1")
    assert "What time?" in when
    confirm, tip = member.texts("9am")
    assert "every day at 9:00am" in confirm and "First one: Mon 9:00am EDT" in confirm
    assert "DISCREET ON" in tip
    schedule = prompts.get(monday.r, NY)
    assert (schedule.cadence, schedule.at, schedule.weekday) == ("daily", time(9), None)
    assert due(monday, NY) == datetime(2024, 6, 3, 13, tzinfo=UTC)
    assert sessions.get(monday.r, NY) is None


def test_weekly_in_one_message(monday: Harness) -> None:
    member = monday.member(NY).joins()
    [confirm, _] = member.texts("WEEKLY WED 6:30pm")
    assert "every Wednesday at 6:30pm" in confirm and "Wed 6:30pm EDT" in confirm
    assert due(monday, NY) == datetime(2024, 6, 5, 22, 30, tzinfo=UTC)


def test_weekly_asks_for_the_day_then_the_time(monday: Harness) -> None:
    member = monday.member(NY).joins()
    [day] = member.texts("weekly")
    assert "Which day?" in day
    [when] = member.texts("fri")
    assert "What time?" in when
    [confirm, _] = member.texts("18:30")
    assert "every Friday at 6:30pm" in confirm
    assert due(monday, NY) == datetime(2024, 6, 7, 22, 30, tzinfo=UTC)


def test_daily_without_a_time_asks_for_it(monday: Harness) -> None:
    member = monday.member(NY).joins()
    assert "What time?" in member.texts("DAILY")[0]
    assert "every day at 7:15pm" in member.texts("7:15pm")[0]
    assert "every day at 10:00am" in member.texts("DAILY 10")[0]


def test_the_current_choice_is_shown_and_can_be_turned_off(monday: Harness) -> None:
    member = monday.member(NY).joins()
    member.texts("DAILY 9am")
    [ask] = member.texts("SCHEDULE")
    assert "now: daily at 9:00am" in ask
    [off] = member.texts("3")
    assert "no more" in off
    assert prompts.get(monday.r, NY).cadence == "off"
    assert due(monday, NY) is None
    [confirm] = member.texts("SCHEDULE DAILY 10am")  # the tip about discreet mode comes once
    assert "every day at 10:00am" in confirm


def test_schedule_off_in_one_message(monday: Harness) -> None:
    member = monday.member(NY).joins()
    member.texts("DAILY 9am")
    assert "no more" in member.texts("schedule off")[0]
    assert due(monday, NY) is None


def test_a_time_in_quiet_hours_starts_when_they_end(monday: Harness) -> None:
    monday.configure(quiet_hours="21:00-08:00")
    member = monday.member(NY).joins()
    [confirm, _] = member.texts("DAILY 11pm")
    assert "every day at 11:00pm" in confirm and "First one: Tue 8:00am EDT" in confirm
    assert due(monday, NY) == datetime(2024, 6, 4, 12, tzinfo=UTC)


def test_unclear_answers_are_asked_again_then_nothing_changes(monday: Harness) -> None:
    member = monday.member(NY).joins()
    member.texts("SCHEDULE")
    assert "1 Daily" in member.texts("whenever")[0]
    member.texts("hmm")
    [gave_up] = member.texts("idk")
    assert "nothing changed" in gave_up and "MENU" in gave_up
    assert prompts.get(monday.r, NY) is None


def test_in_spanish(monday: Harness) -> None:
    member = monday.member(MX).joins()
    [ask] = member.texts("HORARIO")
    assert "1 Diario, 2 Semanal o 3 Nunca" in ask
    assert "¿A que hora?" in member.texts("1")[0]
    confirm, tip = member.texts("20:00")
    assert "cada dia a las 20:00" in confirm and "El primero: lun 20:00 CST" in confirm
    assert "DISCRETO SI" in tip
    assert due(monday, MX) == datetime(2024, 6, 4, 2, tzinfo=UTC)


def test_the_zone_is_guessed_from_the_number_and_can_be_changed(monday: Harness) -> None:
    member = monday.member(LA).joins()
    assert members.get(monday.r, LA).timezone == "America/Los_Angeles"
    member.texts("DAILY 9am")
    assert due(monday, LA) == datetime(2024, 6, 3, 16, tzinfo=UTC)
    [shown] = member.texts("ZONE")
    assert "America/Los_Angeles" in shown
    [changed] = member.texts("zone eastern")
    assert "America/New_York" in changed
    assert members.get(monday.r, LA).timezone == "America/New_York"
    assert due(monday, LA) == datetime(2024, 6, 3, 13, tzinfo=UTC)  # re-armed in the new zone
    assert "don't know" in member.texts("ZONE Atlantis")[0]


@pytest.mark.parametrize(("text", "zone"), [
    ("pacific", "America/Los_Angeles"), ("America/Chicago", "America/Chicago"), ("america/new_york",
     "America/New_York"), ("new york", "America/New_York"), ("Ciudad de México", "America/Mexico_City"),
    ("London", "Europe/London"), ("centro", "America/Chicago"), ("utc", "UTC"),
])
def test_zone_names_as_people_write_them(text: str, zone: str) -> None:
    assert parse_zone(text) == zone


@pytest.mark.parametrize("text", ["Atlantis", "../../etc/passwd", "", "x" * 60])
def test_unknown_zones_are_refused(text: str) -> None:
    assert parse_zone(text) is None
