"""Shifts run by themselves: the ticker puts staff on call at each start and off at each end, and texts them.

Time is the line's controllable clock (`line.set_clock`); `at()` moves it and runs one tick of the
ticker (`workers.ticker.once`, as every worker process runs once a second) and the workers.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tests.support.harness import Harness, staff_number
from textline.core.line import Line
from textline.models import shifts, staff
from textline.models.staff import Role
from workers import shifts as shift_edges
from workers import ticker

ANN, BEN, CY = staff_number(1701), staff_number(1702), staff_number(1703)
NY = ZoneInfo("America/New_York")
#: Monday 2 March 2026, noon in New York (EST).
MONDAY = datetime(2026, 3, 2, 17, tzinfo=UTC)
STARTED = "You're on call now until 11:00pm. Reply OFF to skip this shift."
ENDED = "Your shift is over: you're off call now. Thank you! Reply ON if you want to stay on call."


def local(*args: int) -> datetime:
    """A New York wall-clock moment, in UTC."""
    return datetime(*args, tzinfo=NY).astimezone(UTC)


def at(line: Harness, moment: datetime) -> None:
    line.set_clock(moment)
    ticker.once(line.line)
    line.work()


def on_call(line: Harness, phone: str) -> bool:
    person = staff.get(line.r, phone)
    return bool(person and person.on_call)


def roster(line: Harness, *people: tuple[str, str, Role, str]) -> None:
    line.set_clock(MONDAY)
    for name, phone, role, language in people:
        staff.add(line.r, name, phone, role, language)


def test_a_shift_puts_its_person_on_call_at_its_start_and_off_at_its_end_with_a_text(line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.PEER, "en"))
    shifts.add(line.line, ANN, days="mon-fri", start="18:00", end="23:00")
    at(line, local(2026, 3, 2, 17, 59, 59))
    assert not on_call(line, ANN) and line.member(ANN).received == []
    at(line, local(2026, 3, 2, 18))
    assert on_call(line, ANN)
    assert line.member(ANN).received == [STARTED]
    at(line, local(2026, 3, 2, 18, 0, 1))
    at(line, local(2026, 3, 2, 22, 59))
    assert on_call(line, ANN) and len(line.member(ANN).received) == 1
    at(line, local(2026, 3, 2, 23))
    assert not on_call(line, ANN)
    assert line.member(ANN).received == [STARTED, ENDED]
    at(line, local(2026, 3, 7, 18, 30))  # Saturday: no shift
    assert not on_call(line, ANN) and len(line.member(ANN).received) == 2


def test_a_shift_across_midnight_ends_the_next_morning(line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.CRISIS, "en"))
    shifts.add(line.line, ANN, days="fri", start="22:00", end="2am")
    at(line, local(2026, 3, 6, 22))
    assert on_call(line, ANN)
    assert line.member(ANN).received == ["You're on call now until 2:00am. Reply OFF to skip this shift."]
    at(line, local(2026, 3, 7, 1, 59))
    assert on_call(line, ANN)
    at(line, local(2026, 3, 7, 2))
    assert not on_call(line, ANN) and line.member(ANN).received[-1] == ENDED


def test_spanish_staff_are_texted_in_spanish_with_24_hour_times(line: Harness) -> None:
    roster(line, ("Ben", BEN, Role.PEER, "es"))
    shifts.add(line.line, BEN, days="mon", start="18:00", end="23:00", tz="America/Chicago")
    at(line, datetime(2026, 3, 3, 0, tzinfo=UTC))  # Monday 18:00 in Chicago
    assert line.member(BEN).received == [
        "Estas de guardia desde ahora hasta las 23:00. Responde OFF para saltarte este turno."]
    at(line, datetime(2026, 3, 3, 5, tzinfo=UTC))
    assert line.member(BEN).received[-1].startswith("Tu turno termino: ya no estas de guardia.")


def test_off_during_a_shift_skips_the_rest_of_it_and_the_next_one_starts_as_usual(line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.PEER, "en"))
    shifts.add(line.line, ANN, days="mon-fri", start="18:00", end="23:00")
    at(line, local(2026, 3, 2, 18))
    line.set_clock(local(2026, 3, 2, 19))
    assert line.member(ANN).texts("OFF") == [
        "You're off call for the rest of this shift. Your next shift starts Tue 6:00pm. Thank you!"]
    at(line, local(2026, 3, 2, 19, 30))
    assert not on_call(line, ANN)
    at(line, local(2026, 3, 2, 23))
    assert not on_call(line, ANN)
    assert line.member(ANN).received == [STARTED]  # no "shift is over": they already know
    at(line, local(2026, 3, 3, 18))
    assert on_call(line, ANN) and line.member(ANN).received == [STARTED, STARTED]


def test_off_before_a_late_ticker_applies_the_start_keeps_them_off(line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.PEER, "en"))
    shifts.add(line.line, ANN, days="mon", start="18:00", end="23:00")
    line.set_clock(local(2026, 3, 2, 18, 0, 2))  # the shift has begun; no ticker has run yet
    line.member(ANN).texts("OFF")
    at(line, local(2026, 3, 2, 18, 0, 3))
    assert not on_call(line, ANN) and line.member(ANN).received == []


def test_on_outside_a_shift_works_as_before_and_on_during_a_skipped_shift_takes_the_skip_back(
        line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.PEER, "en"))
    shifts.add(line.line, ANN, days="mon", start="18:00", end="23:00")
    line.set_clock(local(2026, 3, 2, 12))
    assert line.member(ANN).texts("ON") == ["You're on call. Reply OFF when you're done. Thank you!"]
    assert line.member(ANN).texts("OFF") == ["You're off call. Thank you for your time."]
    at(line, local(2026, 3, 2, 18))
    line.set_clock(local(2026, 3, 2, 19))
    line.member(ANN).texts("OFF")
    assert line.member(ANN).texts("ON") == [
        "You're on call until 11:00pm, the end of this shift. Reply OFF to skip the rest of it."]
    at(line, local(2026, 3, 2, 23))
    assert not on_call(line, ANN) and line.member(ANN).received == [STARTED, ENDED]


def test_back_to_back_shifts_keep_their_person_on_call(line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.PEER, "en"))
    shifts.add(line.line, ANN, days="mon", start="18:00", end="23:00")
    shifts.add(line.line, ANN, days="mon", start="23:00", end="01:00")
    at(line, local(2026, 3, 2, 18))
    at(line, local(2026, 3, 2, 23))
    assert on_call(line, ANN)
    assert line.member(ANN).received == [STARTED, "You're on call now until 1:00am. Reply OFF to skip this shift."]
    at(line, local(2026, 3, 3, 1))
    assert not on_call(line, ANN) and line.member(ANN).received[-1] == ENDED


def test_a_shift_added_while_it_would_be_under_way_waits_for_its_next_start(line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.PEER, "en"))
    line.set_clock(local(2026, 3, 2, 19))
    shifts.add(line.line, ANN, days="mon-fri", start="18:00", end="23:00")
    at(line, local(2026, 3, 2, 19, 0, 1))
    at(line, local(2026, 3, 2, 23))  # its end finds them off call: no text
    assert not on_call(line, ANN) and line.member(ANN).received == []
    at(line, local(2026, 3, 3, 18))
    assert on_call(line, ANN) and line.member(ANN).received == [STARTED]


def test_a_ticker_back_after_an_outage_applies_only_what_holds_now(line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.PEER, "en"))
    shifts.add(line.line, ANN, days="daily", start="18:00", end="23:00")
    at(line, local(2026, 3, 5, 19))  # no tick since Monday noon: three shifts came and went
    assert on_call(line, ANN) and line.member(ANN).received == [STARTED]


def test_many_tickers_on_many_machines_apply_each_edge_once(line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.PEER, "en"), ("Ben", BEN, Role.CRISIS, "en"))
    shifts.add(line.line, ANN, days="mon", start="18:00", end="23:00")
    shifts.add(line.line, BEN, days="mon", start="18:00", end="23:00")
    line.set_clock(local(2026, 3, 2, 18))
    tickers = [Line.from_settings(line.settings) for _ in range(8)]
    start = threading.Barrier(len(tickers))
    applied: list[int] = []

    def tick(each: Line) -> None:
        start.wait()
        applied.append(shift_edges.tick(each))

    threads = [threading.Thread(target=tick, args=(each,)) for each in tickers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    line.work()
    assert sum(applied) == 2
    assert line.member(ANN).received == [STARTED] and line.member(BEN).received == [STARTED]


def test_a_staff_member_who_left_the_roster_takes_their_shifts_with_them(line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.PEER, "en"))
    shifts.add(line.line, ANN, days="mon", start="18:00", end="23:00")
    staff.remove(line.r, ANN)  # not through `textline staff remove`, which removes the shifts itself
    at(line, local(2026, 3, 2, 18))
    assert shifts.all_shifts(line.r) == [] and line.member(ANN).received == []


# -- a daylight-saving week: wall-clock shifts against the wall clock --------------------------------------------


def _walk(line: Harness, monday: datetime, people: dict[str, Callable[[datetime], bool]]) -> None:
    """Every 15 minutes of a week, each person is on call exactly when their shift's wall-clock rule says."""
    moment, until = monday, local(*(monday.astimezone(NY).date() + timedelta(days=8)).timetuple()[:3])
    while moment < until:
        line.set_clock(moment)
        shift_edges.tick(line.line)  # the ticker's shift part (its sweep of lost deliveries is not under test)
        wall = moment.astimezone(NY)
        for phone, holds in people.items():
            assert on_call(line, phone) == holds(wall), f"{phone} at {wall:%a %H:%M %Z}"
        moment += timedelta(minutes=15)


def _dst_team(line: Harness, monday: datetime) -> dict[str, Callable[[datetime], bool]]:
    line.set_clock(monday - timedelta(hours=1))
    for name, phone in (("Ann", ANN), ("Ben", BEN), ("Cy", CY)):
        staff.add(line.r, name, phone, Role.CRISIS)
    shifts.add(line.line, ANN, days="daily", start="18:00", end="23:00")
    shifts.add(line.line, BEN, days="sat", start="22:00", end="06:00")   # across the change
    shifts.add(line.line, CY, days="sun", start="02:30", end="04:00")    # skipped in spring: begins at the jump
    return {
        ANN: lambda wall: time(18) <= wall.time() < time(23),
        BEN: lambda wall: (wall.weekday() == 5 and wall.time() >= time(22)) or (
            wall.weekday() == 6 and wall.time() < time(6)),
        CY: lambda wall: wall.weekday() == 6 and time(2, 30) <= wall.time() < time(4),
    }


def test_a_spring_forward_week(line: Harness) -> None:
    monday = local(2026, 3, 2)
    _walk(line, monday, _dst_team(line, monday))
    line.work()
    assert line.member(ANN).received.count(STARTED) == 8 and line.member(ANN).received.count(ENDED) == 8
    assert line.member(BEN).received == ["You're on call now until 6:00am. Reply OFF to skip this shift.", ENDED]
    assert line.member(CY).received == ["You're on call now until 4:00am. Reply OFF to skip this shift.", ENDED]


def test_a_fall_back_week(line: Harness) -> None:
    monday = local(2026, 10, 26)
    _walk(line, monday, _dst_team(line, monday))
    line.work()
    assert line.member(ANN).received.count(STARTED) == 8 and line.member(ANN).received.count(ENDED) == 8
    assert len(line.member(BEN).received) == 2 and len(line.member(CY).received) == 2


def test_a_broken_shift_record_never_stops_the_ticker(line: Harness) -> None:
    roster(line, ("Ann", ANN, Role.PEER, "en"), ("Ben", BEN, Role.PEER, "en"))
    broken = shifts.add(line.line, ANN, days="mon", start="18:00", end="23:00")
    shifts.add(line.line, BEN, days="mon", start="18:00", end="23:00")
    line.r.hset(f"tl:shift:{broken.id}", "tz", "Nowhere/Atlantis")  # as an older version might have left it
    at(line, local(2026, 3, 2, 18))
    assert on_call(line, BEN) and not on_call(line, ANN)
    assert line.r.zscore(shifts.EDGES, str(broken.id)) == local(2026, 3, 2, 18, 1).timestamp()  # a minute later
