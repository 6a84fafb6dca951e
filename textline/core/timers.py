"""Deadlines kept in Redis, turned into jobs by the ticker once a second.

Keys (owned here): `tl:timers` sorted set (member = timer name, score = due
epoch seconds), `tl:timer:{name}` hash (queue, func, args as JSON),
`tl:timers:claimed` sorted set (a claim's lease). A claim moves due timers
to the claimed set atomically, so any number of tickers may run; a ticker
that dies after claiming leaves a lease that the next tick takes over.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime

import redis

from textline.core import queues
from textline.core.line import Line

DUE = "tl:timers"
CLAIMED = "tl:timers:claimed"
LEASE = 30.0

_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, name in ipairs(due) do
  redis.call('ZREM', KEYS[1], name)
  redis.call('ZADD', KEYS[2], ARGV[2], name)
end
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, name in ipairs(stale) do
  redis.call('ZADD', KEYS[2], ARGV[2], name)
  table.insert(due, name)
end
return due
"""


def _spec(name: str) -> str:
    return f"tl:timer:{name}"


def schedule(r: redis.Redis, name: str, at: datetime | float, queue: str, func: str, *args: queues.JobArg) -> None:
    """Run `func(*args)` on `queue` at `at`; scheduling the same name again moves it."""
    when = at.timestamp() if isinstance(at, datetime) else float(at)
    # Each schedule gets its own job id: a timer set again for the same moment must fire again.
    pipe = r.pipeline()
    pipe.hset(_spec(name), mapping={"queue": queue, "func": func, "args": json.dumps(list(args)),
                                    "at": f"{int(when * 1000)}-{uuid.uuid4().hex[:8]}"})
    pipe.zrem(CLAIMED, name)
    pipe.zadd(DUE, {name: when})
    pipe.execute()


def cancel(r: redis.Redis, name: str) -> None:
    pipe = r.pipeline()
    pipe.zrem(DUE, name)
    pipe.zrem(CLAIMED, name)
    pipe.delete(_spec(name))
    pipe.execute()


def due_at(r: redis.Redis, name: str) -> float | None:
    return r.zscore(DUE, name)


def pending(r: redis.Redis, prefix: str = "") -> list[tuple[str, float]]:
    return [(n, s) for n, s in r.zrange(DUE, 0, -1, withscores=True) if n.startswith(prefix)]


def tick(line: Line, now: datetime | None = None, batch: int = 500) -> int:
    """Enqueue every timer due by `now`; returns how many."""
    moment = (now or line.now()).timestamp()
    names = line.r.eval(_CLAIM, 2, DUE, CLAIMED, moment, moment + LEASE, batch)
    fired = 0
    for name in names:
        spec = line.r.hgetall(_spec(name))
        if spec:
            args = json.loads(spec["args"])
            queues.enqueue(line, spec["queue"], spec["func"], *args, job_id=f"timer:{name}:{spec.get('at', '')}")
            fired += 1
        line.r.zrem(CLAIMED, name)
        if line.r.zscore(DUE, name) is None:  # not re-scheduled meanwhile
            line.r.delete(_spec(name))
    return fired


def next_due(r: redis.Redis) -> float | None:
    first = r.zrange(DUE, 0, 0, withscores=True)
    return first[0][1] if first else None
