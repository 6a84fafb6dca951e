"""The check-in history store: kept in order, notes attached, retention enforced by Redis expiry."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.harness import Harness, member_number
from textline.models import checkins

M1 = member_number(901)
DAY = datetime(2024, 6, 3, 15, tzinfo=UTC)


def test_entries_are_kept_in_order_with_their_notes(line: Harness) -> None:
    line.set_clock(DAY)
    first = checkins.record(line.line, M1, 2)
    line.set_clock(DAY + timedelta(hours=1))
    second = checkins.record(line.line, M1, 4, prompted=True)
    assert checkins.add_note(line.r, M1, second.id, "  a   long\nday  ")
    history = checkins.history(line.r, M1)
    assert [(e.mood, e.at, e.note, e.prompted) for e in history] == [
        (2, DAY.isoformat(), "", False), (4, (DAY + timedelta(hours=1)).isoformat(), "a long day", True)]
    assert first.low and not second.low


def test_a_note_is_cut_to_a_line(line: Harness) -> None:
    entry = checkins.record(line.line, M1, 3)
    checkins.add_note(line.r, M1, entry.id, "x" * 1000)
    assert len(checkins.history(line.r, M1)[0].note) == checkins.MAX_NOTE


@pytest.mark.parametrize("mood", [0, 6, -1])
def test_only_moods_1_to_5(line: Harness, mood: int) -> None:
    with pytest.raises(ValueError):
        checkins.record(line.line, M1, mood)


def test_every_key_expires_after_the_retention_period(line: Harness) -> None:
    line.configure(retention={"checkins": "30d"})
    entry = checkins.record(line.line, M1, 3)
    assert line.r.keys(f"tl:member:{M1}:*") == [f"tl:member:{M1}:checkins"], "one key a member"
    assert 29 * 86400 < line.r.ttl(f"tl:member:{M1}:checkins") <= 30 * 86400
    checkins.add_note(line.r, M1, entry.id, "still expires")
    assert 29 * 86400 < line.r.ttl(f"tl:member:{M1}:checkins") <= 30 * 86400


def test_expired_entries_are_gone_notes_included(line: Harness) -> None:
    line.configure(retention={"checkins": "1s"})
    entry = checkins.record(line.line, M1, 3)
    time.sleep(1.1)
    assert not checkins.add_note(line.r, M1, entry.id, "too late")  # never recreates an expired entry
    assert checkins.history(line.r, M1) == []
    assert line.r.keys(f"tl:member:{M1}:*") == []


def test_old_entries_leave_the_index_when_a_new_one_comes(line: Harness) -> None:
    line.configure(retention={"checkins": "2d"})
    line.set_clock(DAY)
    old = checkins.record(line.line, M1, 1)
    line.set_clock(DAY + timedelta(days=3))
    checkins.record(line.line, M1, 5)
    assert [e.mood for e in checkins.history(line.r, M1)] == [5]
    assert not checkins.add_note(line.r, M1, old.id, "gone")
