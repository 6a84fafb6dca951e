"""Weekly shifts as records: what a coordinator may type, when each shift holds (DST included), add/list/remove."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.support.harness import Harness, staff_number
from textline.core.errors import NotFound
from textline.models import shifts, staff
from textline.models.shifts import Shift, ShiftError
from textline.models.staff import Role

ANN, BEN = staff_number(1801), staff_number(1802)
NY = "America/New_York"
#: Sunday 8 March 2026: clocks in New York spring forward at 02:00 (EST -5 -> EDT -4).
SPRING = datetime(2026, 3, 8, tzinfo=UTC)
#: Sunday 1 November 2026: clocks fall back at 02:00 (EDT -4 -> EST -5).
FALL = datetime(2026, 11, 1, tzinfo=UTC)


def shift(days: str, start: str, end: str, tz: str = NY) -> Shift:
    return Shift(1, ANN, shifts.parse_days(days), shifts.parse_clock(start, "from"), shifts.parse_clock(end, "to"), tz)


def occurrences(s: Shift, since: datetime, days: int = 2) -> list[tuple[datetime, datetime]]:
    return [(o.start, o.end) for o in s.occurrences(since, since + timedelta(days=days)) if o.start >= since]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- what a coordinator may type --------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "days", "shown"), [
    ("mon-fri", (0, 1, 2, 3, 4), "mon-fri"), ("sat,sun", (5, 6), "sat-sun"), ("Mon Wed Fri", (0, 2, 4), "mon,wed,fri"),
    ("fri-mon", (0, 4, 5, 6), "fri-mon"), ("daily", tuple(range(7)), "daily"), ("weekends", (5, 6), "sat-sun"),
    ("tues-thurs", (1, 2, 3), "tue-thu"), ("sunday", (6,), "sun"),
])
def test_days_are_read_as_people_write_them(typed: str, days: tuple[int, ...], shown: str) -> None:
    assert shifts.parse_days(typed) == days
    assert shifts.days_text(days) == shown


@pytest.mark.parametrize(("typed", "at"), [("18:00", time(18)), ("6pm", time(18)), ("6:30 PM", time(18, 30)),
                                           ("9", time(9)), ("24:00", time(0)), ("12am", time(0)), ("noon", time(12))])
def test_times_are_read_as_people_write_them(typed: str, at: time) -> None:
    assert shifts.parse_clock(typed, "from") == at


@pytest.mark.parametrize(("call", "message"), [
    (lambda: shifts.parse_days("mon-fry"), "days 'mon-fry': 'fry' is not a day; write days like mon-fri"),
    (lambda: shifts.parse_days(" "), "days ' ': write days like mon-fri, sat,sun or daily"),
    (lambda: shifts.parse_clock("25:00", "from"), "from '25:00': not a time; write it as HH:MM, like 18:00"),
    (lambda: shifts.parse_clock("13pm", "to"), "to '13pm': not a time"),
    (lambda: shifts.parse_zone("America/Chicgo"), "tz 'America/Chicgo': not a time zone; write one like America/"),
])
def test_bad_input_says_what_was_typed_and_how_to_write_it(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ShiftError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        call()


# -- when a shift holds: wall-clock time in its zone -------------------------------------------------------------


def test_a_shift_is_wall_clock_time_on_both_sides_of_spring_forward() -> None:
    evening = shift("daily", "18:00", "23:00")
    assert occurrences(evening, SPRING - timedelta(days=1)) == [
        (utc(2026, 3, 7, 23), utc(2026, 3, 8, 4)),    # Saturday, EST
        (utc(2026, 3, 8, 22), utc(2026, 3, 9, 3)),    # Sunday, EDT: an hour earlier in UTC
    ]


def test_a_night_shift_across_the_change_is_an_hour_shorter_in_spring_and_longer_in_autumn() -> None:
    night = shift("sat", "22:00", "06:00")
    [(start, end)] = occurrences(night, SPRING - timedelta(days=1))
    assert (start, end - start) == (utc(2026, 3, 8, 3), timedelta(hours=7))
    [(start, end)] = occurrences(night, FALL - timedelta(days=1))
    assert (start, end - start) == (utc(2026, 11, 1, 2), timedelta(hours=9))


def test_a_time_the_clocks_skip_begins_when_they_jump_and_a_repeated_time_at_its_first_passing() -> None:
    [(start, end)] = occurrences(shift("sun", "02:30", "04:00"), SPRING)
    assert (start, end) == (utc(2026, 3, 8, 7), utc(2026, 3, 8, 8))        # 03:00 EDT to 04:00 EDT
    [(start, end)] = occurrences(shift("sun", "01:30", "03:00"), FALL)
    assert (start, end) == (utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 8))  # 01:30 EDT to 03:00 EST


def test_edges_say_what_holds_now() -> None:
    evening = shift("mon-fri", "18:00", "23:00")
    monday_7pm = utc(2026, 3, 3, 0)  # Mon 19:00 EST
    edge = evening.last_edge(monday_7pm)
    assert edge is not None and (edge.kind, edge.at) == ("start", utc(2026, 3, 2, 23))
    assert evening.next_edge(monday_7pm) == utc(2026, 3, 3, 4)
    assert evening.current(monday_7pm) is not None
    saturday = utc(2026, 3, 7, 23, 30)
    assert evening.current(saturday) is None
    assert evening.next_start(saturday) == utc(2026, 3, 9, 22)  # Monday 18:00 EDT


def test_back_to_back_shifts_the_start_comes_after_the_end() -> None:
    whole_day = shift("daily", "08:00", "08:00")  # never added (same start and end), but the order still holds
    edges = whole_day.edges(utc(2026, 3, 2, 12), utc(2026, 3, 3, 14))
    assert [e.kind for e in edges] == ["end", "start", "end", "start"]


# -- stored shifts ---------------------------------------------------------------------------------------------


def team(line: Harness) -> None:
    line.set_clock(utc(2026, 3, 2, 12))
    staff.add(line.r, "Ann", ANN, Role.PEER)
    staff.add(line.r, "Ben", BEN, Role.CRISIS, "es")


def test_add_list_and_remove_as_a_roster_editor_would(line: Harness) -> None:
    team(line)
    first = shifts.add(line.line, ANN, days="mon-fri", start="18:00", end="23:00")
    second = shifts.add(line.line, BEN, days="sat,sun", start="22:00", end="6am", tz="America/Chicago")
    assert [s.as_dict() for s in shifts.all_shifts(line.r)] == [
        {"id": first.id, "phone": ANN, "days": ["mon", "tue", "wed", "thu", "fri"], "from": "18:00", "to": "23:00",
         "tz": NY},
        {"id": second.id, "phone": BEN, "days": ["sat", "sun"], "from": "22:00", "to": "06:00",
         "tz": "America/Chicago"},
    ]
    assert [s.id for s in shifts.for_phone(line.r, BEN)] == [second.id]
    assert shifts.remove(line.r, first.id) == first
    assert [s.id for s in shifts.all_shifts(line.r)] == [second.id]
    with pytest.raises(NotFound, match="no shift"):
        shifts.remove(line.r, first.id)


def test_a_shift_needs_a_staff_member_an_end_and_no_overlap(line: Harness) -> None:
    team(line)
    with pytest.raises(ShiftError, match="not on the staff roster"):
        shifts.add(line.line, staff_number(1899), days="mon", start="18:00", end="23:00")
    with pytest.raises(ShiftError, match="a shift must end at another time than it starts"):
        shifts.add(line.line, ANN, days="mon", start="18:00", end="6pm")
    late = shifts.add(line.line, ANN, days="fri", start="22:00", end="02:00")
    with pytest.raises(ShiftError, match=f"overlaps their shift {late.id} \\(fri 22:00-02:00 America/New_York\\)"):
        shifts.add(line.line, ANN, days="sat", start="01:00", end="03:00")
    shifts.add(line.line, ANN, days="sat", start="02:00", end="03:00")  # touching is not overlapping
    shifts.add(line.line, BEN, days="fri", start="22:00", end="02:00")  # someone else's shift may
    assert len(shifts.all_shifts(line.r)) == 3


def test_removing_a_staff_members_shifts_leaves_nothing_behind(line: Harness) -> None:
    team(line)
    for days in ("mon", "tue", "wed"):
        shifts.add(line.line, ANN, days=days, start="18:00", end="23:00")
    kept = shifts.add(line.line, BEN, days="mon", start="18:00", end="23:00")
    assert shifts.remove_for(line.r, ANN) == 3
    assert [s.id for s in shifts.all_shifts(line.r)] == [kept.id]
    assert not [k for k in line.r.keys("tl:shift*") if ANN in k or ANN in str(line.r.dump(k))]
    assert [int(i) for i in line.r.zrange(shifts.EDGES, 0, -1)] == [kept.id]


def test_times_are_written_like_the_rest_of_the_line() -> None:
    assert (shifts.clock_text("en", time(23)), shifts.clock_text("en", time(0, 30))) == ("11:00pm", "12:30am")
    assert shifts.clock_text("es", time(23)) == "23:00"
    assert shifts.when_text("en", datetime(2026, 3, 3, 18)) == "Tue 6:00pm"
    assert shifts.when_text("es", datetime(2026, 3, 3, 18)) == "mar 18:00"
