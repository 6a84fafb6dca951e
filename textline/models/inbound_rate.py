"""How fast one number texts the line: a limiter per number, atomic in Redis, on the line's clock.

A GCRA in one Lua script: `rate` texts may come at once, then one every 60 / `rate` seconds
(flows/flood.py decides what a number over its rate hears).

Keys (owned here): `tl:member:{phone}:flood` (the limiter's state) and
`tl:member:{phone}:flood:told` (the notice was given this minute).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import redis

from textline.core.one_trip import Queue
from textline.models import members

WINDOW = 60.0

_TAKE = """
local now, interval, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat + interval - now > window then return 0 end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil((tat + interval - now) * 1000) + 1000)
return 1
"""


# Give back one text's count (KEYS[1] the limiter; ARGV: now, interval).
_GIVE_BACK = """
local now, interval = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') - interval
if tat <= now + 0.01 then return redis.call('DEL', KEYS[1]) end  -- (stored with 14 digits)
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil((tat - now) * 1000) + 1000)
return 1
"""


def _key(phone: str) -> str:
    return members.sub_key(phone, "flood")


def allowed(r: redis.Redis, phone: str, rate: int, now: float) -> bool:
    """Count one text from `phone`; False when it is over `rate` a minute."""
    return bool(r.eval(_TAKE, 1, _key(phone), repr(now), repr(WINDOW / rate), repr(WINDOW)))


def count_queued(pipe: Queue, phone: str, rate: int, now: float) -> Callable[[Iterator[Any]], bool]:
    """`allowed`, queued on `pipe` to run with the caller's other commands in one round trip."""
    pipe.eval(_TAKE, 1, _key(phone), repr(now), repr(WINDOW / rate), repr(WINDOW))
    return lambda results: bool(next(results))


def give_back(r: redis.Redis, phone: str, rate: int, now: float) -> None:
    """Undo one count of `allowed` (a text counted before anyone knew it should not be)."""
    r.eval(_GIVE_BACK, 1, _key(phone), repr(now), repr(WINDOW / rate))


def first_notice(r: redis.Redis, phone: str) -> bool:
    """True once a minute for a number over its rate: the one time it is told so."""
    return bool(r.set(members.sub_key(phone, "flood", "told"), "1", nx=True, ex=int(WINDOW)))
