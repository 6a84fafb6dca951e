"""Opaque references to members for dashboard URLs, and the record of who revealed a whole number.

A dashboard URL never carries a phone number: each member gets a random
reference the first time a page lists them. Keys (owned here):
`tl:member:{phone}:ref` (the member's reference), `tl:member:{phone}:reveals`
list (who saw the whole number, and when: exported with the member),
`tl:dash:refs` hash reference -> phone (cleared by the eraser registered here).
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime

import redis

from textline.models import members

REFS = "tl:dash:refs"
MAX_REVEALS = 200

#: Get the member's reference, or make one, in one step (two pages listing a new member agree).
_ASSIGN = """
local ref = redis.call('GET', KEYS[1])
if ref then return ref end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return ARGV[1]
"""


def _ref_key(phone: str) -> str:
    return members.sub_key(phone, "ref")


def _reveals(phone: str) -> str:
    return members.sub_key(phone, "reveals")


def ref_for(r: redis.Redis, phone: str) -> str:
    return str(r.eval(_ASSIGN, 2, _ref_key(phone), REFS, secrets.token_urlsafe(9), phone))


def refs_for(r: redis.Redis, phones: Iterable[str]) -> dict[str, str]:
    """References for many members: one round trip for those that have one already."""
    wanted = list(dict.fromkeys(phones))
    pipe = r.pipeline()
    for phone in wanted:
        pipe.get(_ref_key(phone))
    found = dict(zip(wanted, pipe.execute(), strict=True))
    return {phone: ref or ref_for(r, phone) for phone, ref in found.items()}


def phone_for(r: redis.Redis, ref: str) -> str | None:
    """The member behind a reference, or None (unknown, or the member was erased)."""
    if not ref or len(ref) > 32:
        return None
    phone = r.hget(REFS, ref)
    if not phone or r.get(_ref_key(phone)) != ref:
        return None
    return phone


def record_reveal(r: redis.Redis, phone: str, who: str, at: datetime) -> None:
    pipe = r.pipeline()
    pipe.lpush(_reveals(phone), json.dumps({"at": at.isoformat(), "by": who}))
    pipe.ltrim(_reveals(phone), 0, MAX_REVEALS - 1)
    pipe.execute()


def reveals(r: redis.Redis, phone: str) -> list[dict[str, str]]:
    return [json.loads(raw) for raw in r.lrange(_reveals(phone), 0, -1)]


def erase_member(r: redis.Redis, phone: str) -> None:
    ref = r.get(_ref_key(phone))
    if ref:
        r.hdel(REFS, ref)


