"""Duplicate webhooks: a MessageSid or CallSid seen before is answered again without acting again.

Two records per delivery, each kept only as long as it is needed:

- `tl:in:{sid}` holds the answer given, for `ANSWER_TTL` (Twilio retries a webhook within seconds to
  minutes). While the first delivery is being handled it is empty and lives only `IN_FLIGHT_TTL`
  seconds: if that handling dies with Redis, Twilio's retry is acted on once the claim lapses, instead
  of being acknowledged without being acted on.
- a seen-marker for a day, 16 bytes a message: `tl:in:seen:{block}:{bucket}` strings, each the 64-bit
  digests (in hex, text like every other value) of the sids of `BLOCK_HOURS` hours appended one after
  the other (16 buckets by the digest's first hex digit, so a lookup reads 7 short strings holding a
  sixteenth of the day), each kept a day after its last append. A sid seen in the last `SEEN_HOURS`
  hours whose answer has lapsed is acknowledged with an empty answer, never acted on again.

An answer can hold a member's words (their safety plan, a reminder they set) or their whole number
(the ACK reply to staff, the `<Number>` of a bridged call), so each stored answer is listed under every
member it is about, in `tl:member:{phone}:in` (the sender's, and each number written in it), for as
long as the answers: erase turns those answers into an empty `<Response/>` (a retry still acts on
nothing, and now says nothing). The seen-marker holds no number and no words.
"""
from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import redis

from textline.core.one_trip import OneTrip, Queue
from textline.models import members

#: How long an answer is kept for a retry: Twilio retries within its 15 s timeout and a few minutes after.
ANSWER_TTL = 600
#: How long a delivery is remembered as seen (acknowledged, never acted on again), in hours.
SEEN_HOURS = 24
#: The seen-markers of this many hours share a string (fewer strings to read in a lookup).
BLOCK_HOURS = 4
_BLOCKS = SEEN_HOURS // BLOCK_HOURS + 1
IN_FLIGHT = ""
#: Twilio gives up on a webhook after 15 s; a claim older than that belongs to a handling that died.
IN_FLIGHT_TTL = 15
#: What an answer that was about an erased member becomes: TwiML that says and does nothing. A delivery
#: seen whose answer has lapsed gets it too.
SCRUBBED = '<?xml version="1.0" encoding="UTF-8"?><Response />'
#: An E.164 number in the text of an answer (attributes such as the line's own `callerId` are not text).
_TEXT = re.compile(r">([^<]+)<")
_E164 = re.compile(r"\+[1-9]\d{7,14}(?!\d)")
SEEN_PREFIX = "tl:in:seen:"

# Whether the digest ARGV[2] (16 hex digits) is in one of the seen strings ARGV[3...] (16 digits an entry).
_FIND = """
local digest = ARGV[2]
local function seen()
  for i = 3, #ARGV do
    local marks = redis.call('GET', ARGV[i])
    local from = 1
    while marks do
      local at = string.find(marks, digest, from, true)
      if not at then break end
      if (at - 1) % 16 == 0 then return true end
      from = at + 1
    end
  end
  return false
end
"""
# KEYS[1] the answer key. ARGV: in-flight ttl (0: only look), the digest, the seen keys of each block.
# Returns {1} when this caller claimed it (or, only looking, found nothing), {0, answer} for a repeat (''
# while the first is in flight, '__seen__' when only the seen-marker is left).
_CLAIM = _FIND + """
local answer = redis.call('GET', KEYS[1])
if answer then return {0, answer} end
if seen() then return {0, '__seen__'} end
if ARGV[1] ~= '0' then redis.call('SET', KEYS[1], '', 'NX', 'EX', ARGV[1]) end
return {1}
"""
_SEEN = "__seen__"
#: Each append keeps its string a day more (so every digest in it is kept at least a day).
_SEEN_TTL = SEEN_HOURS * 3600


def _key(sid: str) -> str:
    return f"tl:in:{sid}"


def _about(phone: str) -> str:
    return members.sub_key(phone, "in")


def _digest(sid: str) -> tuple[str, str]:
    """(bucket, digest): 64 bits of a digest of `sid` in hex, its first digit the bucket."""
    hexed = hashlib.blake2b(sid.encode(), digest_size=8).hexdigest()
    return hexed[0], hexed


def _seen_key(block: int, bucket: str) -> str:
    return f"{SEEN_PREFIX}{block}:{bucket}"


def _block() -> int:
    """The block of hours of the seen-marker: real time (Twilio's retries), not the line's clock."""
    return int(time.time() // (3600 * BLOCK_HOURS))


def _claim_args(sid: str, ttl: int = IN_FLIGHT_TTL) -> list[Any]:
    bucket, digest = _digest(sid)
    block = _block()
    return [ttl, digest, *(_seen_key(block - b, bucket) for b in range(_BLOCKS))]


def _mark(pipe: redis.Redis, sid: str) -> None:
    bucket, digest = _digest(sid)
    seen = _seen_key(_block(), bucket)
    pipe.append(seen, digest)
    pipe.expire(seen, _SEEN_TTL)


def claim_queued(pipe: Queue, sid: str) -> Callable[[Iterator[Any]], str | None]:
    """Queue the claim of `sid` on `pipe`; the reader gives None when this caller claimed it (act on it),
    else the answer to repeat ('' while the first delivery is in flight)."""
    pipe.eval(_CLAIM, 1, _key(sid), *_claim_args(sid))
    return lambda results: _claimed(next(results))


def _claimed(result: list[str]) -> str | None:
    if result[0] == 1:
        return None
    return SCRUBBED if result[1] == _SEEN else result[1]


def claim(r: redis.Redis, sid: str) -> bool:
    """True for the first delivery of `sid`: the caller acts on it."""
    return _claimed(r.eval(_CLAIM, 1, _key(sid), *_claim_args(sid))) is None


def answered(r: redis.Redis, sid: str) -> str | None:
    """The answer for a seen `sid` ('' while the first is still in flight, SCRUBBED once only the seen-marker
    is left, None when it was never seen or its claim lapsed)."""
    result = r.eval(_CLAIM, 1, _key(sid), *_claim_args(sid, ttl=0))
    return None if result[0] == 1 else _claimed(result)


def numbers_in(answer: str) -> set[str]:
    """Whole numbers written in an answer's text."""
    return {number for text in _TEXT.findall(answer) for number in _E164.findall(text)} if "+" in answer else set()


def remember(r: redis.Redis | OneTrip, sid: str, answer: str, about: Iterable[str | None] = ()) -> None:
    """Keep the answer given to `sid` (listed under `about`, the sender, and every number it holds) and
    mark `sid` seen. `r` may be the caller's pipeline: then it runs with the caller's other writes."""
    people = {p for p in about if p} | numbers_in(answer)
    pipe = r if isinstance(r, redis.client.Pipeline | OneTrip) else r.pipeline(transaction=False)
    pipe.set(_key(sid), answer, ex=ANSWER_TTL)
    _mark(pipe, sid)
    for phone in people:
        pipe.sadd(_about(phone), sid)
        pipe.expire(_about(phone), ANSWER_TTL)
    if pipe is not r:
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


def migrate(r: redis.Redis) -> int:
    """From the previous layout (every answer kept a day): each answer still kept is marked seen and kept
    `ANSWER_TTL` at most, as are the lists of answers about a member; how many answers changed. Run again,
    it changes nothing (no answer is kept longer than `ANSWER_TTL` any more)."""
    changed = 0
    for found in r.scan_iter(match="tl:in:*", count=1000):
        if found.startswith(SEEN_PREFIX) or r.ttl(found) <= ANSWER_TTL:
            continue
        pipe = r.pipeline(transaction=False)
        _mark(pipe, found[len("tl:in:"):])
        pipe.expire(found, ANSWER_TTL)
        pipe.execute()
        changed += 1
    for about in r.scan_iter(match=_about("*"), count=1000):
        if r.ttl(about) > ANSWER_TTL:
            r.expire(about, ANSWER_TTL)
    return changed
