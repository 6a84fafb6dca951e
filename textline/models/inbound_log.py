"""Duplicate webhooks: a MessageSid or CallSid seen before is answered again without acting again.

Keys (owned here): `tl:in:{sid}` holds the answer given, for a day. While the
first delivery is being handled it is empty and lives only `IN_FLIGHT_TTL`
seconds: if that handling dies with Redis, Twilio's retry is acted on once
the claim lapses, instead of being acknowledged without being acted on.
"""
from __future__ import annotations

import redis

TTL = 86400
IN_FLIGHT = ""
#: Twilio gives up on a webhook after 15 s; a claim older than that belongs to a handling that died.
IN_FLIGHT_TTL = 15


def _key(sid: str) -> str:
    return f"tl:in:{sid}"


def claim(r: redis.Redis, sid: str) -> bool:
    """True for the first delivery of `sid`: the caller acts on it."""
    return bool(r.set(_key(sid), IN_FLIGHT, nx=True, ex=IN_FLIGHT_TTL))


def answered(r: redis.Redis, sid: str) -> str | None:
    """The answer stored for a seen `sid` ('' while the first is still in flight, None once lapsed)."""
    return r.get(_key(sid))


def remember(r: redis.Redis, sid: str, answer: str) -> None:
    r.set(_key(sid), answer, ex=TTL)


def release(r: redis.Redis, sid: str) -> None:
    """Forget a claim whose handling failed, so Twilio's retry is acted on."""
    r.delete(_key(sid))
