"""One number flooding the line is slowed; others, opt-outs, staff and crisis messages are not."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows import compliance, engine, flood
from tests.support.harness import Harness, member_number, staff_number
from textline.core import catalog, gsm
from textline.models import members, staff

M1, M2, S1 = member_number(401), member_number(402), staff_number(401)
T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def limited(line: Harness) -> Harness:
    """A line that allows 5 texts a minute per number; M1 has joined, a while ago."""
    line.configure(inbound_rate=5)
    line.set_clock(T0)
    line.member(M1).joins()
    line.set_clock(T0 + timedelta(minutes=2))
    return line


def test_past_the_rate_a_number_hears_one_notice_then_nothing(limited: Harness) -> None:
    member = limited.member(M1)
    for _ in range(5):
        assert member.texts("MENU")
    [notice] = member.texts("MENU")
    assert "pause" in notice and "988" in notice
    assert member.texts("MENU") == []
    assert member.texts("hello?") == []


def test_the_limit_is_per_number_and_lifts_after_a_minute(limited: Harness) -> None:
    member = limited.member(M1)
    for _ in range(7):
        member.texts("MENU")
    assert limited.member(M2).texts("hi")  # someone else is not slowed
    limited.set_clock(T0 + timedelta(minutes=3, seconds=1))
    assert member.texts("MENU")


def test_one_text_comes_back_every_twelve_seconds_at_five_a_minute(limited: Harness) -> None:
    member = limited.member(M1)
    for _ in range(7):
        member.texts("MENU")
    limited.set_clock(T0 + timedelta(minutes=2, seconds=13))
    assert member.texts("MENU")
    assert member.texts("MENU") == []


def test_stop_and_start_are_always_honoured(limited: Harness) -> None:
    member = limited.member(M1)
    for _ in range(8):
        member.texts("MENU")
    [confirmed] = member.texts("STOP")
    assert "START" in confirmed and members.is_opted_out(limited.r, M1)
    assert member.texts("START")
    assert not members.is_opted_out(limited.r, M1)


def test_staff_are_never_slowed(limited: Harness) -> None:
    staff.add(limited.r, "Ana", S1, staff.Role.CRISIS)
    for _ in range(12):
        assert limited.member(S1).texts("ON")


def test_the_notice_fits_one_segment_in_every_language() -> None:
    for language in catalog.languages():
        text = catalog.render(language, "flood_notice", line="L" * 30, resource="r" * 100)
        assert gsm.segments(text) == 1


def test_the_flood_stage_runs_before_everything_but_crisis() -> None:
    assert engine.STAGES.index(flood.handle) < engine.STAGES.index(compliance.handle)


def test_a_crisis_message_is_answered_even_when_limited(limited: Harness) -> None:
    stages = [stage.__module__ for stage in engine.STAGES]
    assert stages.index("flows.crisis") < stages.index("flows.flood")
    member = limited.member(M1)
    for _ in range(8):
        member.texts("MENU")
    assert any("988" in reply for reply in member.texts("I want to kill myself"))
