"""Personal reminders: what (the member's own words), when (daily, weekly or once, local), how (text or call).

Keys (owned here): `tl:personal_reminder:{id}` hash (id, phone, n, what,
how, repeat, time, weekday, date, chosen, due, created_at),
`tl:personal_reminder:seq`; per member `tl:member:{phone}:personal_reminders`
hash (n -> id, n being the number the member sees) and
`tl:member:{phone}:personal_reminders:seq`. The timer
`personal_reminder:{id}` runs `workers.personal_reminders.fire(id)`; the job
carries the id only. Records live outside the member prefix, so export and
erase reach them through the member's index (hooks below).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from textline.core import jobs, queues, timers
from textline.core.line import Line
from textline.models import members
from textline.models.reminder_times import Schedule

MAX_PER_MEMBER = 5
MAX_WHAT = 60
SMS = "sms"
CALL = "call"

# Checks the limit and numbers the reminder in one step, so two walk-throughs at once cannot pass it.
_CREATE = """
if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
local n = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[3], 'n', n, unpack(ARGV, 3))
redis.call('HSET', KEYS[1], n, ARGV[2])
return n
"""


# A removed reminder must not come back as a stray hash holding only `due`.
_SET_DUE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'due', ARGV[1])
return 1
"""


def _key(reminder_id: str | int) -> str:
    return f"tl:personal_reminder:{reminder_id}"


def _index(phone: str) -> str:
    return members.sub_key(phone, "personal_reminders")


def timer_name(reminder_id: str | int) -> str:
    return f"personal_reminder:{reminder_id}"


@dataclass(frozen=True)
class Reminder:
    id: str
    phone: str
    n: int
    what: str
    how: str
    schedule: Schedule
    due: float | None
    created_at: str = ""

    def as_dict(self) -> dict[str, Any]:
        due = datetime.fromtimestamp(self.due, UTC).isoformat() if self.due else None
        return {"id": self.id, "n": self.n, "what": self.what, "how": self.how, **self.schedule.fields(),
                "next": due, "created_at": self.created_at}


def zone_of(line: Line, phone: str) -> str:
    member = members.get(line.r, phone)
    return (member.timezone if member else "") or line.settings.timezone


def create(line: Line, phone: str, what: str, schedule: Schedule, how: str, due: datetime) -> Reminder | None:
    """Store a reminder and schedule its first time; None when the member has MAX_PER_MEMBER already."""
    r = line.r
    reminder_id = str(r.incr("tl:personal_reminder:seq"))
    fields = {"id": reminder_id, "phone": phone, "what": what, "how": how, "due": repr(due.timestamp()),
              "created_at": line.now().isoformat(), **schedule.fields()}
    flat = [x for pair in fields.items() for x in pair]
    n = r.eval(_CREATE, 3, _index(phone), f"{_index(phone)}:seq", _key(reminder_id),
               MAX_PER_MEMBER, reminder_id, *flat)
    if not n:
        return None
    timers.schedule(r, timer_name(reminder_id), due, queues.BROADCAST, jobs.PERSONAL_REMINDER, reminder_id)
    return get(r, reminder_id)


def get(r: redis.Redis, reminder_id: str) -> Reminder | None:
    data = r.hgetall(_key(reminder_id))
    if not data or "phone" not in data:
        return None
    return Reminder(id=data["id"], phone=data["phone"], n=int(data["n"]), what=data.get("what", ""),
                    how=data.get("how", SMS), schedule=Schedule.from_fields(data),
                    due=float(data["due"]) if data.get("due") else None, created_at=data.get("created_at", ""))


def of_member(r: redis.Redis, phone: str) -> list[Reminder]:
    found = [get(r, i) for _, i in sorted(r.hgetall(_index(phone)).items(), key=lambda kv: int(kv[0]))]
    return [x for x in found if x is not None]


def count(r: redis.Redis, phone: str) -> int:
    return int(r.hlen(_index(phone)))


def reschedule(r: redis.Redis, reminder_id: str, due: datetime, *, at: datetime | None = None) -> bool:
    """Record the occurrence being waited for (`due`) and fire the timer at `at` (default: `due`).

    False (and nothing scheduled) when the reminder was removed meanwhile.
    """
    if not r.eval(_SET_DUE, 1, _key(reminder_id), repr(due.timestamp())):
        return False
    timers.schedule(r, timer_name(reminder_id), at or due, queues.BROADCAST, jobs.PERSONAL_REMINDER, reminder_id)
    return True


def watch(r: redis.Redis, reminder_id: str, at: datetime) -> None:
    """Fire again at `at` unless rescheduled before: a job killed mid-way still moves the reminder on."""
    timers.schedule(r, timer_name(reminder_id), at, queues.BROADCAST, jobs.PERSONAL_REMINDER, reminder_id)


def finish(r: redis.Redis, reminder: Reminder) -> None:
    """A one-off reminder that went off: gone from the member's list."""
    remove(r, reminder.phone, reminder.n)


def remove(r: redis.Redis, phone: str, n: int) -> bool:
    reminder_id = r.hget(_index(phone), str(n))
    if reminder_id is None:
        return False
    pipe = r.pipeline(transaction=True)
    pipe.hdel(_index(phone), str(n))
    pipe.delete(_key(reminder_id))
    pipe.execute()
    timers.cancel(r, timer_name(reminder_id))
    return True


def export_member(r: redis.Redis, phone: str) -> list[dict[str, Any]]:
    return [x.as_dict() for x in of_member(r, phone)]


def erase_member(r: redis.Redis, phone: str) -> None:
    for reminder_id in r.hvals(_index(phone)):
        r.delete(_key(reminder_id))
        timers.cancel(r, timer_name(reminder_id))


