"""Per-number conversation state, expiring back to the menu.

Keys (owned here): `tl:member:{phone}:session` hash (flow, step, data as
JSON), with a TTL of the session timeout (or a flow's own TTL).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import redis

from textline.core.one_trip import Queue
from textline.models import members


def _key(phone: str) -> str:
    return members.sub_key(phone, "session")


@dataclass(frozen=True)
class Session:
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


def get(r: redis.Redis, phone: str) -> Session | None:
    return _session(r.hgetall(_key(phone)))


def fetch(pipe: Queue, phone: str) -> Callable[[Iterator[Any]], Session | None]:
    """Queue the read of `phone`'s session on `pipe`, read with the caller's others in one round trip."""
    pipe.hgetall(_key(phone))
    return lambda results: _session(next(results))


def _session(raw: dict[str, str]) -> Session | None:
    if not raw or "flow" not in raw:
        return None
    return Session(raw["flow"], raw.get("step", ""), json.loads(raw.get("data") or "{}"))


def start(r: redis.Redis, phone: str, flow: str, step: str, ttl: float, data: dict[str, Any] | None = None) -> None:
    """Enter `flow` at `step`; it expires after `ttl` seconds without an answer."""
    pipe = r.pipeline()
    pipe.delete(_key(phone))
    pipe.hset(_key(phone), mapping={"flow": flow, "step": step, "data": json.dumps(data or {})})
    pipe.expire(_key(phone), max(1, int(ttl)))
    pipe.execute()


def clear(r: redis.Redis, phone: str) -> None:
    r.delete(_key(phone))
