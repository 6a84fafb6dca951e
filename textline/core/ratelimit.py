"""The line's send limit, shared by every worker on every machine.

A GCRA limiter in one Lua script on Redis's own clock: each send takes the
next slot, exactly `1 / send_rate` seconds after the last one, so the rate
achieved is the setting, never above. Priority sends (crisis, replies) take
the next slot even when it is a moment away and wait for it; bulk sends take
a slot only when it starts within `ahead` seconds (`lead`: a few tens of
milliseconds), and otherwise come back for it, so bulk yields to priority
work and never holds a slot further ahead than that.

Jitter is absorbed by scheduling, not by longer slots: a taker is granted the
slot's start on Redis's clock and sleeps until it, and a bulk sender asks for
its next slot a little before the last one ends (`lead`), so a slot is never
lost to a late poll: the next one follows the last exactly, not "now". A send
that leaves noticeably after its slot (a cold first request, a busy machine:
more than `LATE`) moves the schedule on by as much (`late`), so the one after
it keeps a whole slot's distance and the rate is never exceeded on average.
"""
from __future__ import annotations

from dataclasses import dataclass

import redis

KEY = "tl:rate:send"
#: The most a bulk send reserves ahead of its slot, in seconds (less for fast rates: half a slot).
LEAD = 0.05
#: A send leaving later than this after its slot's start moves the schedule on (see the docstring).
LATE = 0.002

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(tat, now)
local wait = start - now
if wait > tonumber(ARGV[2]) then
  return {0, wait, start}
end
redis.call('SET', KEYS[1], start + interval, 'PX', math.floor((wait + interval) / 1000) + 60000)
return {1, wait, start}
"""


_LATE = """
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local after = tonumber(ARGV[1])
if after > tat then redis.call('SET', KEYS[1], after, 'PX', 60000 + math.floor(tonumber(ARGV[2]) / 1000)) end
return 1
"""


@dataclass(frozen=True)
class Slot:
    granted: bool
    wait: float  # seconds until the slot (granted) or until one may be free (not granted)
    #: When the slot starts (granted) or the next one may (not granted), epoch seconds on Redis's clock.
    at: float = 0.0


def interval(rate: float) -> float:
    """Seconds between two slots: exactly one over the rate."""
    return 1.0 / rate


def lead(rate: float) -> float:
    """How far ahead a bulk send may take its slot: `LEAD`, or half a slot at fast rates."""
    return min(LEAD, interval(rate) / 2)


def take(r: redis.Redis, rate: float, *, priority: bool, max_wait: float = 5.0, ahead: float = 0.0) -> Slot:
    """Take the next send slot: priority work up to `max_wait` ahead, bulk up to `ahead` (see the docstring)."""
    interval_us = int(round(1_000_000 * interval(rate)))
    limit = max_wait if priority else ahead
    granted, wait_us, start_us = r.eval(_TAKE, 1, KEY, interval_us, int(limit * 1e6))
    return Slot(bool(granted), int(wait_us) / 1_000_000, int(start_us) / 1_000_000)


def late(r: redis.Redis, rate: float, slot: Slot, by: float) -> None:
    """The send on `slot` left `by` seconds after its start: the next slot is no sooner than one interval after."""
    interval_us = int(round(1_000_000 * interval(rate)))
    after = int(round((slot.at + by) * 1_000_000)) + interval_us
    r.eval(_LATE, 1, KEY, after, interval_us)
