"""The ticker: once a second, turn due timers (ladders, retries, reminders, prompts) into jobs,
put staff on and off call at their shifts' edges (workers/shifts.py), sweep for messages whose
delivery job was lost (workers/sweep.py), and erase numbers that never said YES once they are
older than `[retention] pending` (textline.models.member_data).

Every worker process runs one beside it; claims are atomic, so many tickers
on many machines never fire a timer twice.
"""
from __future__ import annotations

import logging
import os
import time

from redis.exceptions import RedisError

from textline.core import timers
from textline.core.line import Line
from textline.models import member_data
from workers import shifts, sweep

log = logging.getLogger(__name__)
HEARTBEAT = "tl:ticker:beat"


def run(line: Line, interval: float = 1.0, parent: int | None = None) -> None:
    """Tick until the parent process goes away (or forever without one)."""
    while parent is None or os.getppid() == parent:
        started = time.monotonic()
        try:
            once(line)
        except RedisError as exc:  # Redis restarting: keep trying, never die
            log.warning("ticker: redis unavailable (%s)", type(exc).__name__)
        time.sleep(max(0.0, interval - (time.monotonic() - started)))


def once(line: Line) -> int:
    """One tick: due timers, shift edges, the sweep, expired pending numbers; how many timers and edges fired."""
    fired = timers.tick(line)
    edges = shifts.tick(line)
    sweep.sweep(line)
    member_data.expire_pending(line.r, line.now().timestamp(), line.settings.pending_retention)
    line.r.set(HEARTBEAT, str(time.time()), ex=30)
    if fired or edges:
        log.info("ticker fired %d timers and %d shift edges", fired, edges)
    return fired + edges
