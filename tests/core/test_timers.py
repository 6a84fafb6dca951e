"""Deadlines in Redis: fired once, by any number of tickers, at their time."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.harness import Harness
from textline.core import queues, timers

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_timer_fires_at_its_time_and_only_once(line: Harness) -> None:
    timers.schedule(line.r, "demo:1", T0 + timedelta(seconds=10), queues.REPLIES, "workers.send.deliver", "42")
    assert timers.tick(line.line, T0) == 0
    assert timers.tick(line.line, T0 + timedelta(seconds=10)) == 1
    assert timers.tick(line.line, T0 + timedelta(seconds=20)) == 0
    [job] = queues.queue(line.line, queues.REPLIES).get_jobs()
    assert job.args == ("42",)


def test_rescheduling_moves_and_cancel_removes(line: Harness) -> None:
    timers.schedule(line.r, "demo:2", T0, queues.REPLIES, "workers.send.deliver", "1")
    timers.schedule(line.r, "demo:2", T0 + timedelta(hours=1), queues.REPLIES, "workers.send.deliver", "1")
    assert timers.tick(line.line, T0) == 0
    timers.cancel(line.r, "demo:2")
    assert timers.tick(line.line, T0 + timedelta(hours=2)) == 0


def test_a_claim_abandoned_by_a_dead_ticker_is_taken_over(line: Harness) -> None:
    timers.schedule(line.r, "demo:3", T0, queues.CRISIS, "workers.send.deliver", "7")
    # A ticker claims the timer, then dies before enqueueing it.
    line.r.eval(timers._CLAIM, 2, timers.DUE, timers.CLAIMED, T0.timestamp(), T0.timestamp() + timers.LEASE, 10)
    assert queues.queue(line.line, queues.CRISIS).count == 0
    assert timers.tick(line.line, T0 + timedelta(seconds=1)) == 0
    assert timers.tick(line.line, T0 + timedelta(seconds=timers.LEASE + 1)) == 1
    assert queues.queue(line.line, queues.CRISIS).count == 1


def test_many_tickers_fire_each_timer_once(line: Harness) -> None:
    for i in range(50):
        timers.schedule(line.r, f"demo:many:{i}", T0, queues.BROADCAST, "workers.send.deliver", str(i))
    fired = sum(timers.tick(line.line, T0) for _ in range(3))
    assert fired == 50
    assert queues.queue(line.line, queues.BROADCAST).count == 50
