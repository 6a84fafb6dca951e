"""When a personal reminder goes off: reading what a member wrote, and each next time in their own zone.

A member writes `08:00` (every day), `MON 09:00` or `lunes 9am` (every
week), or `2026-12-01 09:00` (once; a date alone means 09:00, a time the
member did not choose, so quiet hours may hold it). Times are local wall
times computed with zoneinfo, so a reminder stays at 08:00 across DST.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Repeat(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    ONCE = "once"


#: The time a one-off reminder given as a date alone goes off.
DEFAULT_TIME = time(9, 0)
WEEKDAYS = {
    **{name: i for i, names in enumerate(
        ("MON MONDAY LUN LUNES", "TUE TUES TUESDAY MAR MARTES", "WED WEDNESDAY MIE MIERCOLES",
         "THU THUR THURS THURSDAY JUE JUEVES", "FRI FRIDAY VIE VIERNES", "SAT SATURDAY SAB SABADO",
         "SUN SUNDAY DOM DOMINGO")) for name in names.split()},
}
#: Words around a time that change nothing ("every day at 8am", "cada lunes a las 9:00").
FILLER = frozenset("EVERY EACH DAY DAYS DAILY AT ON THE WEEK WEEKLY CADA DIA DIAS TODOS LOS A LAS LA EL DE "
                   "SEMANA DIARIO SEMANAL".split())
_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_TIME = re.compile(r"\b(\d{1,2})(?:[:.H](\d{2}))?\s*(AM|PM|A\.M\.?|P\.M\.?)?(?![\w:])")


@dataclass(frozen=True)
class Schedule:
    repeat: Repeat
    at: time
    weekday: int | None = None
    day: date | None = None
    #: False when the member gave no time (a date alone): quiet hours then apply.
    chosen: bool = True

    def fields(self) -> dict[str, str]:
        return {"repeat": str(self.repeat), "time": self.at.strftime("%H:%M"),
                "weekday": "" if self.weekday is None else str(self.weekday),
                "date": self.day.isoformat() if self.day else "", "chosen": "1" if self.chosen else "0"}

    @classmethod
    def from_fields(cls, data: dict[str, str]) -> Schedule:
        return cls(Repeat(data["repeat"]), time.fromisoformat(data["time"]),
                   int(data["weekday"]) if data.get("weekday") else None,
                   date.fromisoformat(data["date"]) if data.get("date") else None, data.get("chosen", "1") == "1")


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).upper()


def _clock(match: re.Match[str]) -> time | None:
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "")[:1]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "P" else 0)
    elif match.group(2) is None:
        return None  # a bare number is not a time
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse(text: str) -> Schedule | None:
    """What the member meant, or None when it is not a time, weekday + time, or date (+ time)."""
    rest = _fold(text or "").strip()
    day = None
    found = _DATE.search(rest)
    if found:
        try:
            day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            return None
        rest = rest[: found.start()] + " " + rest[found.end():]
    at = None
    clock = _TIME.search(rest)
    if clock:
        at = _clock(clock)
        if at is None:
            return None
        rest = rest[: clock.start()] + " " + rest[clock.end():]
    words = re.findall(r"[A-Z]+", rest)
    weekdays = [WEEKDAYS[w] for w in words if w in WEEKDAYS]
    if re.search(r"\d", rest) or any(w not in WEEKDAYS and w not in FILLER for w in words) or len(weekdays) > 1:
        return None
    if day is not None:
        return None if weekdays else Schedule(Repeat.ONCE, at or DEFAULT_TIME, day=day, chosen=at is not None)
    if at is None:
        return None
    if weekdays:
        return Schedule(Repeat.WEEKLY, at, weekday=weekdays[0])
    return Schedule(Repeat.DAILY, at)


def _utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def next_time(schedule: Schedule, after: datetime, zone: str) -> datetime | None:
    """The first moment (UTC) strictly after `after` the reminder goes off; None when a one-off has passed."""
    tz = ZoneInfo(zone)
    if schedule.repeat == Repeat.ONCE:
        assert schedule.day is not None
        at = _utc(schedule.day, schedule.at, tz)
        return at if at > after else None
    start = after.astimezone(tz).date()
    for offset in range(9):
        day = start + timedelta(days=offset)
        if schedule.repeat == Repeat.WEEKLY and day.weekday() != schedule.weekday:
            continue
        at = _utc(day, schedule.at, tz)
        if at > after:
            return at
    return None  # pragma: no cover - a daily or weekly time always comes within 8 days


def latest_due(schedule: Schedule, due: datetime, now: datetime, zone: str) -> tuple[datetime, datetime | None]:
    """From a due time, skip occurrences missed while nothing ran: (the latest one due by `now`, the one after)."""
    following = next_time(schedule, due, zone)
    while following is not None and following <= now:
        due, following = following, next_time(schedule, following, zone)
    return due, following
