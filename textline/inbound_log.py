"""Duplicate webhooks: a MessageSid or CallSid seen before is answered again without acting again.

Keys (owned here): `tl:in:{sid}` holds the answer given (empty while the
first delivery is being handled), for a day.
"""
from __future__ import annotations

import redis

TTL = 86400
IN_FLIGHT = ""


def _key(sid: str) -> str:
    return f"tl:in:{sid}"


def claim(r: redis.Redis, sid: str) -> bool:
    """True for the first delivery of `sid`: the caller acts on it."""
    return bool(r.set(_key(sid), IN_FLIGHT, nx=True, ex=TTL))


def answered(r: redis.Redis, sid: str) -> str | None:
    """The answer stored for a seen `sid` ('' while the first is still in flight)."""
    return r.get(_key(sid))


def remember(r: redis.Redis, sid: str, answer: str) -> None:
    r.set(_key(sid), answer, ex=TTL)


def release(r: redis.Redis, sid: str) -> None:
    """Forget a claim whose handling failed, so Twilio's retry is acted on."""
    r.delete(_key(sid))
