"""Outbound messages and calls: one record each, delivered by a job that carries only its id.

Keys (owned here): `tl:msg:{id}` hash (to, body, kind, status, sid, error,
attempts ...), `tl:msg:seq` counter, `tl:msg:key:{dedupe}` (business key ->
id, so a retried fan-out creates one record), `tl:msg:sid:{sid}` (Twilio sid
-> id, for status callbacks), `tl:stats:delivery:{day}` counters, `tl:member:{phone}:messages`
(the ids of records sent to a number, so export and erase find them), `tl:msg:{id}:lock` (held while
one delivery is under way: workers/send.py), `tl:msg:ref:{kind}:{id}` (the records a `ref` such as
`case:12` names: a crisis alert carries the member's words to staff, so erasing the member scrubs the
alerts about their cases), `tl:member:{phone}:mentions` (records to someone else whose text holds this
member's whole number). Records expire after the message retention period. `tl:msg:open` sorted
set: records not final yet -> when to check that their delivery is still under way (workers/sweep.py).
A record is created in one atomic step with its dedupe key. Broadcast copies (`LUA_COPY`, run by a
broadcast's fan-out batch) are not in the open set: their broadcast's pump owns them. Each status a record reaches
is counted once for /metrics (textline/models/metrics.py), in the pipeline `mark` and `record_delivery` send anyway.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import redis

from textline.core import clock, gsm, jobs, queues, timers
from textline.core.line import Line
from textline.models import members, metrics


class Status(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    SKIPPED = "skipped"


#: Once here, a record is never sent again.
FINAL = frozenset({Status.SENT, Status.DELIVERED, Status.UNDELIVERED, Status.FAILED, Status.SKIPPED})

# A status only moves forward (queued/sending -> sent -> delivered/failed ...), whatever order
# racing workers and Twilio's callbacks write in; a record that expired or was erased is not re-created.
# Returns {0} (refused), {1} (written, status as it was) or {1, kind, channel} (the status changed: counted).
_SET_STATUS = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
local rank = {queued=0, sending=0, sent=1, delivered=2, undelivered=2, failed=2, skipped=2}
local before = redis.call('HGET', KEYS[1], 'status') or 'queued'
local current = rank[before] or 0
if ARGV[1] ~= '' and (rank[ARGV[1]] or 0) < current then return {0} end
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'status', ARGV[1]) end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[1] == '' or ARGV[1] == before then return {1} end
return {1, redis.call('HGET', KEYS[1], 'kind') or '', redis.call('HGET', KEYS[1], 'channel') or 'sms'}
"""

# An attempt starts only on a record that is not final: count it and note when it began.
_START_ATTEMPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'queued' and status ~= 'sending' then return 0 end
local n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'status', 'sending', 'attempt_at', ARGV[1], 'updated_at', ARGV[2])
return n
"""


class Kind(StrEnum):
    REPLY = "reply"           # an answer to something the member just sent
    HELP = "help"             # answer to HELP: allowed before consent
    CRISIS = "crisis"         # crisis resource or follow-up to a member: allowed before consent
    ALERT = "alert"           # to staff
    PROMPT = "prompt"         # scheduled check-in prompt
    REMINDER = "reminder"     # meeting or personal reminder
    BROADCAST = "broadcast"   # coordinator's announcement
    CALLBACK = "callback"     # call-back updates to a member


#: Kinds that may reach a number that has not consented yet.
BEFORE_CONSENT = frozenset({Kind.HELP, Kind.CRISIS, Kind.ALERT})
#: Kinds whose delivery is watched from the moment it is enqueued.
WATCHED = frozenset({Kind.CRISIS, Kind.ALERT})


OPEN = "tl:msg:open"
#: Seconds a record may wait for its delivery before the sweep checks that a job still carries it.
RECHECK = {queues.CRISIS: 10.0, queues.REPLIES: 15.0, queues.CALLS: 30.0, queues.BROADCAST: 60.0}


def recheck_after(line: Line, queue: str) -> float:
    """Seconds until the sweep looks at an open record of `queue`: crisis work just after its short lease."""
    if queue == queues.CRISIS:
        return min(RECHECK[queues.CRISIS], line.settings.send_crisis_lease + 2)
    return RECHECK.get(queue, 60.0)

_CREATE = """
if KEYS[1] ~= '' and not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
for i = 4, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[1])
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return 1
"""
#: A whole number written in a record's text (the member's own number, in a text to someone else).
_E164 = re.compile(r"\+[1-9]\d{7,14}(?!\d)")

# Claim overdue open records for a sweep (moved a lease ahead, so concurrent sweeps do not share them).
_OVERDUE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
return ids
"""


def _key(msg_id: str) -> str:
    return f"tl:msg:{msg_id}"


def lock_key(msg_id: str) -> str:
    """Held while one delivery of the message is under way (workers/send.py takes and releases it)."""
    return f"tl:msg:{msg_id}:lock"


def _sent_to(phone: str) -> str:
    return members.sub_key(phone, "messages")


def _mentions(phone: str) -> str:
    return members.sub_key(phone, "mentions")


def _by_ref(ref: str) -> str:
    """The index of records whose `ref` starts with `ref` (`case:12` finds `case:12` and `case:12:3`)."""
    return "tl:msg:ref:" + ":".join(ref.split(":")[:2])


@dataclass(frozen=True)
class Message:
    id: str
    to: str
    body: str
    kind: Kind
    queue: str
    status: Status
    channel: str = "sms"
    sid: str = ""
    error: str = ""
    attempts: int = 0
    ref: str = ""
    created_at: str = ""
    #: Wall-clock epoch seconds when the latest attempt began (Twilio's clock, not the test clock).
    attempt_at: float = 0.0


def create(line: Line, to: str, body: str, *, kind: Kind, queue: str, channel: str = "sms",
           dedupe: str | None = None, ref: str = "") -> str | None:
    """Store a record; None when `dedupe` names one that exists already."""
    r = line.r
    ttl = int(line.settings.message_retention)
    if ref.startswith("conv:"):  # a relayed text's words go with the conversation's transcript
        ttl = max(1, min(ttl, int(line.settings.conversation_retention)))
    msg_id = str(r.incr(SEQ))
    text = gsm.fit(body) if channel == "sms" else body
    # The record and its business key in one script: a crash can never leave a key without a record.
    fields = {"id": msg_id, "to": to, "body": text, "kind": str(kind), "queue": queue, "channel": channel,
              "status": str(Status.QUEUED), "attempts": "0", "ref": ref, "created_at": line.now().isoformat(),
              "dedupe": dedupe or ""}
    recheck = line.now().timestamp() + recheck_after(line, queue)
    keys = [f"tl:msg:key:{dedupe}" if dedupe else "", _key(msg_id), OPEN, _sent_to(to)]
    if ref:
        keys.append(_by_ref(ref))
    keys += [_mentions(number) for number in sorted(set(_E164.findall(text)) - {to})]
    args = [msg_id, ttl, recheck, "", *[x for pair in fields.items() for x in pair]]
    if not r.eval(_CREATE, len(keys), *keys, *args):
        return None
    return msg_id


#: Lua: `copy(id, to, body, ttl, kind, queue, ref, now)` stores one broadcast copy as record `id`, listed
#: under the member's number (so export and erase find it, as `create` does). Run inside a broadcast's
#: fan-out batch (textline/models/broadcasts.py), whose snapshot and cursor make each copy once: no dedupe
#: key is needed (nor kept, to cost nothing per copy).
LUA_COPY = f"""
local function copy(id, to, body, ttl, kind, queue, ref, now)
  local rec = 'tl:msg:' .. id
  redis.call('HSET', rec, 'id', id, 'to', to, 'body', body, 'kind', kind, 'queue', queue, 'status', 'queued',
             'ref', ref, 'created_at', now)
  redis.call('EXPIRE', rec, ttl)
  local mine = '{members.key("")}' .. to .. ':messages'
  redis.call('SADD', mine, id)
  redis.call('EXPIRE', mine, ttl)
end
"""
#: The counter message ids come from.
SEQ = "tl:msg:seq"


def send_text(line: Line, to: str, body: str, *, kind: Kind, queue: str = queues.REPLIES,
              dedupe: str | None = None, ref: str = "") -> str | None:
    """Record a text and enqueue its delivery; the id, or None if `dedupe` was seen."""
    msg_id = create(line, to, body, kind=kind, queue=queue, dedupe=dedupe, ref=ref)
    _enqueue(line, queue, msg_id, dedupe, kind)
    return msg_id


def place_call(line: Line, to: str, path: str, *, kind: Kind, queue: str = queues.CALLS,
               dedupe: str | None = None, ref: str = "") -> str | None:
    """Record an outbound call whose TwiML lives at `path` (under /twilio/voice/) and enqueue it."""
    msg_id = create(line, to, path, kind=kind, queue=queue, channel="call", dedupe=dedupe, ref=ref)
    _enqueue(line, queue, msg_id, dedupe, kind)
    return msg_id


def _enqueue(line: Line, queue: str, msg_id: str | None, dedupe: str | None, kind: Kind) -> None:
    """Enqueue the delivery; on a dedupe hit, the existing record's (a no-op while its job exists).

    A process killed between `create` and the enqueue would otherwise leave a record nobody delivers:
    the retry that follows hits the dedupe key. Delivery is idempotent, so enqueueing again is safe.
    Crisis texts and alerts are watched from here on, not only once a worker starts them: a job
    whose worker dies before it takes the record's lock runs again after the lease.
    """
    target = msg_id or (by_dedupe(line.r, dedupe) if dedupe else None)
    if not target:
        return
    if kind in WATCHED:  # within the crisis lease (workers/send.py holds its lock no longer)
        at = line.now() + timedelta(seconds=line.settings.send_crisis_lease + 1)
        timers.schedule(line.r, watch_name(target), at, queue, jobs.DELIVER, target)
    queues.enqueue(line, queue, jobs.DELIVER, target, job_id=f"deliver:{target}:0")


def watch_name(msg_id: str) -> str:
    """The timer that re-enqueues a delivery whose worker died (workers/send.py moves and cancels it)."""
    return f"watch:{msg_id}"


def by_dedupe(r: redis.Redis, dedupe: str) -> str | None:
    """The id of the record created under business key `dedupe`, if any."""
    return r.get(f"tl:msg:key:{dedupe}")


def get(r: redis.Redis, msg_id: str) -> Message | None:
    data = r.hgetall(_key(msg_id))
    if not data:
        return None
    return Message(
        id=msg_id, to=data["to"], body=data.get("body", ""), kind=Kind(data["kind"]), queue=data["queue"],
        status=Status(data["status"]), channel=data.get("channel", "sms"), sid=data.get("sid", ""),
        error=data.get("error", ""), attempts=int(data.get("attempts", "0")), ref=data.get("ref", ""),
        created_at=data.get("created_at", ""), attempt_at=float(data.get("attempt_at") or 0),
    )


def start_attempt(line: Line, msg_id: str) -> int:
    """Mark the record `sending` and count the attempt; its number, or 0 if the record is final or gone."""
    return int(line.r.eval(_START_ATTEMPT, 1, _key(msg_id), repr(clock.utcnow().timestamp()),
                           line.now().isoformat()))


def _set_status(r: redis.Redis, msg_id: str, status: str,
                fields: dict[str, str]) -> tuple[bool, tuple[str, str] | None]:
    """(written, (kind, channel) when the status changed: counted in textline/models/metrics.py)."""
    flat = [x for pair in fields.items() for x in pair]
    found = r.eval(_SET_STATUS, 1, _key(msg_id), status, *flat)
    return bool(found[0]), (found[1], found[2]) if len(found) == 3 else None


def mark(line: Line, msg_id: str, status: Status, *, sid: str = "", error: str = "") -> bool:
    """Record a status (and the Twilio sid once known), counting it; False when the record is past it."""
    r = line.r
    fields = {"updated_at": line.now().isoformat()}
    if sid:
        fields["sid"] = sid
    if error:
        fields["error"] = error
    written, changed = _set_status(r, msg_id, str(status), fields)
    if not written:
        return False
    day = line.now().date().isoformat()
    pipe = r.pipeline()
    if changed and status in FINAL:
        metrics.count_outbound(pipe, *changed, str(status), reason=error)
    if status in FINAL:
        pipe.zrem(OPEN, msg_id)
    if sid:
        pipe.set(f"tl:msg:sid:{sid}", msg_id, ex=int(line.settings.message_retention))
    label = f"{status}:{error}" if error else str(status)
    pipe.hincrby(f"tl:stats:delivery:{day}", label, 1)
    pipe.expire(f"tl:stats:delivery:{day}", 90 * 86400)
    pipe.execute()
    return True


#: Twilio's final failure statuses for messages and calls.
FAILED_DELIVERY = frozenset({"failed", "undelivered", "busy", "no-answer", "canceled"})
KNOWN_DELIVERY = FAILED_DELIVERY | frozenset({
    "accepted", "scheduled", "queued", "sending", "sent", "delivered", "receiving", "received", "read",
    "partially_delivered", "initiated", "ringing", "in-progress", "answered", "completed",
})


#: Labels `mark` already counts for the same message: a callback repeating them would count it twice.
COUNTED_BY_SENDER = frozenset({"queued", "sending", "sent"})


def record_delivery(line: Line, msg_id: str, status: str, error: str = "") -> None:
    """A status callback: keep the latest delivery status and error code, and count it."""
    r = line.r
    fields = {"delivery": status, "updated_at": line.now().isoformat()}
    if error:
        fields["error"] = error
    new = ""
    if status in ("delivered", "completed"):
        new = str(Status.DELIVERED)
    elif status in FAILED_DELIVERY:
        new = str(Status.UNDELIVERED if status == "undelivered" else Status.FAILED)
    written, changed = _set_status(r, msg_id, new, fields)
    if not written:
        return
    day = line.now().date().isoformat()
    pipe = r.pipeline()
    if changed:  # a repeated callback is counted once
        metrics.count_outbound(pipe, *changed, new)
        metrics.count_twilio_error(pipe, error)
    if status not in COUNTED_BY_SENDER:
        pipe.hincrby(f"tl:stats:delivery:{day}", f"{status}:{error}" if error else status, 1)
        pipe.expire(f"tl:stats:delivery:{day}", 90 * 86400)
    pipe.execute()


def overdue(r: redis.Redis, now: float, limit: int = 200, lease: float = 30.0) -> list[str]:
    """Open records whose check time has come, claimed for `lease` seconds (see workers/sweep.py)."""
    return list(r.eval(_OVERDUE, 1, OPEN, now, now + lease, limit))


def recheck_at(r: redis.Redis, msg_id: str, at: float) -> None:
    r.zadd(OPEN, {msg_id: at}, xx=True)


def close(r: redis.Redis, msg_id: str) -> None:
    """Forget an open record (final, expired or erased)."""
    r.zrem(OPEN, msg_id)


def by_sid(r: redis.Redis, sid: str) -> str | None:
    return r.get(f"tl:msg:sid:{sid}")


def delivery_stats(r: redis.Redis, day: datetime) -> dict[str, int]:
    return {k: int(v) for k, v in r.hgetall(f"tl:stats:delivery:{day.date().isoformat()}").items()}


def export_member(r: redis.Redis, phone: str) -> list[dict[str, str]]:
    """The message records (texts and calls) still kept for `phone`."""
    found = [r.hgetall(_key(msg_id)) for msg_id in sorted(r.smembers(_sent_to(phone)), key=int)]
    return [data for data in found if data]


def about(r: redis.Redis, ref: str) -> list[dict[str, str]]:
    """The records still kept that `ref` names (`case:12`: every alert and notice about case 12)."""
    found = [r.hgetall(_key(msg_id)) for msg_id in sorted(r.smembers(_by_ref(ref)), key=int)]
    return [data for data in found if data]


def scrub_about(r: redis.Redis, ref: str) -> None:
    """Keep the records `ref` names for the audit (who was told, when, delivered or not), without their text."""
    _scrub(r, [data["id"] for data in about(r, ref)])
    r.delete(_by_ref(ref))


def erase_mentions(r: redis.Redis, phone: str) -> None:
    """Texts to others that hold `phone` whole keep their delivery record, without their text."""
    _scrub(r, list(r.smembers(_mentions(phone))))
    r.delete(_mentions(phone))


def _scrub(r: redis.Redis, ids: list[str]) -> None:
    pipe = r.pipeline()
    for msg_id in ids:
        # Only a record that still exists: HSET on an expired one would make it again, for ever.
        pipe.eval("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'body', ARGV[1]) end",
                  1, _key(msg_id), ERASED)
    pipe.execute()


#: What a scrubbed record's text becomes.
ERASED = "(erased)"


def erase_member(r: redis.Redis, phone: str) -> None:
    """Remove the records sent to `phone`, with their sid and dedupe keys."""
    for data in export_member(r, phone):
        pipe = r.pipeline()
        pipe.delete(_key(data["id"]))
        pipe.zrem(OPEN, data["id"])
        if data.get("sid"):
            pipe.delete(f"tl:msg:sid:{data['sid']}")
        if data.get("dedupe"):
            pipe.delete(f"tl:msg:key:{data['dedupe']}")
        pipe.execute()


