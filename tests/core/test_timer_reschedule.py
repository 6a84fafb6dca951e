"""Timers: a deadline fires once, and again when it is set again, even for the same moment."""
from __future__ import annotations

from datetime import UTC, datetime

from tests.support.harness import Harness
from textline.core import jobs, queues, timers

T0 = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


def test_a_timer_set_again_for_the_same_moment_fires_again(line: Harness) -> None:
    line.set_clock(T0)
    timers.schedule(line.r, "again", T0, queues.REPLIES, jobs.DELIVER, "none")
    assert timers.tick(line.line) == 1
    assert len(queues.queue(line.line, queues.REPLIES)) == 1
    timers.schedule(line.r, "again", T0, queues.REPLIES, jobs.DELIVER, "none")
    assert timers.tick(line.line) == 1
    assert len(queues.queue(line.line, queues.REPLIES)) == 2


def test_a_claimed_timer_fires_once(line: Harness) -> None:
    line.set_clock(T0)
    timers.schedule(line.r, "once", T0, queues.REPLIES, jobs.DELIVER, "none")
    assert timers.tick(line.line) == 1
    assert timers.tick(line.line) == 0
    assert len(queues.queue(line.line, queues.REPLIES)) == 1
