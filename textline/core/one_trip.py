"""A pipeline that Redis runs as one script: one command sent, one reply read, whatever was queued.

`OneTrip` takes the same calls as a redis-py pipeline (`hgetall`, `sismember`, `set`, `eval` ...) and
`execute()` gives the same results, in order. What differs is the cost: each command of a pipeline is
packed, sent and parsed in Python, about 20 us of CPU each on a 2-core machine (a round trip there is
about 90 us); here the whole queue is one EVALSHA of a script written for the queue's shape (which
commands, how many arguments each; cached by shape here, and by Redis), so Redis runs the commands and
answers one array. The commands run atomically, in order, as in a MULTI transaction. That one command
is packed by hiredis in C and sent on a connection of the client's pool (`_call`), not through
`execute_command`, whose Python packing of each argument cost as much again.

A queued `eval` becomes a local function of the composed script (its `KEYS` and `ARGV` its own), so a
claim or a limiter written as a script runs inside the same round trip.

Every name and value is passed in ARGV: textline runs on one Redis server (embedded or standalone),
never a cluster. Replies come as a script's do, with what redis-py's pipeline would change: HGETALL's
pairs become a dict, a missing value (or a script's nothing) None, SET's OK True. An error stops the
script there and is raised (commands before it stay done, as in any script).
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from typing import Any

import redis
from hiredis import pack_command
from redis.commands.core import CoreCommands
from redis.exceptions import ConnectionError, DataError, NoScriptError, TimeoutError

# Per queued command: (False, its name, how many arguments), or for an EVAL (True, its script, how many
# keys; the count of keys and arguments comes in ARGV, before them).
Shape = tuple[tuple[bool, str, int], ...]

_scripts: dict[Shape, tuple[str, str]] = {}
#: Shapes come from the code's few paths; past this many, a new one is composed each time, not kept.
_MAX_SHAPES = 512
_lock = threading.Lock()


def take(results: Iterator[Any], count: int) -> list[Any]:
    """A reader's share of an executed queue's results: the next `count`, in the order they were queued."""
    return [next(results) for _ in range(count)]


class OneTrip(CoreCommands):  # type: ignore[misc]
    """Queue commands as on a pipeline; `execute()` runs them in Redis as one script, one round trip."""

    def __init__(self, r: redis.Redis) -> None:
        self._r = r
        self._ops: list[tuple[bool, str, int]] = []
        self._args: list[Any] = []

    def execute_command(self, *args: Any, **options: Any) -> OneTrip:
        name = str(args[0]).upper()
        if name == "EVAL":  # EVAL script numkeys key... arg...
            script, numkeys, rest = args[1], int(args[2]), args[3:]
            self._ops.append((True, script, numkeys))
            self._args.append(len(rest))
            self._args.extend(rest)
            return self
        self._ops.append((False, name, len(args) - 1))
        self._args.extend(args[1:])
        return self

    def __len__(self) -> int:
        return len(self._ops)

    def execute(self) -> list[Any]:
        if not self._ops:
            return []
        body, sha = _script(tuple(self._ops))
        args = [_encode(a) for a in self._args]
        try:
            replies = _call(self._r, "EVALSHA", sha, 0, *args)
        except NoScriptError:
            replies = _call(self._r, "EVAL", body, 0, *args)
        return [_reply(name, reply) for (_, name, _), reply in zip(self._ops, replies, strict=True)]


def _call(r: redis.Redis, *command: Any) -> Any:
    """Send one command packed in C (hiredis) and read its reply on a connection of `r`'s pool: what
    `r.execute_command` does without its per-argument Python packing and per-call bookkeeping (about a
    fifth of a turn's client CPU here). A broken connection is retried once, as `r` itself does."""
    packed = pack_command(command)
    pool = r.connection_pool
    for attempt in (1, 2):
        conn = pool.get_connection()
        try:
            conn.send_packed_command([packed])
            return conn.read_response()
        except (ConnectionError, TimeoutError):
            conn.disconnect()
            if attempt == 2:
                raise
        finally:
            pool.release(conn)
    raise AssertionError("unreachable")


#: Where a model queues its commands for the caller to run with others: a pipeline or a `OneTrip`.
Queue = redis.client.Pipeline | OneTrip


def _encode(value: Any) -> Any:
    """What redis-py accepts (str, bytes, int, float), refused as it refuses the rest (None, a bool)."""
    if isinstance(value, bool) or not isinstance(value, str | bytes | int | float):
        raise DataError(f"Invalid input of type: '{type(value).__name__}'")
    return repr(value) if isinstance(value, float) else value


def _reply(op: str, reply: Any) -> Any:
    if reply is False:
        return None
    if op == "HGETALL":
        return dict(zip(reply[::2], reply[1::2], strict=True)) if reply else {}
    if op == "SET" and reply == "OK":
        return True
    return reply


def _script(shape: Shape) -> tuple[str, str]:
    found = _scripts.get(shape)
    if found is None:
        body = _compose(shape)
        found = body, hashlib.sha1(body.encode()).hexdigest()
        with _lock:
            if len(_scripts) < _MAX_SHAPES:
                _scripts[shape] = found
    return found


def _compose(shape: Shape) -> str:
    """A script for `shape`: each command in turn, its arguments taken from ARGV in order."""
    lines = ["local A, out, a = ARGV, {}, 0"]
    functions: list[str] = []
    for i, (is_script, text, count) in enumerate(shape, 1):
        if is_script:  # a queued EVAL: its script as a function of its own (KEYS, ARGV)
            functions.append(f"local function s{i}(KEYS, ARGV)\n{text}\nend")
            lines.append(f"do local n = tonumber(A[a + 1]); a = a + 1\n"
                         f"  out[{i}] = s{i}({{unpack(A, a + 1, a + {count})}}, {{unpack(A, a + {count} + 1, a + n)}})"
                         f"; a = a + n end\nif out[{i}] == nil then out[{i}] = false end")
        else:
            call = ", ".join([f"'{text}'"] + [f"A[a + {j}]" for j in range(1, count + 1)])
            lines.append(f"out[{i}] = redis.call({call}); a = a + {count}")
    lines.append("return out")
    return "\n".join(functions + lines)

