"""Quiet hours in the member's own zone: held to the local end, DST-correct."""
from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from textline.core.quiet import is_quiet, next_allowed
from textline.core.settings import QuietHours

NIGHT = QuietHours(time(21), time(8))
NY = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_outside_quiet_hours_nothing_waits() -> None:
    noon = utc(2024, 6, 3, 16)  # 12:00 EDT
    assert next_allowed(noon, NY, NIGHT) == noon
    assert not is_quiet(noon, NY, NIGHT)


def test_late_evening_waits_for_the_next_morning() -> None:
    assert next_allowed(utc(2024, 6, 4, 2, 30), NY, NIGHT) == utc(2024, 6, 4, 12)  # 22:30 EDT -> 08:00


def test_early_morning_waits_for_the_same_morning() -> None:
    assert next_allowed(utc(2024, 6, 4, 9), NY, NIGHT) == utc(2024, 6, 4, 12)  # 05:00 EDT -> 08:00


def test_the_edges() -> None:
    assert next_allowed(utc(2024, 6, 4, 1), NY, NIGHT) == utc(2024, 6, 4, 12)  # 21:00 sharp is quiet
    assert next_allowed(utc(2024, 6, 4, 12), NY, NIGHT) == utc(2024, 6, 4, 12)  # 08:00 sharp is not


def test_each_member_in_their_own_zone() -> None:
    moment = utc(2024, 6, 4, 3)  # 23:00 in New York, 20:00 in Los Angeles
    assert next_allowed(moment, NY, NIGHT) == utc(2024, 6, 4, 12)
    assert next_allowed(moment, "America/Los_Angeles", NIGHT) == moment


@pytest.mark.parametrize(("at", "end"), [
    (utc(2024, 3, 10, 3), utc(2024, 3, 10, 12)),   # 22:00 EST the night clocks spring forward -> 08:00 EDT
    (utc(2024, 11, 3, 2), utc(2024, 11, 3, 13)),   # 22:00 EDT the night clocks fall back -> 08:00 EST
])
def test_a_dst_change_inside_the_window(at: datetime, end: datetime) -> None:
    assert next_allowed(at, NY, NIGHT) == end


def test_a_window_inside_one_day_and_an_empty_one() -> None:
    siesta = QuietHours(time(13), time(15))
    assert next_allowed(utc(2024, 6, 4, 18), NY, siesta) == utc(2024, 6, 4, 19)  # 14:00 -> 15:00 EDT
    assert next_allowed(utc(2024, 6, 4, 3), NY, QuietHours(time(0), time(0))) == utc(2024, 6, 4, 3)


def test_an_end_inside_a_dst_gap_moves_forward_with_the_clocks() -> None:
    early = QuietHours(time(1), time(2, 30))  # 02:30 does not exist on 2024-03-10 in New York
    held = next_allowed(utc(2024, 3, 10, 6, 30), NY, early)  # 01:30 EST
    assert held == utc(2024, 3, 10, 7, 30)  # 03:30 EDT
    assert not is_quiet(held, NY, early)
