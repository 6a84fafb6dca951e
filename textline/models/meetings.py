"""Meetings: one-off or weekly, at a wall-clock time in the group's zone, with RSVPs per occurrence.

Keys (owned here): `tl:meeting:seq`, `tl:meeting:{id}` hash (id, group, local,
timezone, every, where, status ...), `tl:meetings` sorted set (id by first
start), `tl:meetings:group:{group}` set of ids, and per occurrence (its start
in epoch seconds) `tl:meeting:{id}:rsvp:{occ}` hash (phone -> answer) and
`tl:meeting:{id}:reminded:{occ}` set of phones; both expire 40 days after their last change.
A weekly meeting's occurrences are computed from local wall time, so 19:00
stays 19:00 across DST changes.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import redis

from textline.core import catalog, gsm
from textline.core.errors import NotFound, TextlineError
from textline.models.groups import Group

SEQ = "tl:meeting:seq"
ALL = "tl:meetings"
LOCAL_FORMAT = "%Y-%m-%d %H:%M"
#: A place or dial-in goes into one-segment reminders, so it is kept short.
MAX_WHERE = 48
WEEK = timedelta(days=7)
#: RSVPs and who was reminded are kept this long after the last answer or reminder.
KEEP = 40 * 86400


class Answer(StrEnum):
    COMING = "coming"
    NOT_COMING = "not_coming"


class MeetingError(TextlineError):
    """A meeting cannot be made as asked."""


def _key(meeting_id: int | str) -> str:
    return f"tl:meeting:{meeting_id}"


def _by_group(group_id: int | str) -> str:
    return f"tl:meetings:group:{group_id}"


def _rsvp(meeting_id: int | str, occ: int) -> str:
    return f"tl:meeting:{meeting_id}:rsvp:{occ}"


def _reminded(meeting_id: int | str, occ: int) -> str:
    return f"tl:meeting:{meeting_id}:reminded:{occ}"


@dataclass(frozen=True)
class Meeting:
    id: int
    group_id: int
    local: datetime  # naive wall time of the first occurrence, in `timezone`
    timezone: str
    every: str  # "week" or ""
    where: str
    status: str  # "scheduled" or "cancelled"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def occurrence(self, n: int) -> datetime:
        """The UTC start of occurrence `n` (0 is the first): same wall time, n weeks on."""
        return (self.local + n * WEEK).replace(tzinfo=self.zone).astimezone(UTC)

    def occurrences(self, after: datetime) -> Iterator[datetime]:
        """UTC starts later than `after`, in order."""
        if not self.every:
            if self.occurrence(0) > after:
                yield self.occurrence(0)
            return
        n = max(0, int((after - self.occurrence(0)) / WEEK) - 1)
        while True:
            start = self.occurrence(n)
            if start > after:
                yield start
            n += 1

    def next_start(self, after: datetime) -> datetime | None:
        return next(self.occurrences(after), None)

    def is_occurrence(self, start: datetime) -> bool:
        return self.next_start(start - timedelta(seconds=1)) == start

    def local_start(self, start: datetime) -> datetime:
        return start.astimezone(self.zone)


def epoch(start: datetime) -> int:
    return int(start.timestamp())


def from_epoch(occ: int | str) -> datetime:
    return datetime.fromtimestamp(int(occ), UTC)


def parse_local(text: str) -> datetime:
    try:
        return datetime.strptime(" ".join(text.split()), LOCAL_FORMAT)
    except ValueError as exc:
        raise MeetingError(f'a time must look like "YYYY-MM-DD HH:MM", not {text!r}') from exc


def add(r: redis.Redis, group: Group, local: datetime, *, every: str = "", where: str = "",
        now: datetime) -> Meeting:
    """A new meeting of `group` at wall time `local` in the group's zone."""
    where = gsm.fit(" ".join(where.split()))
    if len(where) > MAX_WHERE:
        raise MeetingError(f"--where must be {MAX_WHERE} characters at most")
    if every not in ("", "week"):
        raise MeetingError("--every must be week")
    meeting_id = int(r.incr(SEQ))
    meeting = Meeting(meeting_id, group.id, local, group.timezone, every, where, "scheduled")
    if meeting.next_start(now) is None:
        raise MeetingError(f"{local.strftime(LOCAL_FORMAT)} in {group.timezone} has passed")
    pipe = r.pipeline()
    pipe.hset(_key(meeting_id), mapping={
        "id": meeting_id, "group": group.id, "local": local.strftime(LOCAL_FORMAT), "timezone": group.timezone,
        "every": every, "where": where, "status": "scheduled", "created_at": now.isoformat(),
    })
    pipe.zadd(ALL, {str(meeting_id): meeting.occurrence(0).timestamp()})
    pipe.sadd(_by_group(group.id), meeting_id)
    pipe.execute()
    return meeting


def get(r: redis.Redis, meeting_id: int | str) -> Meeting | None:
    data = r.hgetall(_key(meeting_id))
    if not data:
        return None
    return Meeting(int(data["id"]), int(data["group"]), datetime.strptime(data["local"], LOCAL_FORMAT),
                   data["timezone"], data.get("every", ""), data.get("where", ""), data.get("status", "scheduled"))


def require(r: redis.Redis, meeting_id: int | str) -> Meeting:
    meeting = get(r, meeting_id) if str(meeting_id).isdigit() else None
    if meeting is None:
        raise NotFound(f"no meeting {meeting_id}")
    return meeting


def all_meetings(r: redis.Redis) -> list[Meeting]:
    found = [get(r, m) for m in r.zrange(ALL, 0, -1)]
    return [m for m in found if m is not None]


def of_groups(r: redis.Redis, group_ids: list[int]) -> list[Meeting]:
    ids = set().union(*(r.smembers(_by_group(g)) for g in group_ids)) if group_ids else set()
    found = [get(r, m) for m in sorted(ids, key=int)]
    return [m for m in found if m is not None]


def cancel(r: redis.Redis, meeting_id: int, now: datetime) -> bool:
    """Mark the meeting (every occurrence) cancelled; False when it already was."""
    if not r.hsetnx(_key(meeting_id), "cancelled_at", now.isoformat()):
        return False
    r.hset(_key(meeting_id), "status", "cancelled")
    return True


# -- RSVPs and reminders, per occurrence ---------------------------------------------------------------------------
def record_rsvp(r: redis.Redis, meeting: Meeting, occ: int, phone: str, answer: Answer) -> None:
    pipe = r.pipeline()
    pipe.hset(_rsvp(meeting.id, occ), phone, str(answer))
    pipe.expire(_rsvp(meeting.id, occ), KEEP)
    pipe.execute()


def rsvps(r: redis.Redis, meeting_id: int, occ: int) -> dict[str, str]:
    return dict(sorted(r.hgetall(_rsvp(meeting_id, occ)).items()))


def mark_reminded(r: redis.Redis, meeting_id: int, occ: int, phone: str) -> None:
    pipe = r.pipeline()
    pipe.sadd(_reminded(meeting_id, occ), phone)
    pipe.expire(_reminded(meeting_id, occ), KEEP)
    pipe.execute()


def reminded(r: redis.Redis, meeting_id: int, occ: int) -> list[str]:
    return sorted(r.smembers(_reminded(meeting_id, occ)))


# -- how a meeting reads in a text ----------------------------------------------------------------------------------
def when_text(language: str, local: datetime) -> str:
    """`Tue Mar 11, 7:00pm` / `mar 11/3, 19:00`: names, order and clock from the catalog."""
    days = catalog.raw(language, "groups.days").split()
    months = catalog.raw(language, "groups.months").split()
    if catalog.raw(language, "groups.clock").strip() == "24":
        clock = f"{local.hour}:{local.minute:02d}"
    else:
        clock = f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    return catalog.raw(language, "groups.when").format(day=days[local.weekday()], month=months[local.month - 1],
                                                      date=local.day, time=clock)


# -- export and erase ------------------------------------------------------------------------------------------------
def export_member(r: redis.Redis, phone: str) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for key in r.scan_iter(match="tl:meeting:*:rsvp:*", count=500):
        answer = r.hget(key, phone)
        if answer:
            _, _, meeting_id, _, occ = key.split(":")
            out.append({"meeting": int(meeting_id), "starts_at": from_epoch(occ).isoformat(), "answer": answer})
    return sorted(out, key=lambda a: str(a["starts_at"]))


def erase_member(r: redis.Redis, phone: str) -> None:
    for pattern in ("tl:meeting:*:rsvp:*", "tl:meeting:*:reminded:*"):
        for key in r.scan_iter(match=pattern, count=500):
            if ":rsvp:" in key:
                r.hdel(key, phone)
            else:
                r.srem(key, phone)


