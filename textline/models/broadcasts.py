"""Broadcasts: one text (or one catalog text per member) to a list of recipients, fanned out and paced.

A broadcast is a coordinator's announcement, a meeting reminder, or the
notice that a meeting was cancelled. Its life: scheduled -> preparing (the
fan-out walks a snapshot of the recipients in batches, making one message
record per member) -> sending (the pump delivers them at the line's rate) ->
done; or cancelled at any point.

Keys (owned here): `tl:broadcast:seq`, `tl:broadcast:{id}` hash (fields and
counters), `tl:broadcast:{id}:to` list (the snapshot, deleted once fanned
out), `tl:broadcast:{id}:due` sorted set (message id -> not before, epoch
seconds: quiet hours hold a member's copy here), `tl:broadcast:{id}:lock:{role}`
leases, `tl:broadcast:key:{key}` (business key -> id), `tl:broadcasts` sorted
set (id by creation), `tl:broadcasts:meeting:{id}` set (a meeting's reminders).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import redis

from textline.core import jobs, queues, timers
from textline.core.errors import TextlineError
from textline.core.line import Line
from textline.models import groups, meetings, members, outbound
from textline.models.groups import Group

SEQ = "tl:broadcast:seq"
ALL = "tl:broadcasts"
TOMBSTONE = "-"
#: Twilio refuses longer bodies.
MAX_TEXT = 1600
#: Counters kept on the broadcast's hash.
COUNTERS = ("queued", "held", "skipped_pending", "skipped_opted_out", "skipped_invalid", "skipped_gone",
            "sent", "failed", "skipped")


class Status(StrEnum):
    SCHEDULED = "scheduled"
    PREPARING = "preparing"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class Kind(StrEnum):
    ANNOUNCEMENT = "broadcast"   # a coordinator's own text
    REMINDER = "reminder"        # a meeting is coming: catalog text per member
    CANCELLED = "cancelled"      # a meeting was cancelled: to those who were reminded


class BroadcastError(TextlineError):
    """An announcement that cannot be made: empty or too long, or a time that has passed."""


def _key(bid: int | str) -> str:
    return f"tl:broadcast:{bid}"


def fanout_name(bid: int | str) -> str:
    """The fan-out's job id and its watch timer's name: one fan-out per broadcast at a time."""
    return f"bc-fanout:{bid}"


def _to(bid: int | str) -> str:
    return f"tl:broadcast:{bid}:to"


def _due(bid: int | str) -> str:
    return f"tl:broadcast:{bid}:due"


def _lock(bid: int | str, role: str) -> str:
    return f"tl:broadcast:{bid}:lock:{role}"


def _for_meeting(meeting_id: int | str) -> str:
    return f"tl:broadcasts:meeting:{meeting_id}"


@dataclass(frozen=True)
class Broadcast:
    id: int
    kind: Kind
    status: Status
    group_id: int
    text: str
    discreet: str
    meeting_id: int
    occ: int
    at: float
    expires: float
    total: int
    cursor: int
    counts: Mapping[str, int]
    created_at: str
    by: str

    @property
    def fanned_out(self) -> bool:
        return self.status in (Status.SENDING, Status.DONE)

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "kind": str(self.kind), "status": str(self.status), "group": self.group_id,
                "meeting": self.meeting_id or None, "text": self.text, "created_at": self.created_at,
                "recipients": self.total, **self.counts}


def create(r: redis.Redis, kind: Kind, *, group_id: int, at: datetime, now: datetime, text: str = "",
           discreet: str = "", meeting_id: int = 0, occ: int = 0, expires: float = 0.0, by: str = "",
           key: str | None = None, recipients: list[str] | None = None) -> tuple[int, bool]:
    """Record a broadcast; with `key`, a second create gives back the first id. (id, created)."""
    bid = int(r.incr(SEQ))
    if key and not r.set(f"tl:broadcast:key:{key}", bid, nx=True, ex=90 * 86400):
        return int(r.get(f"tl:broadcast:key:{key}") or 0), False
    fields = {"id": bid, "kind": str(kind), "status": str(Status.SCHEDULED), "group": group_id, "text": text,
              "discreet": discreet, "meeting": meeting_id, "occ": occ, "at": at.timestamp(), "expires": expires,
              "created_at": now.isoformat(), "by": by, "total": 0, "cursor": 0, **dict.fromkeys(COUNTERS, 0)}
    pipe = r.pipeline()
    if recipients is not None:  # a fixed list (those reminded of a cancelled meeting), not a roster snapshot
        _write_recipients(pipe, bid, recipients)
        fields.update(status=str(Status.PREPARING), total=len(set(recipients)))
    pipe.hset(_key(bid), mapping=fields)
    pipe.zadd(ALL, {str(bid): now.timestamp()})
    if meeting_id:
        pipe.sadd(_for_meeting(meeting_id), bid)
    pipe.execute()
    return bid, True


@dataclass(frozen=True)
class Announcement:
    id: int
    group: Group
    #: When it goes out (UTC); later than now means its fan-out timer is set.
    at: datetime
    scheduled: bool


def announce(line: Line, group: str, text: str, *, at: str | None, by: str, discreet: str = "") -> Announcement:
    """A coordinator's text to `group` (name or code), now or `at` ("YYYY-MM-DD HH:MM" in the group's zone).

    One for later is armed here (its fan-out timer); one for now is the caller's to start (the CLI
    runs the fan-out itself with a progress bar, the dashboard enqueues it). Raises NotFound for an
    unknown group, BroadcastError for a bad text or a time that has passed.
    """
    r, now = line.r, line.now()
    found = groups.require(r, group)
    text, discreet = text.strip(), discreet.strip()
    if not text or len(text) > MAX_TEXT or len(discreet) > MAX_TEXT:
        raise BroadcastError(f"the text must be 1 to {MAX_TEXT} characters")
    when = now
    if at:
        when = meetings.parse_local(at).replace(tzinfo=found.zone).astimezone(UTC)
        if when < now - timedelta(minutes=1):
            raise BroadcastError(f"{at} in {found.timezone} has passed")
    bid, _ = create(r, Kind.ANNOUNCEMENT, group_id=found.id, at=when, now=now, text=text, discreet=discreet, by=by)
    later = when > now
    if later:
        timers.schedule(r, fanout_name(bid), when, queues.BROADCAST, jobs.BROADCAST_FANOUT, bid)
    return Announcement(bid, found, when, later)


def _write_recipients(pipe: redis.client.Pipeline, bid: int | str, phones: list[str]) -> None:
    """A fixed list, each number once (a copy is made per entry)."""
    phones = list(dict.fromkeys(phones))
    pipe.delete(_to(bid))
    for start in range(0, len(phones), 1000):
        pipe.rpush(_to(bid), *phones[start:start + 1000])


def get(r: redis.Redis, bid: int | str) -> Broadcast | None:
    d = r.hgetall(_key(bid))
    if not d:
        return None
    return Broadcast(
        id=int(d["id"]), kind=Kind(d["kind"]), status=Status(d["status"]), group_id=int(d.get("group") or 0),
        text=d.get("text", ""), discreet=d.get("discreet", ""), meeting_id=int(d.get("meeting") or 0),
        occ=int(d.get("occ") or 0), at=float(d.get("at") or 0), expires=float(d.get("expires") or 0),
        total=int(d.get("total") or 0), cursor=int(d.get("cursor") or 0),
        counts={c: int(d.get(c) or 0) for c in COUNTERS}, created_at=d.get("created_at", ""), by=d.get("by", ""),
    )


def status(r: redis.Redis, bid: int | str) -> str | None:
    return r.hget(_key(bid), "status")


def recent(r: redis.Redis, limit: int = 50) -> list[Broadcast]:
    found = [get(r, bid) for bid in r.zrevrange(ALL, 0, limit - 1)]
    return [b for b in found if b is not None]


def of_meeting(r: redis.Redis, meeting_id: int) -> list[int]:
    return sorted(int(b) for b in r.smembers(_for_meeting(meeting_id)))


_MOVE = """
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
return 1
"""


def _move(r: redis.Redis, bid: int | str, old: Status, new: Status) -> bool:
    """Change the status only from `old` (a cancel in between wins)."""
    return bool(r.eval(_MOVE, 1, _key(bid), str(old), str(new)))


# -- fan-out -------------------------------------------------------------------------------------------------
_BEGIN = """
local total = 0
redis.call('DEL', KEYS[2])
if KEYS[3] ~= '' then total = redis.call('SORT', KEYS[3], 'BY', 'nosort', 'STORE', KEYS[2]) end
redis.call('HSET', KEYS[1], 'total', total, 'cursor', 0)
if redis.call('HGET', KEYS[1], 'status') == ARGV[1] then redis.call('HSET', KEYS[1], 'status', ARGV[2]) end
return total
"""


def begin(r: redis.Redis, bid: int, group: Group | None) -> int:
    """Snapshot the roster of a scheduled broadcast's group in Redis, in the set's order (under the fan-out
    lease; safe to repeat); how many are on it. No group (deleted since): nobody."""
    roster = groups.roster_key(group) if group else ""
    return int(r.eval(_BEGIN, 3, _key(bid), _to(bid), roster, str(Status.SCHEDULED), str(Status.PREPARING)))


# The one place a member's record is read from Lua (the fan-out's batch, below): `member(phone)` gives
# status, language, zone and the discreet flag, false for each field missing (no record: status false).
_MEMBER_ROW = f"""
local function member(phone)
  return redis.call('HMGET', '{members.key("")}' .. phone, 'status', 'language', 'timezone', 'discreet')
end
"""

# One batch of the fan-out, all in Redis: who on the snapshot's slice may get a copy (opt-outs and invalid
# numbers by set look-ups for the whole slice; no record, not yet consented), their copy, due from when quiet
# hours end in their zone, the counts, the cursor moved on. Atomic: a crash leaves the batch undone or done,
# and a run whose lease lapsed (the cursor moved on) or a cancel writes nothing. With a snapshot that holds
# each number once, that makes each member's copy once.
# KEYS: broadcast hash, snapshot list, due set, message id counter, opt-out set, invalid hash.
# ARGV: cursor, count, begin (epoch s), ttl, now (ISO), kind, queue, ref, then the texts known
# (n, then n pairs "language|discreet" -> body, '' for none), then the zones known (n, then zone -> release).
# Returns {-1} cancelled, {0} cursor moved by another run, {2, keys...} texts/zones to supply first
# (nothing written: as {2, nb, body keys..., zone names...}), or {1, taken, queued, held, skip counts...}.
_BATCH = _MEMBER_ROW + outbound.LUA_COPY + """
local bc, snapshot, due = KEYS[1], KEYS[2], KEYS[3]
if redis.call('HGET', bc, 'status') == 'cancelled' then return {-1} end
if redis.call('HGET', bc, 'cursor') ~= ARGV[1] then return {0} end
local cursor, count, begin, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local bodies, zones, at = {}, {}, 10
for _ = 1, tonumber(ARGV[9]) do bodies[ARGV[at]] = ARGV[at + 1]; at = at + 2 end
local nzones = tonumber(ARGV[at]); at = at + 1
for _ = 1, nzones do zones[ARGV[at]] = tonumber(ARGV[at + 1]); at = at + 2 end
local phones = redis.call('LRANGE', snapshot, cursor, cursor + count - 1)
if #phones == 0 then return {0} end
local opted = redis.call('SMISMEMBER', KEYS[5], unpack(phones))
local invalid = redis.call('HMGET', KEYS[6], unpack(phones))
local skips = {skipped_gone = 0, skipped_opted_out = 0, skipped_invalid = 0, skipped_pending = 0}
local rows, need_bodies, need_zones, missing = {}, {}, {}, false
for i, phone in ipairs(phones) do
  local m = member(phone)
  local reason = nil
  if not m[1] then reason = 'skipped_gone'
  elseif opted[i] == 1 or m[1] == 'opted_out' then reason = 'skipped_opted_out'
  elseif invalid[i] then reason = 'skipped_invalid'
  elseif m[1] ~= 'active' then reason = 'skipped_pending' end
  if reason then
    skips[reason] = skips[reason] + 1
  else
    local text = (m[2] or '') .. '|' .. (m[4] == '1' and '1' or '0')
    local zone = m[3] or ''
    if bodies[text] == nil and not need_bodies[text] then need_bodies[text] = true; missing = true end
    if zones[zone] == nil and not need_zones[zone] then need_zones[zone] = true; missing = true end
    rows[#rows + 1] = {phone, text, zone}
  end
end
if missing then
  local out, nb = {2, 0}, 0
  for text in pairs(need_bodies) do out[#out + 1] = text; nb = nb + 1 end
  out[2] = nb
  for zone in pairs(need_zones) do out[#out + 1] = zone end
  return out
end
local last = 0
if #rows > 0 then last = redis.call('INCRBY', KEYS[4], #rows) - #rows end
local queued, held = 0, 0
for i, row in ipairs(rows) do
  local body = bodies[row[2]]
  if body == '' then
    skips.skipped_gone = skips.skipped_gone + 1
  else
    local id = tostring(last + i)
    copy(id, row[1], body, ttl, ARGV[6], ARGV[7], ARGV[8], ARGV[5])
    local release = zones[row[3]]
    redis.call('ZADD', due, 'NX', release, id)
    queued = queued + 1
    if release > begin then held = held + 1 end
  end
end
redis.call('HSET', bc, 'cursor', cursor + #phones)
redis.call('HINCRBY', bc, 'queued', queued)
redis.call('HINCRBY', bc, 'held', held)
for name, n in pairs(skips) do redis.call('HINCRBY', bc, name, n) end
return {1, #phones, queued, held, skips.skipped_gone, skips.skipped_opted_out, skips.skipped_invalid,
        skips.skipped_pending}
"""


@dataclass(frozen=True)
class Batch:
    """What one fan-out batch did: `taken` recipients (-1 cancelled, 0 another run has the cursor)."""
    taken: int
    queued: int = 0
    held: int = 0
    skipped: Mapping[str, int] = field(default_factory=dict)
    #: Texts ("language|discreet") and zones the batch needs before it can run (nothing written then).
    need_texts: tuple[str, ...] = ()
    need_zones: tuple[str, ...] = ()


@dataclass(frozen=True)
class Copy:
    """How the fan-out makes each member's copy: the record's fields, and the broadcast's texts and zones."""
    begin: float
    ttl: int
    now: str
    kind: str
    queue: str
    ref: str
    #: "language|discreet" ("en|1") -> the text ('' when there is none to send: the meeting is gone).
    texts: Mapping[str, str]
    #: zone name -> epoch seconds when quiet hours let a copy go there.
    zones: Mapping[str, float]


def batch(r: redis.Redis, bid: int, cursor: int, count: int, copy: Copy) -> Batch:
    """Fan out the snapshot's recipients from `cursor` (up to `count`) in one script; see `_BATCH`."""
    args: list[str | int | float] = [cursor, count, copy.begin, copy.ttl, copy.now, copy.kind, copy.queue, copy.ref,
                                     len(copy.texts)]
    for text, body in copy.texts.items():
        args.extend((text, body))
    args.append(len(copy.zones))
    for zone, release in copy.zones.items():
        args.extend((zone, repr(release)))
    keys = (_key(bid), _to(bid), _due(bid), outbound.SEQ, members.OPTOUT, members.INVALID)
    found = r.eval(_BATCH, len(keys), *keys, *args)
    code = int(found[0])
    if code == 2:
        nb = int(found[1])
        return Batch(0, need_texts=tuple(found[2:2 + nb]), need_zones=tuple(found[2 + nb:]))
    if code != 1:
        return Batch(code)
    taken, queued, held, *skips = (int(x) for x in found[1:])
    names = ("skipped_gone", "skipped_opted_out", "skipped_invalid", "skipped_pending")
    return Batch(taken, queued, held, dict(zip(names, skips, strict=True)))


def fanned_out(r: redis.Redis, bid: int) -> None:
    """Every recipient has its message: the snapshot is no longer needed."""
    _move(r, bid, Status.PREPARING, Status.SENDING)
    forget_recipients(r, bid)


def forget_recipients(r: redis.Redis, bid: int) -> None:
    r.delete(_to(bid))


# -- sending --------------------------------------------------------------------------------------------------
def next_due(r: redis.Redis, bid: int, now: float) -> tuple[str | None, float | None]:
    """The first message due by `now`, else None and when the next one will be (None: none left)."""
    first = r.zrange(_due(bid), 0, 0, withscores=True)
    if not first:
        return None, None
    msg_id, score = first[0]
    return (msg_id, score) if score <= now else (None, score)


def hold(r: redis.Redis, bid: int, msg_id: str, until: float) -> None:
    r.zadd(_due(bid), {msg_id: until}, xx=True)


def settle(r: redis.Redis, bid: int, msg_id: str, counter: str | None) -> None:
    """The message has left the broadcast's hands (sent, skipped, failed or retrying on its own)."""
    pipe = r.pipeline()
    pipe.zrem(_due(bid), msg_id)
    if counter in COUNTERS:
        pipe.hincrby(_key(bid), counter, 1)
    pipe.execute()


_FINISH = """
if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] or redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'finished_at', ARGV[3])
return 1
"""


def finish(r: redis.Redis, bid: int, now: datetime) -> bool:
    """Done, when fanned out and nothing is left to send."""
    return bool(r.eval(_FINISH, 2, _key(bid), _due(bid), str(Status.SENDING), str(Status.DONE), now.isoformat()))


def cancel(r: redis.Redis, bid: int, now: datetime) -> list[str]:
    """Stop a broadcast that is not done; the message ids it had not sent yet (to be marked skipped)."""
    pipe = r.pipeline()
    pipe.hget(_key(bid), "status")
    pipe.zrange(_due(bid), 0, -1)
    status, left = pipe.execute()
    if status in (None, Status.DONE, Status.CANCELLED):
        return []
    pipe = r.pipeline()
    pipe.hset(_key(bid), mapping={"status": str(Status.CANCELLED), "finished_at": now.isoformat()})
    pipe.delete(_due(bid), _to(bid))
    pipe.execute()
    return left


# -- leases: one fan-out and one pump per broadcast at a time ------------------------------------------------------
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def lease(r: redis.Redis, bid: int, role: str, token: str, seconds: float) -> bool:
    return bool(r.set(_lock(bid, role), token, nx=True, px=max(1, int(seconds * 1000))))


def renew(r: redis.Redis, bid: int, role: str, token: str, seconds: float) -> bool:
    return bool(r.eval(_RENEW, 1, _lock(bid, role), token, max(1, int(seconds * 1000))))


def release(r: redis.Redis, bid: int, role: str, token: str) -> None:
    r.eval(_RELEASE, 1, _lock(bid, role), token)


# -- erase: a snapshot being fanned out may hold the number --------------------------------------------------------
def erase_member(r: redis.Redis, phone: str) -> None:
    for key in r.scan_iter(match="tl:broadcast:*:to", count=500):
        while (index := r.lpos(key, phone)) is not None:
            r.lset(key, index, TOMBSTONE)  # keeps positions: a fan-out's cursor stays right


