"""Counts of what one staff member carried today, in their own day; export and erase cover them."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.support.harness import Harness, staff_number
from textline.models import member_data, shifts, staff, staff_load
from textline.models.staff import Role

PIA = staff_number(2301)


def test_counts_start_at_zero_and_reset_on_the_staff_members_own_midnight(line: Harness) -> None:
    staff.add(line.r, "Pia", PIA, Role.PEER)
    shifts.add(line.line, PIA, days="daily", start="18:00", end="23:00", tz="America/Los_Angeles")
    line.set_clock(datetime(2026, 3, 5, 7, 30, tzinfo=UTC))  # 23:30 on the 4th in Los Angeles
    assert staff_load.today(line.line, PIA) == {"taken_today": 0, "crisis_today": 0}
    assert staff_load.count_taken(line.line, PIA) == 1
    assert staff_load.count_taken(line.line, PIA) == 2
    assert staff_load.count_crisis(line.line, PIA) == 1
    assert staff_load.today(line.line, PIA) == {"taken_today": 2, "crisis_today": 1}
    line.set_clock(datetime(2026, 3, 5, 7, 59, tzinfo=UTC))  # still the 4th there, though the 5th in UTC
    assert staff_load.today(line.line, PIA)["taken_today"] == 2
    line.set_clock(datetime(2026, 3, 5, 8, 1, tzinfo=UTC))  # 00:01 on the 5th in Los Angeles
    assert staff_load.today(line.line, PIA) == {"taken_today": 0, "crisis_today": 0}


def test_export_and_erase_cover_the_counts(line: Harness) -> None:
    line.set_clock(datetime(2026, 3, 5, 17, 0, tzinfo=UTC))
    staff.add(line.r, "Pia", PIA, Role.PEER)
    staff_load.count_crisis(line.line, PIA)
    exported = member_data.export(line.r, PIA)
    assert list(exported["staff_load"].values()) == [{"crisis": 1}]
    staff_load.erase_member(line.r, PIA)
    assert not [k for k in line.r.scan_iter(match="tl:staffload:*")]
