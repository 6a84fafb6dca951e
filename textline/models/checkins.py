"""Each member's check-in history: a mood 1-5, when, and an optional short note.

Keys (owned here): `tl:member:{phone}:checkin:{id}` hash (id, mood, at, note, prompted) that
expires after `checkin_retention`, `tl:member:{phone}:checkins` sorted set (id -> epoch seconds,
trimmed on every write, expiring with the newest entry), `tl:checkin:seq`. Redis expiry enforces
the retention period, so a note never outlives it even for a member who never writes again.
"""
from __future__ import annotations

from dataclasses import dataclass

import redis

from textline.core.line import Line
from textline.models import members

SEQ = "tl:checkin:seq"
#: The longest note kept; longer ones are cut (a check-in note is a line, not a diary).
MAX_NOTE = 300
MOODS = range(1, 6)

_ADD_NOTE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'note', ARGV[1])
  return 1
end
return 0
"""


def _index(phone: str) -> str:
    return members.sub_key(phone, "checkins")


def _entry(phone: str, checkin_id: str) -> str:
    return members.sub_key(phone, "checkin", checkin_id)


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


def record(line: Line, phone: str, mood: int, *, prompted: bool = False) -> CheckIn:
    """Store a check-in now; older entries past the retention period go in the same transaction."""
    if mood not in MOODS:
        raise ValueError(f"mood must be 1-5, not {mood}")
    r, now = line.r, line.now()
    ttl = max(1, int(line.settings.checkin_retention))
    checkin_id = str(r.incr(SEQ))
    entry = CheckIn(checkin_id, mood, now.isoformat(), prompted=prompted)
    pipe = r.pipeline(transaction=True)
    pipe.hset(_entry(phone, checkin_id), mapping={
        "id": checkin_id, "mood": str(mood), "at": entry.at, "note": "", "prompted": "1" if prompted else "0",
    })
    pipe.expire(_entry(phone, checkin_id), ttl)
    pipe.zadd(_index(phone), {checkin_id: now.timestamp()})
    pipe.zremrangebyscore(_index(phone), "-inf", f"({now.timestamp() - ttl}")
    pipe.expire(_index(phone), ttl)
    pipe.execute()
    return entry


def add_note(r: redis.Redis, phone: str, checkin_id: str, note: str) -> bool:
    """Attach a note to a check-in still kept; False when it has expired meanwhile."""
    text = " ".join(note.split())[:MAX_NOTE]
    return bool(r.eval(_ADD_NOTE, 1, _entry(phone, checkin_id), text))


def history(r: redis.Redis, phone: str) -> list[CheckIn]:
    """The member's check-ins still within retention, oldest first."""
    ids = r.zrange(_index(phone), 0, -1)
    if not ids:
        return []
    pipe = r.pipeline(transaction=False)
    for checkin_id in ids:
        pipe.hgetall(_entry(phone, checkin_id))
    found: list[CheckIn] = []
    gone: list[str] = []
    for checkin_id, data in zip(ids, pipe.execute(), strict=True):
        if not data:
            gone.append(checkin_id)
            continue
        found.append(CheckIn(checkin_id, int(data["mood"]), data["at"], data.get("note", ""),
                             data.get("prompted") == "1"))
    if gone:
        r.zrem(_index(phone), *gone)
    return found


def member_view(r: redis.Redis, phone: str) -> list[dict[str, object]]:
    """`members show`: mood and time of each check-in; notes stay in the export only."""
    return [entry.as_dict() for entry in history(r, phone)]


def export_member(r: redis.Redis, phone: str) -> list[dict[str, object]]:
    return [entry.as_dict(with_note=True) for entry in history(r, phone)]


