"""Call-back records and the queue: who asked, why (the priority), when, and where they stand.

Keys are listed in the package docstring (`textline/models/requests/__init__.py`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import redis

from textline.core import jobs, queues, timers
from textline.core.line import Line
from textline.models import cases, members
from textline.models.requests import times

#: Why a request was opened; decides its priority.
REASONS = ("asked", "low_checkin", "crisis", "voice", "text", "concern")
WAITING, LATER, TAKEN, ALL = "tl:callbacks:waiting", "tl:callbacks:later", "tl:callbacks:taken", "tl:callbacks:all"
#: `tl:conv:peer:{phone}`: the text requests a peer holds now.
HELD_PREFIX = "tl:conv:peer:"


class Status(StrEnum):
    WAITING = "waiting"
    TAKEN = "taken"
    DONE = "done"
    WITHDRAWN = "withdrawn"


OPEN = frozenset({Status.WAITING, Status.TAKEN})


class Kind(StrEnum):
    """A call-back (the line bridges a call) or a text request (the line relays texts)."""

    CALL = "call"
    TEXT = "text"


class Priority(StrEnum):
    HIGH = "high"
    NORMAL = "normal"


PRIORITY = {"crisis": Priority.HIGH, "low_checkin": Priority.HIGH, "asked": Priority.NORMAL,
            "voice": Priority.NORMAL, "text": Priority.NORMAL, "concern": Priority.HIGH}
#: The risk a text request was opened at (flows/risk.py's levels).
RISKS = ("none", "concern", "crisis")
#: A band is worth more than any time in milliseconds (until the year 2286).
_BAND = {Priority.HIGH: 0, Priority.NORMAL: 1}
BAND_WIDTH = 10**13


class When(StrEnum):
    """When the member said a call suits them."""

    NOW = "now"
    EVENING = "evening"
    TOMORROW = "tomorrow"


def key(callback_id: int | str) -> str:
    return f"tl:callback:{callback_id}"


def ref(callback_id: int | str) -> str:
    """The `ref` of every message record about a request (textline.models.outbound)."""
    return f"callback:{callback_id}"


def ref_id(message_ref: str) -> int | None:
    """The request a message record is about, from its `ref`; None for any other message."""
    prefix, _, rest = message_ref.partition(":")
    return int(rest) if prefix == "callback" and rest.isdigit() else None


def open_key(phone: str, kind: str = "call") -> str:
    """The member's open request of `kind`: one call-back and one text request at most."""
    return members.sub_key(phone, "callback" if kind == Kind.CALL else "textrequest")


def index_key(phone: str) -> str:
    return members.sub_key(phone, "callbacks")


def bridge_path(callback_id: int, attempt: int, step: str = "answer") -> str:
    """Where the line's call to the peer fetches its TwiML (textline/voice/bridge.py serves it)."""
    return f"/twilio/voice/bridge/{callback_id}/{attempt}/{step}"


def score(priority: Priority, since: datetime) -> int:
    return _BAND[priority] * BAND_WIDTH + int(since.timestamp() * 1000)


@dataclass(frozen=True)
class Callback:
    id: int
    phone: str
    status: Status
    reason: str
    when: When
    created_at: str
    due_at: str
    score: int
    taken_by: str = ""
    taken_at: str = ""
    closed_at: str = ""
    attempt: int = 0
    round: int = 1
    last_dial: str = ""
    note: str = ""
    released_by: str = ""
    kind: Kind = Kind.CALL
    risk: str = "none"

    @property
    def is_text(self) -> bool:
        return self.kind == Kind.TEXT

    @property
    def priority(self) -> Priority:
        return Priority.HIGH if self.score < BAND_WIDTH else Priority.NORMAL

    @property
    def due(self) -> datetime:
        return datetime.fromisoformat(self.due_at)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "phone": self.phone, "status": str(self.status), "priority": str(self.priority),
                "taken_by": self.taken_by or None, "reason": self.reason, "when": str(self.when),
                "created_at": self.created_at, "due_at": self.due_at, "taken_at": self.taken_at or None,
                "closed_at": self.closed_at or None, "attempts": self.attempt, "last_dial": self.last_dial or None,
                "note": self.note or None, "kind": str(self.kind), "risk": self.risk}


def get(r: redis.Redis, callback_id: int | str) -> Callback | None:
    data = r.hgetall(key(callback_id))
    if not data or "phone" not in data:
        return None
    return Callback(
        id=int(data["id"]), phone=data["phone"], status=Status(data["status"]), reason=data.get("reason", "asked"),
        when=When(data.get("when", "now")), created_at=data.get("created_at", ""),
        due_at=data.get("due_at") or data.get("created_at", ""), score=int(float(data.get("score", "0"))),
        taken_by=data.get("taken_by", ""), taken_at=data.get("taken_at", ""), closed_at=data.get("closed_at", ""),
        attempt=int(data.get("attempt", "0")), round=int(data.get("round", "1")),
        last_dial=data.get("last_dial", ""), note=data.get("note", ""), released_by=data.get("released_by", ""),
        kind=Kind(data.get("kind", "call")), risk=data.get("risk", "none"),
    )


def open_request_id(line: Line, phone: str, kind: str = "call") -> int | None:
    """The member's open request of `kind` (waiting or taken), if any."""
    value = line.r.get(open_key(phone, kind))
    if not value:
        return None
    found = get(line.r, value)
    return found.id if found and found.status in OPEN else None


def _priority_of(line: Line, phone: str, reason: str) -> str:
    if PRIORITY[reason] == Priority.HIGH:
        return reason
    return cases.recent_case_hint(line, phone) or reason


def create(line: Line, phone: str, *, reason: str = "asked", when: When | str = When.NOW,
           kind: Kind | str = Kind.CALL, risk: str = "none") -> int | None:
    """Store a request and put it in the queue (or hold it until its time); None if one is open already.

    A new request of higher priority than the open one raises the open one's priority instead.
    Callers notify peers: `open_request` schedules it, flows return `notify_effect`.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    reason = _priority_of(line, phone, reason)
    when, now, kind = When(when), line.now(), Kind(kind)
    pointer = open_key(phone, kind)
    due = times.due(line, phone, when, now)
    callback_id: int | None = None
    priority = PRIORITY[reason]
    points = score(priority, now if when == When.NOW else due)
    with line.r.pipeline() as pipe:
        while True:
            try:
                pipe.watch(pointer)
                existing = get(pipe, pipe.get(pointer) or 0)
                if existing and existing.status in OPEN:
                    pipe.unwatch()
                    if priority == Priority.HIGH and existing.priority != Priority.HIGH:
                        _raise_priority(line.r, existing, reason)
                    return None
                if callback_id is None:  # only now: a member who already has one uses no id
                    callback_id = int(line.r.incr("tl:callback:seq"))
                pipe.multi()
                pipe.set(pointer, callback_id)
                pipe.sadd(index_key(phone), callback_id)
                pipe.hset(key(callback_id), mapping={
                    "id": str(callback_id), "phone": phone, "status": str(Status.WAITING), "reason": reason,
                    "when": str(when), "created_at": now.isoformat(), "due_at": due.isoformat(),
                    "score": str(points), "attempt": "0", "round": "1", "kind": str(kind),
                    "risk": risk if risk in RISKS else "none",
                })
                pipe.zadd(ALL, {str(callback_id): callback_id})
                if due <= now:
                    pipe.zadd(WAITING, {str(callback_id): points})
                else:
                    pipe.zadd(LATER, {str(callback_id): due.timestamp()})
                pipe.execute()
                break
            except redis.WatchError:
                continue
    assert callback_id is not None
    if due <= now:
        start_claim_clock(line, callback_id, 1, kind)
    else:
        timers.schedule(line.r, f"callback:{callback_id}:due", due, queues.REPLIES, jobs.CALLBACK_DUE, callback_id)
    return callback_id


def open_request(line: Line, phone: str, *, reason: str = "asked", when: str = "now",
                 kind: Kind | str = Kind.CALL, risk: str = "none") -> int | None:
    """Open a request for `phone` (other features' entry point); its id, or None when one is open already.

    Peers on call are notified by a timer due at once, so a caller in a flow does no more than Redis work.
    """
    callback_id = create(line, phone, reason=reason, when=when, kind=kind, risk=risk)
    if callback_id is not None and get(line.r, callback_id).due <= line.now():  # type: ignore[union-attr]
        schedule_notify(line, callback_id, Kind(kind))
    return callback_id


def schedule_notify(line: Line, callback_id: int, kind: Kind) -> None:
    """Peers on call hear of the request from a job due at once (the kind's own notice)."""
    job = jobs.TEXT_NOTIFY if kind == Kind.TEXT else jobs.CALLBACK_NOTIFY
    timers.schedule(line.r, f"callback:{callback_id}:notify", line.now(), queues.REPLIES, job, callback_id)


_RAISE = """
if redis.call('HGET', KEYS[1], 'status') ~= 'waiting' and redis.call('HGET', KEYS[1], 'status') ~= 'taken' then
  return 0
end
redis.call('HSET', KEYS[1], 'reason', ARGV[2], 'score', ARGV[3])
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1]) end
return 1
"""


def _raise_priority(r: redis.Redis, cb: Callback, reason: str) -> None:
    points = cb.score % BAND_WIDTH + _BAND[PRIORITY[reason]] * BAND_WIDTH
    r.eval(_RAISE, 2, key(cb.id), WAITING, cb.id, reason, points)


def raise_risk(r: redis.Redis, cb: Callback, risk: str) -> None:
    """A text request whose member wrote at `concern` or `crisis`: priority high, the risk kept."""
    if risk not in RISKS or RISKS.index(risk) <= RISKS.index(cb.risk):
        return
    r.hset(key(cb.id), "risk", risk)
    if cb.priority != Priority.HIGH:
        _raise_priority(r, cb, "concern")


def start_claim_clock(line: Line, callback_id: int, round_: int, kind: Kind | str | None = None) -> None:
    if kind is None:
        kind = line.r.hget(key(callback_id), "kind") or Kind.CALL
    job = jobs.TEXT_CLAIM_TIMEOUT if kind == Kind.TEXT else jobs.CALLBACK_CLAIM_TIMEOUT
    at = line.now() + timedelta(seconds=line.settings.claim_timeout)
    timers.schedule(line.r, f"callback:{callback_id}:claim", at, queues.REPLIES, job, callback_id, round_)


def stop_clocks(r: redis.Redis, callback_id: int) -> None:
    for what in ("claim", "due", "notify"):
        timers.cancel(r, f"callback:{callback_id}:{what}")


def waiting_ids(r: redis.Redis, limit: int = -1) -> list[int]:
    """Requests peers may take now, in the order they are served."""
    return [int(x) for x in r.zrange(WAITING, 0, limit - 1 if limit > 0 else -1)]


def is_queued(r: redis.Redis, callback_id: int) -> bool:
    return r.zscore(WAITING, str(callback_id)) is not None


def ahead_of(r: redis.Redis, callback_id: int) -> int:
    rank = r.zrank(WAITING, str(callback_id))
    return int(rank) if rank is not None else int(r.zcard(WAITING))


def held_by(r: redis.Redis, peer: str) -> list[int]:
    """The text conversations `peer` holds now, oldest id first."""
    return sorted(int(x) for x in r.smembers(HELD_PREFIX + peer))


def taken_count(r: redis.Redis) -> int:
    return int(r.zcard(TAKEN))


def all_requests(r: redis.Redis) -> list[Callback]:
    """Every request: those waiting in the order they are served, then the rest by id."""
    order = waiting_ids(r)
    queued = set(order)
    rest = [int(x) for x in r.zrange(ALL, 0, -1) if int(x) not in queued]
    found = [(i, get(r, i)) for i in order + rest]
    gone = [i for i, cb in found if cb is None]
    if gone:  # closed requests past their retention
        r.zrem(ALL, *gone)
    return [cb for _, cb in found if cb is not None]



def export_member(r: redis.Redis, phone: str) -> list[dict[str, Any]]:
    found = [get(r, i) for i in sorted(r.smembers(index_key(phone)), key=int)]
    return [cb.as_dict() for cb in found if cb is not None]


def erase_member(r: redis.Redis, phone: str) -> None:
    for callback_id in r.smembers(index_key(phone)):
        stop_clocks(r, int(callback_id))
        holder = r.hget(key(callback_id), "taken_by")
        pipe = r.pipeline()
        if holder:
            pipe.srem(HELD_PREFIX + holder, callback_id)
        pipe.delete(key(callback_id))
        for zset in (WAITING, LATER, TAKEN, ALL):
            pipe.zrem(zset, callback_id)
        pipe.execute()


def member_view(r: redis.Redis, phone: str, kind: str = "call") -> dict[str, Any] | None:
    value = r.get(open_key(phone, kind))
    found = get(r, value) if value else None
    if found is None or found.status not in OPEN:
        return None
    return {"id": found.id, "status": str(found.status), "priority": str(found.priority)}


