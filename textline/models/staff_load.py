"""How much one staff member carried today: requests taken and crisis cases acknowledged (counts only).

"Today" is the staff member's own day: the zone of their first shift, else their number's zone, else
the line's. Coordinators read the counts (`today`) in `textline staff list --json` and on the dashboard;
nothing here holds a member's number or words.

Keys (owned here): `tl:staffload:{phone}:{yyyy-mm-dd}` hash (`taken`, `crisis`), kept a few days.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import redis

from textline.core.line import Line
from textline.core.phones import guess_zone
from textline.models import shifts, staff

#: Kept long enough that every zone's "today" is still there, and no longer.
TTL = 3 * 86400
FIELDS = {"taken": "taken_today", "crisis": "crisis_today"}


def key(phone: str, day: date | str) -> str:
    """The counts of `phone` on `day` (their own day: see `day_of`)."""
    return f"tl:staffload:{phone}:{day.isoformat() if isinstance(day, date) else day}"


def zone_of(line: Line, phone: str) -> ZoneInfo:
    """The zone a staff member's day is counted in."""
    found = shifts.for_phone(line.r, phone)
    name = found[0].tz if found else guess_zone(phone, line.settings.timezone)
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return line.settings.zone


def day_of(line: Line, phone: str, at: datetime | None = None) -> str:
    return (at or line.now()).astimezone(zone_of(line, phone)).date().isoformat()


def _count(line: Line, phone: str, field: str) -> int:
    counts = key(phone, day_of(line, phone))
    pipe = line.r.pipeline()
    pipe.hincrby(counts, field, 1)
    pipe.expire(counts, TTL)
    value, _ = pipe.execute()
    return int(value)


def count_taken(line: Line, phone: str) -> int:
    """One more request taken today (TAKE won); the new count."""
    return _count(line, phone, "taken")


def count_crisis(line: Line, phone: str) -> int:
    """One more crisis case acknowledged today (ACK won); the new count."""
    return _count(line, phone, "crisis")


def today(line: Line, phone: str) -> dict[str, int]:
    """{"taken_today": n, "crisis_today": n} for the staff member's today."""
    data = line.r.hgetall(key(phone, day_of(line, phone)))
    return {name: int(data.get(field, 0)) for field, name in FIELDS.items()}


def export_member(r: redis.Redis, phone: str) -> dict[str, dict[str, int]]:
    """The counts kept under a number (a staff member who is also a member), by day."""
    prefix = key(phone, "")
    return {k[len(prefix):]: {f: int(v) for f, v in r.hgetall(k).items()}
            for k in sorted(r.scan_iter(match=prefix + "*", count=500))}


def erase_member(r: redis.Redis, phone: str) -> None:
    found = list(r.scan_iter(match=key(phone, "*"), count=500))
    if found:
        r.delete(*found)


def roster_state(line: Line, member: staff.StaffMember) -> dict[str, int | bool]:
    """What the roster adds to a staff member: load today (counts only) and whether they texted STOP.

    The one place the CLI (`staff list --json`) and the dashboard read these.
    """
    return {**today(line, member.phone), "opted_out": staff.is_opted_out(line.r, member.phone)}
