"""One number flooding the line is slowed: past `inbound_rate` texts a minute it hears one notice, then nothing.

The limit is per number and atomic in Redis (one Lua script, a GCRA on the
line's clock): `inbound_rate` texts may come at once, then one every
60 / `inbound_rate` seconds. The crisis stage runs before this one, so a
crisis message is never limited. Opting out and back in (STOP, START ...)
is always honoured, staff are never limited, and keypresses on a call are
not counted.

Keys (owned here): `tl:member:{phone}:flood` (the limiter's state) and
`tl:member:{phone}:flood:told` (the notice was given this minute).
"""
from __future__ import annotations

import logging

import redis

from flows.compliance import START_WORDS, STOP_WORDS
from flows.inbound import Channel
from flows.outcome import Outcome
from flows.turn import Turn
from textline.core.phones import mask

log = logging.getLogger(__name__)
WINDOW = 60.0

_TAKE = """
local now, interval, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if tat + interval - now > window then return 0 end
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', math.ceil((tat + interval - now) * 1000) + 1000)
return 1
"""


def _key(phone: str) -> str:
    return f"tl:member:{phone}:flood"


def allowed(r: redis.Redis, phone: str, rate: int, now: float) -> bool:
    """Count one text from `phone`; False when it is over `rate` a minute."""
    return bool(r.eval(_TAKE, 1, _key(phone), repr(now), repr(WINDOW / rate), repr(WINDOW)))


def handle(turn: Turn) -> Outcome | None:
    inbound = turn.inbound
    rate = turn.line.settings.inbound_rate
    if rate <= 0 or inbound.channel != Channel.SMS or turn.staff is not None:
        return None
    if inbound.opt_out_type or inbound.keyword in STOP_WORDS | START_WORDS:
        return None
    if allowed(turn.r, turn.phone, rate, turn.now.timestamp()):
        return None
    log.info("sms %s from %s slowed: over %d a minute", inbound.sid, mask(turn.phone), rate)
    if turn.r.set(_key(turn.phone) + ":told", "1", nx=True, ex=int(WINDOW)):
        return Outcome.say(turn.text("flood_notice"))
    return Outcome()
