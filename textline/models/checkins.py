"""Each member's check-in history: a mood 1-5, when, and an optional short note.

Keys (owned here): `tl:member:{phone}:checkins`, one list per member, newest first, one short entry a
check-in (`id|at in microseconds|mood|prompted|note`), capped at `CAP` entries; `tl:checkin:seq`.
Retention: every write drops the entries older than `checkin_retention` and the list expires that long
after the newest one, so a member who stops checking in is forgotten whole by Redis expiry (an entry
past retention can stay until then). Earlier versions kept a hash per check-in with a sorted-set index:
`textline migrate` moves those into the list (and a member's next check-in does, if it was not run).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis

from textline.core.line import Line
from textline.models import members

SEQ = "tl:checkin:seq"
#: The longest note kept; longer ones are cut (a check-in note is a line, not a diary).
MAX_NOTE = 300
MOODS = range(1, 6)
#: The most check-ins kept per member (more than a year of daily ones).
CAP = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# KEYS: the list, the id sequence. ARGV: at (us), cutoff (us), ttl, mood, prompted, cap, note. Returns the id.
_RECORD = """
local id = ARGV[8]
if id == '' then id = tostring(redis.call('INCR', KEYS[2])) end
redis.call('LPUSH', KEYS[1], id .. '|' .. ARGV[1] .. '|' .. ARGV[4] .. '|' .. ARGV[5] .. '|' .. ARGV[7])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[6]) - 1)
local cutoff = tonumber(ARGV[2])
while true do
  local last = redis.call('LINDEX', KEYS[1], -1)
  if not last or tonumber(string.match(last, '^[^|]*|([^|]*)')) >= cutoff then break end
  redis.call('RPOP', KEYS[1])
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return id
"""
_ADD_NOTE = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local prefix = ARGV[1] .. '|'
for i, item in ipairs(items) do
  if string.sub(item, 1, #prefix) == prefix then
    local head = string.match(item, '^([^|]*|[^|]*|[^|]*|[^|]*|)')
    redis.call('LSET', KEYS[1], i - 1, head .. ARGV[2])
    return 1
  end
end
return 0
"""


def key(phone: str) -> str:
    return members.sub_key(phone, "checkins")


@dataclass(frozen=True)
class CheckIn:
    id: str
    mood: int
    at: str
    note: str = ""
    prompted: bool = False

    @property
    def low(self) -> bool:
        return self.mood <= 2

    def as_dict(self, with_note: bool = False) -> dict[str, object]:
        shown: dict[str, object] = {"mood": self.mood, "at": self.at, "prompted": self.prompted}
        if with_note:
            shown["note"] = self.note
        return shown


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


def _entry(raw: str) -> CheckIn:
    checkin_id, micros, mood, prompted, note = raw.split("|", 4)
    at = _EPOCH + timedelta(microseconds=int(micros))
    return CheckIn(checkin_id, int(mood), at.isoformat(), note, prompted == "1")


def record(line: Line, phone: str, mood: int, *, prompted: bool = False) -> CheckIn:
    """Store a check-in now (one script: entries past the retention period go at the same time)."""
    if mood not in MOODS:
        raise ValueError(f"mood must be 1-5, not {mood}")
    now = line.now()
    ttl = max(1, int(line.settings.checkin_retention))
    try:
        checkin_id = store(line.r, phone, mood, now, ttl, prompted=prompted)
    except redis.ResponseError as exc:  # still in the previous layout (`textline migrate` not run yet): move it
        if "WRONGTYPE" not in str(exc):
            raise
        migrate_member(line.r, phone, ttl=ttl, now=now)
        checkin_id = store(line.r, phone, mood, now, ttl, prompted=prompted)
    return CheckIn(checkin_id, mood, now.isoformat(), prompted=prompted)


def store(r: redis.Redis, phone: str, mood: int, at: datetime, ttl: int, *, prompted: bool = False,
          note: str = "", checkin_id: str = "", now: datetime | None = None) -> str:
    """Push one entry (`checkin_id` kept when given: the migration's); its id."""
    cutoff = _micros(now or at) - ttl * 1_000_000
    return str(r.eval(_RECORD, 2, key(phone), SEQ, _micros(at), cutoff, ttl, mood, "1" if prompted else "0", CAP,
                      _clean(note), checkin_id))


def _clean(note: str) -> str:
    return " ".join(note.split())[:MAX_NOTE]


def add_note(r: redis.Redis, phone: str, checkin_id: str, note: str) -> bool:
    """Attach a note to a check-in still kept; False when it has expired meanwhile."""
    return bool(r.eval(_ADD_NOTE, 1, key(phone), checkin_id, _clean(note)))


def history(r: redis.Redis, phone: str) -> list[CheckIn]:
    """The member's check-ins still kept, oldest first (read in the previous layout until it is moved)."""
    try:
        return [_entry(raw) for raw in reversed(r.lrange(key(phone), 0, -1))]
    except redis.ResponseError as exc:
        if "WRONGTYPE" not in str(exc):
            raise
        return _old_history(r, phone)


def _old_key(phone: str, checkin_id: str) -> str:
    """A check-in's own hash in the previous layout (`migrate_member` moves them)."""
    return members.sub_key(phone, "checkin", checkin_id)


def _old_entries(r: redis.Redis, phone: str) -> list[tuple[str, dict[str, str]]]:
    ids = r.zrange(key(phone), 0, -1)
    pipe = r.pipeline(transaction=False)
    for checkin_id in ids:
        pipe.hgetall(_old_key(phone, checkin_id))
    return [(checkin_id, data) for checkin_id, data in zip(ids, pipe.execute(), strict=True) if data.get("mood")]


def _old_history(r: redis.Redis, phone: str) -> list[CheckIn]:
    return [CheckIn(checkin_id, int(data["mood"]), data["at"], data.get("note", ""), data.get("prompted") == "1")
            for checkin_id, data in _old_entries(r, phone)]


def member_view(r: redis.Redis, phone: str) -> list[dict[str, object]]:
    """`members show`: mood and time of each check-in; notes stay in the export only."""
    return [entry.as_dict() for entry in history(r, phone)]


def export_member(r: redis.Redis, phone: str) -> list[dict[str, object]]:
    return [entry.as_dict(with_note=True) for entry in history(r, phone)]




def migrate_member(r: redis.Redis, phone: str, *, ttl: int, now: datetime) -> int:
    """Move `phone`'s check-ins from the previous layout (a sorted set of ids and a hash per check-in) into
    the list; how many moved. Nothing to do (0) once moved: the index is a list by then."""
    if r.type(key(phone)) != "zset":
        return 0
    ids = r.zrange(key(phone), 0, -1)
    oldest = now - timedelta(seconds=ttl)
    entries = [(checkin_id, data) for checkin_id, data in _old_entries(r, phone)
               if datetime.fromisoformat(data["at"]) >= oldest]  # past retention: gone
    r.delete(key(phone))
    for checkin_id, data in entries:  # oldest first: the newest ends at the head
        store(r, phone, int(data["mood"]), datetime.fromisoformat(data["at"]), ttl,
              prompted=data.get("prompted") == "1", note=data.get("note", ""), checkin_id=checkin_id, now=now)
    if ids:
        r.delete(*(_old_key(phone, checkin_id) for checkin_id in ids))
    return len(entries)
