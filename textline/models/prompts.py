"""Scheduled check-in prompts: each member's choice (daily, weekly or off, at a local time) and its timers.

Keys (owned here): `tl:member:{phone}:prompt` hash (id, cadence, at "HH:MM", weekday 0-6, next_at,
outstanding, sent_slot, sent_epoch, missed, needs_outreach, flagged_at), `tl:prompts` hash
(id -> phone, so jobs and timers carry an id, never a number), `tl:prompt:seq`. Timers
`prompt:{id}` (the next prompt) and `promptwin:{id}` (its answer window closing) live in
textline.core.timers. Settings: `[checkins] prompt_window` (default 8h), `missed_limit` (default 3).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import redis

from textline.core import jobs, queues, quiet, timers
from textline.core.line import Line
from textline.core.settings import Settings
from textline.models import members
from textline.models.members import Member

INDEX = "tl:prompts"
SEQ = "tl:prompt:seq"
#: Weekdays as shown and accepted by the CLI, Monday first (Python's weekday()).
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Cadence(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


# A prompt goes out: count the previous one as missed if it is still unanswered, then mark this one.
# KEYS[1] the schedule; ARGV slot, now epoch, now iso, missed limit. 0 when this slot was marked already.
_MARK_SENT = """
if redis.call('HGET', KEYS[1], 'sent_slot') == ARGV[1] then return 0 end
if redis.call('HGET', KEYS[1], 'outstanding') == '1' then
  local missed = redis.call('HINCRBY', KEYS[1], 'missed', 1)
  if missed >= tonumber(ARGV[4]) and redis.call('HGET', KEYS[1], 'needs_outreach') ~= '1' then
    redis.call('HSET', KEYS[1], 'needs_outreach', '1', 'flagged_at', ARGV[3])
  end
end
redis.call('HSET', KEYS[1], 'outstanding', '1', 'sent_slot', ARGV[1], 'sent_epoch', ARGV[2])
return 1
"""

# The answer window closed: an unanswered prompt counts as missed. ARGV now epoch, now iso, limit, window.
_CLOSE = """
if redis.call('HGET', KEYS[1], 'outstanding') ~= '1' then return 0 end
local sent = tonumber(redis.call('HGET', KEYS[1], 'sent_epoch') or '0')
if sent + tonumber(ARGV[4]) > tonumber(ARGV[1]) + 0.001 then return -1 end
redis.call('HSET', KEYS[1], 'outstanding', '0')
local missed = redis.call('HINCRBY', KEYS[1], 'missed', 1)
if missed >= tonumber(ARGV[3]) and redis.call('HGET', KEYS[1], 'needs_outreach') ~= '1' then
  redis.call('HSET', KEYS[1], 'needs_outreach', '1', 'flagged_at', ARGV[2])
end
return 1
"""

_ANSWERED = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'outstanding', '0', 'missed', '0', 'needs_outreach', '0', 'flagged_at', '')
  return 1
end
return 0
"""


def _key(phone: str) -> str:
    return members.sub_key(phone, "prompt")


def _timer(prompt_id: str) -> str:
    return f"prompt:{prompt_id}"


def _window_timer(prompt_id: str) -> str:
    return f"promptwin:{prompt_id}"


@dataclass(frozen=True)
class Schedule:
    id: str
    cadence: Cadence
    at: time | None = None
    weekday: int | None = None
    next_at: str = ""
    missed: int = 0
    outstanding: bool = False
    needs_outreach: bool = False
    flagged_at: str = ""

    @property
    def active(self) -> bool:
        return self.cadence != Cadence.OFF and self.at is not None

    def as_dict(self) -> dict[str, object]:
        return {"cadence": str(self.cadence), "at": self.at.strftime("%H:%M") if self.at else None,
                "day": DAYS[self.weekday] if self.weekday is not None else None,
                "next_at": self.next_at or None, "missed": self.missed}


def window(settings: Settings) -> float:
    """How long a prompt waits for its answer before it counts as missed."""
    return settings.checkin_prompt_window


def missed_limit(settings: Settings) -> int:
    return settings.checkin_missed_limit


def get(r: redis.Redis, phone: str) -> Schedule | None:
    data = r.hgetall(_key(phone))
    if not data or "id" not in data:
        return None
    weekday = data.get("weekday", "")
    return Schedule(
        id=data["id"], cadence=Cadence(data.get("cadence", "off")),
        at=time.fromisoformat(data["at"]) if data.get("at") else None,
        weekday=int(weekday) if weekday else None, next_at=data.get("next_at", ""),
        missed=int(data.get("missed") or 0), outstanding=data.get("outstanding") == "1",
        needs_outreach=data.get("needs_outreach") == "1", flagged_at=data.get("flagged_at", ""),
    )


def phone_for(r: redis.Redis, prompt_id: str) -> str | None:
    return r.hget(INDEX, prompt_id)


def zone_of(member: Member | None, settings: Settings) -> ZoneInfo:
    """The member's zone (guessed from the number at first contact, or set), else the line's."""
    try:
        return ZoneInfo(member.timezone) if member and member.timezone else settings.zone
    except (ZoneInfoNotFoundError, ValueError):
        return settings.zone


def next_fire(after: datetime, cadence: Cadence, at: time, weekday: int | None, zone: ZoneInfo) -> datetime:
    """The first local `at` (on `weekday` when weekly) strictly after `after`, in UTC; DST-correct."""
    local = after.astimezone(zone)
    step = 7 if cadence == Cadence.WEEKLY else 1
    day = local.date()
    if cadence == Cadence.WEEKLY and weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    while True:
        candidate = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if candidate > after:
            return candidate
        day += timedelta(days=step)


def next_slot(line: Line, schedule: Schedule, member: Member | None, after: datetime) -> datetime | None:
    """When the next prompt goes out: the next local time, held to the end of quiet hours."""
    if not schedule.active or schedule.at is None:
        return None
    zone = zone_of(member, line.settings)
    nominal = next_fire(after, schedule.cadence, schedule.at, schedule.weekday, zone)
    return quiet.next_allowed(nominal, zone, line.settings.quiet_hours)


def set_schedule(line: Line, member: Member, cadence: Cadence, at: time | None = None,
                 weekday: int | None = None) -> Schedule:
    """Record the member's choice and (re)arm its timer; the missed count starts again."""
    r, phone = line.r, member.phone
    if cadence != Cadence.OFF and at is None:
        raise ValueError("a daily or weekly prompt needs a time")
    if not r.hexists(_key(phone), "id"):
        r.hsetnx(_key(phone), "id", str(r.incr(SEQ)))  # two first choices at once keep one id
    prompt_id = r.hget(_key(phone), "id")
    pipe = r.pipeline(transaction=True)
    pipe.hset(_key(phone), mapping={
        "id": prompt_id, "cadence": str(cadence), "at": at.strftime("%H:%M") if at else "",
        "weekday": "" if weekday is None or cadence != Cadence.WEEKLY else str(weekday),
        "missed": "0", "outstanding": "0", "next_at": "",
    })
    pipe.hset(INDEX, prompt_id, phone)
    pipe.execute()
    return arm(line, member)


def arm(line: Line, member: Member) -> Schedule:
    """Schedule the member's next prompt from now (after a change of choice or of zone)."""
    schedule = get(line.r, member.phone)
    if schedule is None:
        raise ValueError("no prompt schedule")
    when = next_slot(line, schedule, member, line.now())
    if when is None:
        timers.cancel(line.r, _timer(schedule.id))
        timers.cancel(line.r, _window_timer(schedule.id))
        line.r.hset(_key(member.phone), "next_at", "")
    else:
        fire_at(line, schedule, member.phone, when)
    return get(line.r, member.phone) or schedule


def fire_at(line: Line, schedule: Schedule, phone: str, when: datetime) -> None:
    """Put the next prompt's timer at `when`."""
    line.r.hset(_key(phone), "next_at", when.isoformat())
    timers.schedule(line.r, _timer(schedule.id), when, queues.BROADCAST, jobs.PROMPT_FIRE, schedule.id)


def mark_sent(line: Line, phone: str, slot: str) -> bool:
    """Count a still-unanswered previous prompt as missed and mark this one sent; False if done already."""
    now = line.now()
    marked = line.r.eval(_MARK_SENT, 1, _key(phone), slot, now.timestamp(), now.isoformat(),
                         missed_limit(line.settings))
    return bool(marked)


def open_window(line: Line, schedule: Schedule) -> None:
    at = line.now() + timedelta(seconds=window(line.settings))
    timers.schedule(line.r, _window_timer(schedule.id), at, queues.BROADCAST, jobs.PROMPT_CLOSE, schedule.id)


def close_window(line: Line, phone: str) -> int:
    """1 when an unanswered prompt was counted missed, 0 when answered, -1 when its window is still open."""
    now = line.now()
    return int(line.r.eval(_CLOSE, 1, _key(phone), now.timestamp(), now.isoformat(),
                           missed_limit(line.settings), window(line.settings)))


def checked_in(r: redis.Redis, phone: str) -> None:
    """A check-in answers the outstanding prompt and clears the missed count and the outreach flag."""
    r.eval(_ANSWERED, 1, _key(phone))


def needs_outreach(r: redis.Redis, phone: str) -> bool:
    return r.hget(_key(phone), "needs_outreach") == "1"


def export_member(r: redis.Redis, phone: str) -> dict[str, object] | None:
    schedule = get(r, phone)
    if schedule is None:
        return None
    return {"id": schedule.id, "timer_due": timers.due_at(r, _timer(schedule.id))}


def erase_member(r: redis.Redis, phone: str) -> None:
    prompt_id = r.hget(_key(phone), "id")
    if prompt_id:
        timers.cancel(r, _timer(prompt_id))
        timers.cancel(r, _window_timer(prompt_id))
        r.hdel(INDEX, prompt_id)


def member_view(r: redis.Redis, phone: str) -> dict[str, object] | None:
    schedule = get(r, phone)
    return schedule.as_dict() if schedule else None


