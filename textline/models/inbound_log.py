"""Duplicate webhooks: a MessageSid or CallSid seen before is answered again without acting again.

Keys (owned here): `tl:in:{sid}` holds the answer given, for a day. While the
first delivery is being handled it is empty and lives only `IN_FLIGHT_TTL`
seconds: if that handling dies with Redis, Twilio's retry is acted on once
the claim lapses, instead of being acknowledged without being acted on.

An answer can hold a member's words (their safety plan, a reminder they set)
or their whole number (the ACK reply to staff, the `<Number>` of a bridged
call), so each stored answer is listed under every member it is about, in
`tl:member:{phone}:in` (the sender's, and each number written in it): erase
turns those answers into an empty `<Response/>` (a retry still acts on
nothing, and now says nothing).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import redis

from textline.models import members

TTL = 86400
IN_FLIGHT = ""
#: Twilio gives up on a webhook after 15 s; a claim older than that belongs to a handling that died.
IN_FLIGHT_TTL = 15
#: What an answer that was about an erased member becomes: TwiML that says and does nothing.
SCRUBBED = '<?xml version="1.0" encoding="UTF-8"?><Response />'
#: An E.164 number in the text of an answer (attributes such as the line's own `callerId` are not text).
_TEXT = re.compile(r">([^<]+)<")
_E164 = re.compile(r"\+[1-9]\d{7,14}(?!\d)")


def _key(sid: str) -> str:
    return f"tl:in:{sid}"


def _about(phone: str) -> str:
    return members.sub_key(phone, "in")


def claim(r: redis.Redis, sid: str) -> bool:
    """True for the first delivery of `sid`: the caller acts on it."""
    return bool(r.set(_key(sid), IN_FLIGHT, nx=True, ex=IN_FLIGHT_TTL))


def answered(r: redis.Redis, sid: str) -> str | None:
    """The answer stored for a seen `sid` ('' while the first is still in flight, None once lapsed)."""
    return r.get(_key(sid))


def numbers_in(answer: str) -> set[str]:
    """Whole numbers written in an answer's text."""
    return {number for text in _TEXT.findall(answer) for number in _E164.findall(text)}


def remember(r: redis.Redis, sid: str, answer: str, about: Iterable[str | None] = ()) -> None:
    """Keep the answer given to `sid`, listed under `about` (the sender) and every number it holds."""
    people = {p for p in about if p} | numbers_in(answer)
    pipe = r.pipeline()
    pipe.set(_key(sid), answer, ex=TTL)
    for phone in people:
        pipe.sadd(_about(phone), sid)
        pipe.expire(_about(phone), TTL)
    pipe.execute()


def release(r: redis.Redis, sid: str) -> None:
    """Forget a claim whose handling failed, so Twilio's retry is acted on."""
    r.delete(_key(sid))


def export_member(r: redis.Redis, phone: str) -> list[dict[str, str | int]]:
    """Which answers about `phone` are still kept, and for how many more seconds (not their text: a copy of
    replies already given, some of which echo what the member chose, such as a signal word)."""
    sids = sorted(r.smembers(_about(phone)))
    pipe = r.pipeline()
    for sid in sids:
        pipe.ttl(_key(sid))
    return [{"sid": sid, "kept_for": int(ttl)} for sid, ttl in zip(sids, pipe.execute(), strict=True) if ttl > 0]


def erase_member(r: redis.Redis, phone: str) -> None:
    """Every stored answer about `phone` says nothing from now on (its dedupe still holds)."""
    pipe = r.pipeline()
    for sid in r.smembers(_about(phone)):
        pipe.set(_key(sid), SCRUBBED, xx=True, keepttl=True)
    pipe.delete(_about(phone))
    pipe.execute()
