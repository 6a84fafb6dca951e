"""Crisis cases: opened at once, one per member until closed, with an audit trail of every step.

Keys (owned
here): `tl:case:seq`; `tl:case:{id}` hash; `tl:case:{id}:events` list of JSON events (`at`, `event`, `what`);
`tl:case:{id}:texts` list of JSON texts the member sent on the case (`at`, `channel`, `text`: every word, for
staff); `tl:case:{id}:alerted` set of staff phones told about it; `tl:case:{id}:alerts` hash (ladder alert
message id -> round); `tl:case:{id}:told` (a few minutes) whoever holds the case was just told of new words;
`tl:case:{id}:reported` set of alert ids whose outcome is on the trail; `tl:cases` sorted set (id by opening
time); `tl:cases:open` set of ids not yet acknowledged or closed; `tl:case:signal:{event}` the case a discreet
signal event opened; `tl:member:{phone}:case` the member's case until it is closed; `tl:member:{phone}:cases`
every case of theirs.
The ladder's next deadline is the timer `case:{id}` (textline.core.timers), run by workers/escalate.py.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import redis

from textline.core import jobs, queues, timers
from textline.core.line import Line
from textline.core.phones import mask
from textline.models import members, outbound, staff
from textline.models.outbound import Kind, Message, Status
from textline.models.staff import StaffMember

SEQ = "tl:case:seq"
INDEX = "tl:cases"
OPEN = "tl:cases:open"
MAX_TEXT = 1600
#: A ladder round whose job is lost with its worker runs again after this many seconds.
GUARD = 5.0
#: The category (and channel) of a case opened by a member's discreet signal word.
SIGNAL = "signal"
SIGNAL_TTL = 30 * 86400
#: The category of a case opened by a crisis call (0 pressed, or a dial nobody took).
CALL = "call"
MAX_NOTE = 500
#: Whoever holds a case hears of the member's new words at most once in this many seconds.
TOLD_GAP = 300


class CaseStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CLOSED = "closed"


class Verdict(StrEnum):
    """What an ACK or CLOSE did."""

    DONE = "done"
    ALREADY = "already"    # acknowledged before (ACK)
    CLOSED = "closed"      # closed before
    MISSING = "missing"


def _key(case_id: int | str) -> str:
    return f"tl:case:{case_id}"


def _events(case_id: int | str) -> str:
    return f"tl:case:{case_id}:events"


def _pointer(phone: str) -> str:
    return members.sub_key(phone, "case")


def _mine(phone: str) -> str:
    return members.sub_key(phone, "cases")


@dataclass(frozen=True)
class Case:
    id: int
    phone: str
    status: CaseStatus
    level: int
    round: int
    language: str
    category: str
    text: str
    channel: str
    opened_at: str
    round_at: float
    acknowledged_by: str
    acknowledged_by_name: str
    acknowledged_at: str
    closed_by: str
    closed_at: str
    note: str

    def as_dict(self, events: list[dict[str, Any]], texts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The `textline cases --json` object, with `texts` (the member's every text on the case, in full)."""
        data = asdict(self)
        for private in ("text", "round_at"):
            data.pop(private)
        data["status"] = str(self.status)
        for name in ("acknowledged_by", "acknowledged_by_name", "acknowledged_at", "closed_by", "closed_at"):
            data[name] = data[name] or None
        data["events"] = events
        data["texts"] = texts or []
        return data


def _case(data: dict[str, str]) -> Case:
    return Case(
        id=int(data["id"]), phone=data.get("phone", ""), status=CaseStatus(data.get("status", "open")),
        level=int(data.get("level", "0")), round=int(data.get("round", "0")), language=data.get("language", "en"),
        category=data.get("category", ""), text=data.get("text", ""), channel=data.get("channel", "sms"),
        opened_at=data.get("opened_at", ""), round_at=float(data.get("round_at", "0")),
        acknowledged_by=data.get("acknowledged_by", ""), acknowledged_by_name=data.get("acknowledged_by_name", ""),
        acknowledged_at=data.get("acknowledged_at", ""), closed_by=data.get("closed_by", ""),
        closed_at=data.get("closed_at", ""), note=data.get("note", ""),
    )


def get(r: redis.Redis, case_id: int) -> Case | None:
    data = r.hgetall(_key(case_id))
    return _case(data) if data and "id" in data else None


def events(r: redis.Redis, case_id: int) -> list[dict[str, Any]]:
    return [json.loads(x) for x in r.lrange(_events(case_id), 0, -1)]


def _texts(case_id: int | str) -> str:
    return f"tl:case:{case_id}:texts"


def texts(r: redis.Redis, case_id: int) -> list[dict[str, Any]]:
    """Every text the member sent on the case, oldest first: `at`, `channel`, `text` (in full)."""
    return [json.loads(x) for x in r.lrange(_texts(case_id), 0, -1)]


def add_text(line: Line, case_id: int, text: str, channel: str) -> None:
    """The member's words on the case, for staff (the case page, `textline cases --json`)."""
    if text.strip():
        entry = {"at": line.now().isoformat(), "channel": channel, "text": text[:MAX_TEXT]}
        line.r.rpush(_texts(case_id), json.dumps(entry, ensure_ascii=False))


def _event(line: Line, event: str, what: str, **extra: Any) -> str:
    return json.dumps({"at": line.now().isoformat(), "event": event, "what": what, **extra})


def add_event(line: Line, case_id: int, event: str, what: str, **extra: Any) -> None:
    """One step on the case's audit trail, with its time."""
    line.r.rpush(_events(case_id), _event(line, event, what, **extra))


def staff_label(r: redis.Redis, phone: str) -> str:
    """A staff member as the trail shows them: name and masked number."""
    member = staff.get(r, phone)
    return f"{member.name} ({mask(phone)})" if member and member.name else mask(phone)


# -- opening -----------------------------------------------------------------------------------------------

_OPEN = """
local existing = redis.call('GET', KEYS[1])
if existing and redis.call('EXISTS', 'tl:case:' .. existing) == 1 then
  return {0, tonumber(existing)}
end
local id = redis.call('INCR', KEYS[2])
local key = 'tl:case:' .. id
redis.call('SET', KEYS[1], id)
redis.call('ZADD', KEYS[3], ARGV[3], id)
redis.call('SADD', KEYS[4], id)
redis.call('SADD', KEYS[5], id)
for field, value in pairs(cjson.decode(ARGV[1])) do
  redis.call('HSET', key, field, value)
end
redis.call('HSET', key, 'id', id)
redis.call('RPUSH', key .. ':events', ARGV[2])
return {1, id}
"""


def open_case(line: Line, phone: str, *, text: str, category: str, term: str, language: str,
              channel: str = "sms") -> tuple[Case, bool]:
    """The member's case: a new one (True), or the one still open for them (False). Atomic."""
    now = line.now()
    fields = {"phone": phone, "status": str(CaseStatus.OPEN), "level": "0", "round": "0", "language": language,
              "category": category, "text": text[:MAX_TEXT], "channel": channel, "opened_at": now.isoformat()}
    if category == SIGNAL:
        what = "discreet signal received"
    elif category == CALL:
        what = "crisis call: 0 pressed or crisis words said on the phone"
    else:
        what = f"crisis detected ({category}) in a {channel} message"
    event = _event(line, "detected", what, category=category, term=term)
    created, case_id = line.r.eval(_OPEN, 5, _pointer(phone), SEQ, INDEX, _mine(phone), OPEN,
                                   json.dumps(fields), event, now.timestamp())
    case = get(line.r, int(case_id))
    assert case is not None
    if created and category != SIGNAL:
        add_text(line, case.id, text, channel)
    return case, bool(created)


def again(line: Line, case: Case, *, text: str, category: str, term: str, channel: str = "sms") -> None:
    """Another crisis message for a case not closed: its words become the case's latest, and join its texts."""
    if category == SIGNAL:
        add_event(line, case.id, "message", "discreet signal received again", category=category)
        return
    line.r.hset(_key(case.id), "text", text[:MAX_TEXT])
    add_text(line, case.id, text, channel)
    add_event(line, case.id, "message", f"the member wrote again ({category})", category=category, term=term)


def open_by_signal(line: Line, phone: str, event_id: str, language: str) -> tuple[Case, bool]:
    """The case for a discreet signal event, once per event however often its job runs."""
    marker = f"tl:case:signal:{event_id}"
    known = line.r.get(marker)
    found = get(line.r, int(known)) if known else None
    if found is not None:
        return found, False
    case, new = open_case(line, phone, text="", category=SIGNAL, term="", language=language, channel=SIGNAL)
    if not new:
        again(line, case, text="", category=SIGNAL, term="")
    line.r.set(marker, case.id, ex=SIGNAL_TTL)
    return case, new


# -- acknowledging and closing -----------------------------------------------------------------------------

_ACK = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing', ''} end
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'closed' then return {'closed', redis.call('HGET', KEYS[1], 'closed_by') or ''} end
if status == 'acknowledged' then return {'already', redis.call('HGET', KEYS[1], 'acknowledged_by') or ''} end
redis.call('HSET', KEYS[1], 'status', 'acknowledged', 'acknowledged_by', ARGV[1], 'acknowledged_by_name', ARGV[2],
           'acknowledged_at', ARGV[3])
redis.call('SREM', KEYS[3], ARGV[4])
redis.call('RPUSH', KEYS[2], ARGV[5])
return {'done', ARGV[1]}
"""

_CLOSE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing', ''} end
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'closed' then return {'closed', redis.call('HGET', KEYS[1], 'closed_by') or ''} end
redis.call('HSET', KEYS[1], 'status', 'closed', 'closed_by', ARGV[1], 'closed_at', ARGV[2], 'note', ARGV[3])
redis.call('SREM', KEYS[4], ARGV[4])
if redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
redis.call('RPUSH', KEYS[2], ARGV[5])
return {'done', status}
"""


def ack(line: Line, case_id: int, by: StaffMember) -> tuple[Verdict, str]:
    """Acknowledge: the first ACK wins. Returns the verdict and the phone of whoever holds the case."""
    who = staff_label(line.r, by.phone)
    event = _event(line, "acknowledged", f"acknowledged by {who}")
    verdict, holder = line.r.eval(_ACK, 3, _key(case_id), _events(case_id), OPEN, by.phone, by.name,
                                  line.now().isoformat(), str(case_id), event)
    if verdict == Verdict.DONE:
        disarm(line.r, case_id)
    return Verdict(verdict), holder


def close(line: Line, case_id: int, by: StaffMember, note: str = "") -> tuple[Verdict, str]:
    """Close a case (open or acknowledged). Returns the verdict and, when done, the status it had."""
    case = get(line.r, case_id)
    if case is None:
        return Verdict.MISSING, ""
    note = note.strip()[:MAX_NOTE]
    what = f"closed by {staff_label(line.r, by.phone)}" + (f": {note}" if note else "")
    event = _event(line, "closed", what)
    verdict, detail = line.r.eval(_CLOSE, 4, _key(case_id), _events(case_id), _pointer(case.phone), OPEN, by.phone,
                                  line.now().isoformat(), note, str(case_id), event)
    if verdict == Verdict.DONE:
        disarm(line.r, case_id)
    return Verdict(verdict), detail


# -- the ladder's bookkeeping ------------------------------------------------------------------------------

_FINISH = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {0, '0'} end
if tonumber(redis.call('HGET', KEYS[1], 'round') or '0') < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'round', ARGV[1], 'level', ARGV[2], 'round_at', ARGV[3])
  redis.call('RPUSH', KEYS[2], ARGV[4])
end
return {status == 'open' and 1 or 0, redis.call('HGET', KEYS[1], 'round_at') or '0'}
"""


def finish_round(line: Line, case_id: int, round_no: int, level: int, event: str, what: str) -> tuple[bool, float]:
    """Record a round's alerts once (the first to finish wins); (still open, when the round finished)."""
    still_open, round_at = line.r.eval(_FINISH, 2, _key(case_id), _events(case_id), round_no, level,
                                       repr(line.now().timestamp()), _event(line, event, what, level=level))
    return bool(still_open), float(round_at)


def start_ladder(line: Line, case_id: int) -> None:
    """Arm the first round's guard and enqueue the round (for the entry layer; flows return a RunJob)."""
    arm(line.r, case_id, 1, line.now().timestamp() + GUARD)
    queues.enqueue(line, queues.CRISIS, jobs.ESCALATE_STEP, case_id, 1, job_id=f"case:{case_id}:1")


def arm(r: redis.Redis, case_id: int, round_no: int, at: datetime | float) -> None:
    """The case's one deadline: run ladder round `round_no` at `at` unless acknowledged first."""
    timers.schedule(r, f"case:{case_id}", at, queues.CRISIS, jobs.ESCALATE_STEP, case_id, round_no)


def disarm(r: redis.Redis, case_id: int) -> None:
    timers.cancel(r, f"case:{case_id}")


def add_alerted(r: redis.Redis, case_id: int, phone: str) -> None:
    r.sadd(f"tl:case:{case_id}:alerted", phone)


def claim_told(r: redis.Redis, case_id: int) -> bool:
    """True once per ``TOLD_GAP`` for a case: the holder may be told the member wrote again (atomic)."""
    return bool(r.set(f"tl:case:{case_id}:told", "1", nx=True, ex=TOLD_GAP))


def alerted(r: redis.Redis, case_id: int) -> list[str]:
    return sorted(r.smembers(f"tl:case:{case_id}:alerted"))


def remember_alert(r: redis.Redis, case_id: int, msg_id: str, round_no: int) -> None:
    r.hset(f"tl:case:{case_id}:alerts", msg_id, str(round_no))


def open_ids(r: redis.Redis) -> list[int]:
    """Cases nobody has acknowledged yet."""
    return sorted(int(x) for x in r.smembers(OPEN))


def all_cases(r: redis.Redis, status: CaseStatus | None = None) -> list[Case]:
    found = [get(r, int(x)) for x in r.zrange(INDEX, 0, -1)]
    return [c for c in found if c is not None and (status is None or c.status == status)]


def for_member(r: redis.Redis, phone: str) -> list[Case]:
    found = [get(r, int(x)) for x in sorted(r.smembers(_mine(phone)), key=int)]
    return [c for c in found if c is not None]


# -- delivery of alerts, on the trail ----------------------------------------------------------------------

_BAD = frozenset({Status.FAILED, Status.UNDELIVERED, Status.SKIPPED})


def alert_ref(case_id: int, round_no: int) -> str:
    """The `ref` of a ladder alert's message record (notices about a case carry `case:{id}` alone)."""
    return f"case:{case_id}:{round_no}"


def on_status(line: Line, message: Message, state: str, error: str) -> None:
    """Put an alert's delivery (or failure) on its case's trail; a round whose every alert failed escalates now."""
    parts = message.ref.split(":")
    if message.kind != Kind.ALERT or len(parts) != 3 or parts[0] != "case" or not parts[1].isdigit():
        return
    if state not in ("delivered", "undelivered", "failed"):
        return
    case_id, round_no = int(parts[1]), parts[2]
    r = line.r
    if not r.sadd(f"tl:case:{case_id}:reported", message.id):
        return
    who = staff_label(r, message.to)
    kind = "call" if message.channel == "call" else "alert"
    if state == "delivered":
        add_event(line, case_id, "delivered", f"{kind} to {who} delivered")
        return
    add_event(line, case_id, "failed", f"{kind} to {who} {state}" + (f" ({error})" if error else ""))
    case = get(r, case_id)
    if case is None or case.status != CaseStatus.OPEN or case.round != int(round_no):
        return
    ids = [m for m, n in r.hgetall(f"tl:case:{case_id}:alerts").items() if n == round_no]
    records = [outbound.get(r, m) for m in ids]
    if all(rec is not None and rec.status in _BAD for rec in records):
        add_event(line, case_id, "failed", "no alert of this level got through: escalating now")
        arm(r, case_id, case.round + 1, line.now())



# -- call-backs: a member with a recent case comes first -----------------------------------------------------

#: A call-back asked within this long of a member's last case is a "crisis" request (high priority).
RECENT = 7 * 86400


def recent_case_hint(line: Line, phone: str) -> str | None:
    """The call-back queue's priority hint: "crisis" for a member with an open or recent case."""
    now = line.now().timestamp()
    for case in for_member(line.r, phone):
        if case.status != CaseStatus.CLOSED or now - datetime.fromisoformat(case.opened_at).timestamp() < RECENT:
            return "crisis"
    return None



# -- member data: export, erase, members show --------------------------------------------------------------

def export_member(r: redis.Redis, phone: str) -> list[dict[str, Any]]:
    return [{**asdict(c), "status": str(c.status), "events": events(r, c.id), "texts": texts(r, c.id)}
            for c in for_member(r, phone)]


def erase_member(r: redis.Redis, phone: str) -> None:
    """Cases stay for the staff's record, without the member's number or words."""
    for case in for_member(r, phone):
        scrubbed = [json.dumps({k: v for k, v in e.items() if k != "term"}) for e in events(r, case.id)]
        pipe = r.pipeline()
        pipe.hset(_key(case.id), mapping={"phone": "erased", "text": ""})
        pipe.delete(_events(case.id), _texts(case.id))
        if scrubbed:
            pipe.rpush(_events(case.id), *scrubbed)
        pipe.execute()


def member_view(r: redis.Redis, phone: str) -> list[dict[str, Any]]:
    return [{"id": c.id, "status": str(c.status), "opened_at": c.opened_at} for c in for_member(r, phone)]


