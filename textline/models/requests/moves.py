"""Every change of a request's status, each one atomic: a single Lua script checks and moves.

TAKE is first-come: of any number of peers racing for a request exactly one
wins, and the others learn who has it. Timers follow each move (claim clock,
due time); the jobs they run re-check the status, so a late timer is harmless.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import redis

from textline.core import jobs, queues, timers
from textline.core.durations import parse_duration
from textline.core.line import Line
from textline.models import staff_load
from textline.models.requests import times
from textline.models.requests.store import (
    BAND_WIDTH,
    HELD_PREFIX,
    LATER,
    TAKEN,
    WAITING,
    Callback,
    When,
    key,
    open_key,
    start_claim_clock,
    stop_clocks,
)

_MOVE = """
-- KEYS: 1 record, 2 waiting, 3 later, 4 taken, 5 the member's open-request pointer
-- ARGV: 1 id, 2 move, 3 who (a peer's phone), 4 now (ISO), 5 now (ms), 6.. the move's own values
local WIDTH = tonumber("{width}")
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing', ''} end
local holder = redis.call('HGET', KEYS[1], 'taken_by') or ''
local id, move = ARGV[1], ARGV[2]
-- A text request in a peer's hands is also in their set of conversations (max_per_peer).
local text = redis.call('HGET', KEYS[1], 'kind') == 'text'
local function drop(peer) if text and peer ~= '' then redis.call('SREM', '{held}' .. peer, id) end end
if move == 'take' then
  if status ~= 'waiting' then return {status, holder} end
  if not redis.call('ZSCORE', KEYS[2], id) then return {'later', ''} end
  if text and ARGV[6] ~= '' and redis.call('SCARD', '{held}' .. ARGV[3]) >= tonumber(ARGV[6]) then
    return {'full', ''}
  end
  if text then redis.call('SADD', '{held}' .. ARGV[3], id) end
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[4], ARGV[5], id)
  redis.call('HSET', KEYS[1], 'status', 'taken', 'taken_by', ARGV[3], 'taken_at', ARGV[4])
  return {'ok', tostring(redis.call('HINCRBY', KEYS[1], 'attempt', 1))}
end
if move == 'release' or move == 'done' or move == 'retry' then
  if status ~= 'taken' then return {status, holder} end
  if holder ~= ARGV[3] then return {'not_yours', holder} end
  if move == 'retry' then return {'ok', tostring(redis.call('HINCRBY', KEYS[1], 'attempt', 1))} end
  redis.call('ZREM', KEYS[4], id)
  drop(holder)
  if move == 'release' then
    redis.call('HDEL', KEYS[1], 'taken_by', 'taken_at', 'last_dial')
    redis.call('HSET', KEYS[1], 'status', 'waiting', 'released_by', ARGV[3])
    redis.call('ZADD', KEYS[2], redis.call('HGET', KEYS[1], 'score'), id)
    return {'ok', tostring(redis.call('HINCRBY', KEYS[1], 'round', 1))}
  end
  redis.call('HSET', KEYS[1], 'status', 'done', 'closed_at', ARGV[4], 'note', ARGV[6])
  if redis.call('GET', KEYS[5]) == id then redis.call('DEL', KEYS[5]) end
  return {'ok', ''}
end
if move == 'withdraw' then
  if status ~= 'waiting' and status ~= 'taken' then return {status, holder} end
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZREM', KEYS[4], id)
  drop(holder)
  redis.call('HSET', KEYS[1], 'status', 'withdrawn', 'closed_at', ARGV[4])
  if redis.call('GET', KEYS[5]) == id then redis.call('DEL', KEYS[5]) end
  return {'ok', holder}
end
if status ~= 'waiting' then return {status, holder} end
-- A new place keeps the stored priority band (it may have been raised meanwhile): band, then ARGV 6 (ms).
local band = (tonumber(redis.call('HGET', KEYS[1], 'score')) or WIDTH) < WIDTH and 0 or 1
local place = band * WIDTH + tonumber(ARGV[6])
if move == 'due' then
  -- ARGV 6: since when it waits (ms), 7: when, 8: due (ISO)
  if redis.call('ZSCORE', KEYS[2], id) and ARGV[7] == '' then return {'already', ''} end
  redis.call('ZADD', KEYS[2], place, id)
  redis.call('HSET', KEYS[1], 'score', place)
  if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'when', ARGV[7], 'due_at', ARGV[8]) end
  if redis.call('ZREM', KEYS[3], id) == 1 then  -- back from 'later': peers hear of it again, a new round
    return {'ok', tostring(redis.call('HINCRBY', KEYS[1], 'round', 1))}
  end
  return {'ok', redis.call('HGET', KEYS[1], 'round') or '1'}
end
if move == 'defer' then
  -- ARGV 6: due (ms), 7: when, 8: due (ISO)
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[3], tonumber(ARGV[6]) / 1000, id)
  redis.call('HSET', KEYS[1], 'when', ARGV[7], 'due_at', ARGV[8], 'score', place)
  return {'ok', ''}
end
return redis.error_reply('unknown move ' .. move)
""".replace("{width}", str(BAND_WIDTH)).replace("{held}", HELD_PREFIX)


@dataclass(frozen=True)
class Moved:
    """What a move did: `ok`, else `found` says why not (a status, 'not_yours', 'later', 'missing')."""

    ok: bool
    found: str
    holder: str = ""
    value: str = ""


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _move(line: Line, cb: Callback, move: str, who: str = "", *extra: str | int | float) -> Moved:
    now = line.now()
    found, value = line.r.eval(_MOVE, 5, key(cb.id), WAITING, LATER, TAKEN, open_key(cb.phone, cb.kind), cb.id, move,
                               who, now.isoformat(), _ms(now), *extra)
    if found != "ok":
        return Moved(False, found, holder=value)
    return Moved(True, "ok", holder=value if move == "withdraw" else who, value=value)


def take(line: Line, cb: Callback, peer: str, limit: int | None = None) -> Moved:
    """The first peer wins; `value` is the call attempt number. A peer holding `limit` text requests
    already is refused ('full')."""
    moved = _move(line, cb, "take", peer, "" if limit is None else limit)
    if moved.ok:
        timers.cancel(line.r, f"callback:{cb.id}:claim")
        staff_load.count_taken(line, peer)
    return moved


def release(line: Line, cb: Callback, peer: str) -> Moved:
    """Back to its place in the queue (its score is kept); the claim clock starts again."""
    moved = _move(line, cb, "release", peer)
    if moved.ok:
        start_claim_clock(line, cb.id, int(moved.value))
    return moved


def retry(line: Line, cb: Callback, peer: str) -> Moved:
    """Another call attempt by the peer who holds it; `value` is its number."""
    return _move(line, cb, "retry", peer)


def done(line: Line, cb: Callback, peer: str, note: str = "") -> Moved:
    moved = _move(line, cb, "done", peer, note[:500])
    if moved.ok:
        stop_clocks(line.r, cb.id)
        _expire_later(line, cb.id)
    return moved


def withdraw(line: Line, cb: Callback) -> Moved:
    """The member no longer wants the call (or can no longer be reached); `holder` is the peer who had it."""
    moved = _move(line, cb, "withdraw")
    if moved.ok:
        stop_clocks(line.r, cb.id)
        _expire_later(line, cb.id)
    return moved


def make_due(line: Line, cb: Callback) -> Moved:
    """A held request's time has come: into the queue, after those already waiting longer."""
    moved = _move(line, cb, "due", "", _ms(cb.due), "", "")
    if moved.ok:
        start_claim_clock(line, cb.id, int(moved.value))
    return moved


def reschedule(line: Line, cb: Callback, when: When) -> Moved:
    """The member changed when suits them: into the queue now, or held until the new time."""
    now = line.now()
    due = times.due(line, cb.phone, when, now)
    created = datetime.fromisoformat(cb.created_at)
    if due <= now:
        moved = _move(line, cb, "due", "", _ms(created), str(when), due.isoformat())
        if moved.ok:
            timers.cancel(line.r, f"callback:{cb.id}:due")
            start_claim_clock(line, cb.id, int(moved.value))
        return moved
    return _defer(line, cb, due, when)


def hold(line: Line, cb: Callback, until: datetime) -> Moved:
    """Out of the queue until `until` (the end of the member's quiet hours), then back in."""
    return _defer(line, cb, until, cb.when)


def _defer(line: Line, cb: Callback, due: datetime, when: When) -> Moved:
    moved = _move(line, cb, "defer", "", _ms(due), str(when), due.isoformat())
    if moved.ok:
        timers.cancel(line.r, f"callback:{cb.id}:claim")
        timers.schedule(line.r, f"callback:{cb.id}:due", due, queues.REPLIES, jobs.CALLBACK_DUE, cb.id)
    return moved


def record_dial(line: Line, cb: Callback, outcome: str) -> None:
    """The member leg's `DialCallStatus`, kept on the request."""
    line.r.hset(key(cb.id), mapping={"last_dial": outcome, "last_dial_at": line.now().isoformat()})


def mark_reminded(r: redis.Redis, callback_id: int, round_: int) -> bool:
    """True once per round: the claim-timeout reminder goes out a single time."""
    return bool(r.hsetnx(key(callback_id), f"reminded:{round_}", "1"))


def _expire_later(line: Line, callback_id: int) -> None:
    """Closed requests (and their notes) are kept for the retention period, then go."""
    keep = parse_duration(line.settings.section("callbacks").get("retention", "90d"))
    line.r.expire(key(callback_id), max(1, int(keep)))

