"""Quiet hours end in the member's own zone, across midnight and DST changes."""
from __future__ import annotations

from datetime import UTC, datetime, time

from textline.quiet import next_allowed, zone_of
from textline.settings import QuietHours

NIGHT = QuietHours(time(21, 0), time(8, 0))
NY = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_outside_quiet_hours_nothing_waits() -> None:
    assert next_allowed(utc(2025, 3, 4, 17, 0), NY, NIGHT) == utc(2025, 3, 4, 17, 0)  # 12:00 in New York


def test_late_evening_waits_for_tomorrow_morning() -> None:
    assert next_allowed(utc(2025, 3, 5, 3, 0), NY, NIGHT) == utc(2025, 3, 5, 13, 0)  # 22:00 -> 08:00 EST


def test_early_morning_waits_for_the_same_morning_across_a_dst_change() -> None:
    # 2025-03-09 02:30 does not exist in New York; 06:00 EDT waits until 08:00 EDT (12:00 UTC).
    assert next_allowed(utc(2025, 3, 9, 10, 0), NY, NIGHT) == utc(2025, 3, 9, 12, 0)


def test_each_member_in_their_own_zone() -> None:
    at = utc(2025, 3, 5, 3, 0)  # 22:00 in New York, 19:00 in Los Angeles
    assert next_allowed(at, "America/Los_Angeles", NIGHT) == at


def test_a_daytime_window_and_no_window() -> None:
    assert next_allowed(utc(2025, 3, 4, 13, 0), "UTC", QuietHours(time(12, 0), time(14, 0))) == utc(2025, 3, 4, 14)
    assert next_allowed(utc(2025, 3, 4, 13, 0), "UTC", QuietHours(time(0, 0), time(0, 0))) == utc(2025, 3, 4, 13)


def test_unknown_zone_falls_back() -> None:
    assert zone_of("Nowhere/Else", NY).key == NY
    assert zone_of("", "").key == "UTC"
