"""The line's send limit, shared by every worker on every machine.

A GCRA limiter in one Lua script on Redis's own clock: each send takes the
next slot, `1 / send_rate` seconds after the last one. Priority sends
(crisis, replies) take the next slot even when it is a moment away and wait
for it; bulk sends take a slot only when one is free now, and otherwise come
back later, so bulk always yields to priority work.

Slots are `MARGIN` longer than `1 / send_rate`: a request leaves on its slot but
reaches Twilio a few milliseconds later or sooner (process scheduling, a fresh
connection), and the margin keeps arrivals under the rate in every one-second
window for jitter up to about 10 ms, at the cost of sending 2% slower.
"""
from __future__ import annotations

from dataclasses import dataclass

import redis

KEY = "tl:rate:send"
#: How much longer than 1 / send_rate a slot is (see the module docstring).
MARGIN = 0.02

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local mode = ARGV[2]
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(tat, now)
local wait = start - now
if mode == 'now' and wait > 0 then
  return {0, wait}
end
if mode == 'wait' and wait > tonumber(ARGV[3]) then
  return {0, wait}
end
redis.call('SET', KEYS[1], start + interval, 'PX', math.floor((wait + interval) / 1000) + 60000)
return {1, wait}
"""


@dataclass(frozen=True)
class Slot:
    granted: bool
    wait: float  # seconds until the slot (granted) or until one may be free (not granted)


def interval(rate: float) -> float:
    """Seconds between two slots."""
    return (1 + MARGIN) / rate


def take(r: redis.Redis, rate: float, *, priority: bool, max_wait: float = 5.0) -> Slot:
    """Take the next send slot; see the module docstring for priority."""
    interval_us = int(1_000_000 * interval(rate))
    granted, wait_us = r.eval(_TAKE, 1, KEY, interval_us, "wait" if priority else "now", int(max_wait * 1e6))
    return Slot(bool(granted), int(wait_us) / 1_000_000)
