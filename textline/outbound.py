"""Outbound messages and calls: one record each, delivered by a job that carries only its id.

Keys (owned here): `tl:msg:{id}` hash (to, body, kind, status, sid, error,
attempts ...), `tl:msg:seq` counter, `tl:msg:key:{dedupe}` (business key ->
id, so a retried fan-out creates one record), `tl:msg:sid:{sid}` (Twilio sid
-> id, for status callbacks), `tl:stats:delivery:{day}` counters, `tl:member:{phone}:messages`
(the ids of records sent to a number, so export and erase find them). Records expire after the
message retention period.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import redis

from textline import gsm, member_data, queues, timers
from textline.line import Line

DELIVER = "workers.send.deliver"


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


def _key(msg_id: str) -> str:
    return f"tl:msg:{msg_id}"


def _sent_to(phone: str) -> str:
    return f"tl:member:{phone}:messages"


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


def create(line: Line, to: str, body: str, *, kind: Kind, queue: str, channel: str = "sms",
           dedupe: str | None = None, ref: str = "") -> str | None:
    """Store a record; None when `dedupe` names one that exists already."""
    r = line.r
    ttl = int(line.settings.message_retention)
    msg_id = str(r.incr("tl:msg:seq"))
    text = gsm.fit(body) if channel == "sms" else body
    # The record and its business key in one transaction: a crash can never leave a key without a record.
    pipe = r.pipeline()
    pipe.hset(_key(msg_id), mapping={
        "id": msg_id, "to": to, "body": text, "kind": str(kind), "queue": queue, "channel": channel,
        "status": str(Status.QUEUED), "attempts": "0", "ref": ref, "created_at": line.now().isoformat(),
        "dedupe": dedupe or "",
    })
    pipe.expire(_key(msg_id), ttl)
    pipe.sadd(_sent_to(to), msg_id)
    pipe.expire(_sent_to(to), ttl)
    if dedupe:
        pipe.set(f"tl:msg:key:{dedupe}", msg_id, nx=True, ex=ttl)
    results = pipe.execute()
    if dedupe and not results[-1]:
        pipe = r.pipeline()
        pipe.delete(_key(msg_id))
        pipe.srem(_sent_to(to), msg_id)
        pipe.execute()
        return None
    return msg_id


_CREATE_MANY = """
local ttl, now, kind, queue, ref = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local nbodies = tonumber(ARGV[6])
local first = 7 + nbodies
local n = (#ARGV - first + 1) / 3
local last = redis.call('INCRBY', KEYS[1], n)
local out = {}
for i = 1, n do
  local at = first + (i - 1) * 3
  local to, body, dedupe = ARGV[at], ARGV[6 + tonumber(ARGV[at + 1])], ARGV[at + 2]
  local mark = 'tl:msg:key:' .. dedupe
  local id = redis.call('GET', mark)
  if id then
    out[i] = -tonumber(id)
  else
    id = tostring(last - n + i)
    redis.call('SET', mark, id, 'EX', ttl)
    local rec = 'tl:msg:' .. id
    redis.call('HSET', rec, 'id', id, 'to', to, 'body', body, 'kind', kind, 'queue', queue, 'channel', 'sms',
               'status', 'queued', 'attempts', '0', 'ref', ref, 'created_at', now)
    redis.call('EXPIRE', rec, ttl)
    out[i] = tonumber(id)
  end
end
return out
"""


def create_many(line: Line, items: list[tuple[str, str, str]], *, kind: Kind, queue: str,
                ref: str = "") -> list[tuple[str, bool]]:
    """Store many texts at once, each `(to, body, dedupe)`; (id, created) for each, in order.

    One Lua script per call: a dedupe key and its record are written together, so a crash never
    leaves a key without its record, and an item seen before gives back the id it was given then.
    """
    if not items:
        return []
    bodies: dict[str, int] = {}  # a broadcast has a handful of distinct bodies: each is sent to Redis once
    rows: list[str | int] = []
    for to, body, dedupe in items:
        rows.extend((to, bodies.setdefault(body, len(bodies) + 1), dedupe))
    args: list[str | int] = [int(line.settings.message_retention), line.now().isoformat(), str(kind), queue, ref,
                             len(bodies), *(gsm.fit(body) for body in bodies), *rows]
    found = line.r.eval(_CREATE_MANY, 1, "tl:msg:seq", *args)  # new ids, and ids seen before as negatives
    return [(str(abs(msg_id)), msg_id > 0) for msg_id in found]


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
    if kind in WATCHED:
        at = line.now() + timedelta(seconds=line.settings.send_lease + 1)
        timers.schedule(line.r, watch_name(target), at, queue, DELIVER, target)
    queues.enqueue(line, queue, DELIVER, target, job_id=f"deliver:{target}:0")


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
        created_at=data.get("created_at", ""),
    )


def bump_attempts(r: redis.Redis, msg_id: str) -> int:
    return int(r.hincrby(_key(msg_id), "attempts", 1))


def mark(line: Line, msg_id: str, status: Status, *, sid: str = "", error: str = "") -> None:
    """Record a status (and the Twilio sid once known), counting it for the delivery report."""
    r = line.r
    fields = {"status": str(status), "updated_at": line.now().isoformat()}
    if sid:
        fields["sid"] = sid
    if error:
        fields["error"] = error
    day = line.now().date().isoformat()
    pipe = r.pipeline()
    pipe.hset(_key(msg_id), mapping=fields)
    if sid:
        pipe.set(f"tl:msg:sid:{sid}", msg_id, ex=int(line.settings.message_retention))
    label = f"{status}:{error}" if error else str(status)
    pipe.hincrby(f"tl:stats:delivery:{day}", label, 1)
    pipe.expire(f"tl:stats:delivery:{day}", 90 * 86400)
    pipe.execute()


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
    if status in ("delivered", "completed"):
        fields["status"] = str(Status.DELIVERED)
    elif status in FAILED_DELIVERY:
        fields["status"] = str(Status.UNDELIVERED if status == "undelivered" else Status.FAILED)
    day = line.now().date().isoformat()
    pipe = r.pipeline()
    pipe.hset(_key(msg_id), mapping=fields)
    if status not in COUNTED_BY_SENDER:
        pipe.hincrby(f"tl:stats:delivery:{day}", f"{status}:{error}" if error else status, 1)
        pipe.expire(f"tl:stats:delivery:{day}", 90 * 86400)
    pipe.execute()


def by_sid(r: redis.Redis, sid: str) -> str | None:
    return r.get(f"tl:msg:sid:{sid}")


def delivery_stats(r: redis.Redis, day: datetime) -> dict[str, int]:
    return {k: int(v) for k, v in r.hgetall(f"tl:stats:delivery:{day.date().isoformat()}").items()}


def _export(r: redis.Redis, phone: str) -> list[dict[str, str]]:
    """The message records (texts and calls) still kept for `phone`."""
    found = [r.hgetall(_key(msg_id)) for msg_id in sorted(r.smembers(_sent_to(phone)), key=int)]
    return [data for data in found if data]


def _erase(r: redis.Redis, phone: str) -> None:
    """Remove the records sent to `phone`, with their sid and dedupe keys."""
    for data in _export(r, phone):
        pipe = r.pipeline()
        pipe.delete(_key(data["id"]))
        if data.get("sid"):
            pipe.delete(f"tl:msg:sid:{data['sid']}")
        if data.get("dedupe"):
            pipe.delete(f"tl:msg:key:{data['dedupe']}")
        pipe.execute()


member_data.register("messages", _export, _erase)
