"""Weekly on-call shifts: a staff member goes on call at each shift's start and off at its end.

A shift is wall-clock local time in its zone ("mon-fri 18:00-23:00 America/Chicago"), so it follows
daylight saving: 18:00 is 18:00 on both sides of a change. A shift whose end is not after its start
crosses midnight and belongs to the day it starts on (`fri 22:00-02:00` ends early on Saturday). A time
the clocks skip (02:30 on the night they spring forward) is reached when they jump (03:00); a time
they go through twice (01:30 when they fall back) is its first passing.

The ticker (workers/shifts.py) asks `due()` once a second for shifts whose next edge has come, applies
the latest edge of each once (a Redis claim per edge, `staff.on_call_at_edge`), and `reschedule()`s it.
`OFF` during a shift skips the rest of that occurrence (`skip_current`), so a ticker that comes late
to the start never puts back on call someone who has just said OFF.

Keys (owned here): `tl:shift:seq` (ids), `tl:shift:{id}` hash (phone, days, from, to, tz, created),
`tl:shifts` set of ids, `tl:shifts:of:{phone}` set of a staff member's ids, `tl:shifts:edges` sorted set
(id -> epoch of its next edge), `tl:shift:{id}:edge:{epoch}` (that edge was applied),
`tl:shift:{id}:skip:{epoch}` (the occurrence starting then was skipped by OFF).
Shifts are staff data, not member data: nothing here is a member's export or erase.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import redis

from textline.core import catalog
from textline.core.errors import NotFound, TextlineError
from textline.core.line import Line
from textline.models import staff

SEQ = "tl:shift:seq"
ALL = "tl:shifts"
EDGES = "tl:shifts:edges"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Words for several days at once.
DAY_SETS = {"daily": tuple(range(7)), "everyday": tuple(range(7)), "all": tuple(range(7)),
            "weekdays": tuple(range(5)), "weekends": (5, 6), "weekend": (5, 6)}
#: An applied edge is remembered longer than an edge can stay a shift's latest (at most a week).
EDGE_TTL = 8 * 86400
#: How many due shifts one tick takes (a line has a handful; the rest wait a second).
BATCH = 200
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")


class ShiftError(TextlineError):
    """Input that does not make a shift: `field` and what was typed, with a hint."""

    def __init__(self, field: str, typed: str, hint: str) -> None:
        super().__init__(f"{field} {typed!r}: {hint}")
        self.field, self.typed, self.hint = field, typed, hint


class EdgeKind(StrEnum):
    START = "start"
    END = "end"


@dataclass(frozen=True)
class Occurrence:
    """One shift on one day, in UTC."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Edge:
    kind: EdgeKind
    at: datetime
    occurrence: Occurrence


@dataclass(frozen=True)
class Shift:
    id: int
    phone: str
    days: tuple[int, ...]    # 0 = Monday
    start: time
    end: time
    tz: str
    created: float = 0.0     # epoch seconds: edges before it never fire

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def as_dict(self) -> dict[str, object]:
        """The fields `textline shifts list --json` prints."""
        return {"id": self.id, "phone": self.phone, "days": [DAYS[d] for d in self.days],
                "from": self.start.strftime("%H:%M"), "to": self.end.strftime("%H:%M"), "tz": self.tz}

    def describe(self) -> str:
        """`mon-fri 18:00-23:00 America/Chicago`."""
        return f"{days_text(self.days)} {self.start:%H:%M}-{self.end:%H:%M} {self.tz}"

    def occurrences(self, since: datetime, until: datetime) -> Iterator[Occurrence]:
        """Occurrences that start in [since - 1 day, until], oldest first (one that skips time entirely, none)."""
        zone = self.zone
        day = since.astimezone(zone).date() - timedelta(days=1)
        last = until.astimezone(zone).date()
        while day <= last:
            if day.weekday() in self.days:
                begins = instant(day, self.start, zone)
                ends = instant(day + timedelta(days=1) if self.crosses_midnight else day, self.end, zone)
                if ends > begins and begins <= until:
                    yield Occurrence(begins, ends)
            day += timedelta(days=1)

    def edges(self, since: datetime, until: datetime) -> list[Edge]:
        """Start and end edges within [since, until], after the shift was created, in time order."""
        found = [Edge(kind, at, occ) for occ in self.occurrences(since - timedelta(days=1), until)
                 for kind, at in ((EdgeKind.START, occ.start), (EdgeKind.END, occ.end))
                 if since <= at <= until and at.timestamp() >= self.created]
        # Where one occurrence ends as the next starts, the start comes second: it is what holds now.
        return sorted(found, key=lambda e: (e.at, e.kind == EdgeKind.START))

    def last_edge(self, now: datetime) -> Edge | None:
        """The latest edge at or before `now`: it says whether the shift holds now."""
        found = self.edges(now - timedelta(days=8), now)
        return found[-1] if found else None

    def next_edge(self, now: datetime) -> datetime:
        """The first edge after `now`."""
        return next(e.at for e in self.edges(now + timedelta(microseconds=1), now + timedelta(days=9)))

    def current(self, now: datetime) -> Occurrence | None:
        """The occurrence under way at `now`, if any."""
        return next((occ for occ in self.occurrences(now - timedelta(days=1), now) if occ.holds(now)), None)

    def next_start(self, after: datetime) -> datetime:
        return next(occ.start for occ in self.occurrences(after, after + timedelta(days=9)) if occ.start > after)


def instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC moment of wall-clock `at` on `day`: a skipped time is the jump itself, a repeated one its first."""
    local = datetime.combine(day, at, tzinfo=zone)
    utc = local.astimezone(UTC)
    wall = local.replace(tzinfo=None)
    if utc.astimezone(zone).replace(tzinfo=None) == wall:
        return utc
    # Clocks sprang forward over `at`: find the first second whose wall clock reads `at` or later.
    low, high = int(local.replace(fold=1).astimezone(UTC).timestamp()), int(utc.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


# -- reading what a coordinator typed ------------------------------------------------------------------------------


def parse_days(text: str) -> tuple[int, ...]:
    """`mon-fri`, `sat,sun`, `fri-mon`, `mon wed fri`, `daily`, `weekdays`, `weekends` -> weekday numbers."""
    found: set[int] = set()
    tokens = [t for t in re.split(r"[,\s]+", text.strip().lower()) if t]
    if not tokens:
        raise ShiftError("days", text, "write days like mon-fri, sat,sun or daily")
    for token in tokens:
        if token in DAY_SETS:
            found.update(DAY_SETS[token])
            continue
        first, dash, last = token.partition("-")
        a, b = _day(first, text), _day(last, text) if dash else None
        if b is None:
            found.add(a)
        else:
            found.update((a + i) % 7 for i in range((b - a) % 7 + 1))
    return tuple(sorted(found))


def _day(word: str, typed: str) -> int:
    matches = [i for i, name in enumerate(FULL_DAYS) if len(word) >= 2 and name.startswith(word)]
    if len(matches) != 1:
        raise ShiftError("days", typed, f"{word!r} is not a day; write days like mon-fri, sat,sun or daily")
    return matches[0]


def days_text(days: tuple[int, ...]) -> str:
    """`mon-fri`, `sat-sun`, `fri-mon`, `mon,wed,fri`, `daily`: runs of days as ranges."""
    if len(days) == 7:
        return "daily"
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and runs[-1][-1] == d - 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 6:  # fri-mon: the week wraps
        runs[0] = runs.pop() + runs[0]
    return ",".join(f"{DAYS[r[0]]}-{DAYS[r[-1]]}" if len(r) > 1 else DAYS[r[0]] for r in runs)


def parse_clock(text: str, field: str) -> time:
    """`18:00`, `6pm`, `6:30pm`, `9`, `24:00` (midnight) -> a wall-clock time."""
    typed = text.strip().lower().replace(" ", "")
    special = {"noon": time(12), "midnight": time(0), "24:00": time(0)}
    if typed in special:
        return special[typed]
    match = _CLOCK.match(typed)
    hint = "not a time; write it as HH:MM, like 18:00 (or 6pm)"
    if not match:
        raise ShiftError(field, text, hint)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "")[:1]
    if half:
        if not 1 <= hour <= 12:
            raise ShiftError(field, text, hint)
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        raise ShiftError(field, text, hint)
    return time(hour, minute)


def parse_zone(text: str) -> str:
    name = text.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ShiftError("tz", text, "not a time zone; write one like America/Chicago") from exc
    return name


# -- storing -------------------------------------------------------------------------------------------------------


def _key(shift_id: int | str) -> str:
    return f"tl:shift:{shift_id}"


def _of(phone: str) -> str:
    return f"tl:shifts:of:{phone}"


def edge_key(shift_id: int, edge: Edge) -> str:
    return f"tl:shift:{shift_id}:edge:{int(edge.at.timestamp())}"


def skip_key(shift_id: int, occurrence: Occurrence) -> str:
    return f"tl:shift:{shift_id}:skip:{int(occurrence.start.timestamp())}"


def _shift(shift_id: int, data: dict[str, str]) -> Shift:
    return Shift(id=shift_id, phone=data["phone"], days=tuple(int(d) for d in data["days"].split(",")),
                 start=time.fromisoformat(data["from"]), end=time.fromisoformat(data["to"]), tz=data["tz"],
                 created=float(data.get("created", 0)))


def get(r: redis.Redis, shift_id: int) -> Shift | None:
    data = r.hgetall(_key(shift_id))
    return _shift(shift_id, data) if data else None


def all_shifts(r: redis.Redis) -> list[Shift]:
    """Every shift, by id."""
    return _many(r, r.smembers(ALL))


def for_phone(r: redis.Redis, phone: str) -> list[Shift]:
    """One staff member's shifts, by id."""
    return _many(r, r.smembers(_of(phone)))


def _many(r: redis.Redis, ids: set[str]) -> list[Shift]:
    ordered = sorted(int(i) for i in ids)
    pipe = r.pipeline(transaction=False)
    for shift_id in ordered:
        pipe.hgetall(_key(shift_id))
    return [_shift(i, data) for i, data in zip(ordered, pipe.execute(), strict=True) if data]


def add(line: Line, phone: str, *, days: str, start: str, end: str, tz: str | None = None) -> Shift:
    """A new weekly shift for staff member `phone`, from what a coordinator typed; ShiftError says what is wrong.

    The zone defaults to the line's. The shift's first edge is its next one: adding a shift while it
    would be under way changes nobody's on-call state until its end.
    """
    r = line.r
    if staff.get(r, phone) is None:
        raise ShiftError("phone", phone, "not on the staff roster; add them first with textline staff add")
    now = line.now()
    draft = Shift(id=0, phone=phone, days=parse_days(days), start=parse_clock(start, "from"),
                  end=parse_clock(end, "to"), tz=parse_zone(tz) if tz else line.settings.timezone,
                  created=now.timestamp())
    if draft.start == draft.end:
        raise ShiftError("to", end, "a shift must end at another time than it starts")
    for other in for_phone(r, phone):
        if _overlap(draft, other, now):
            raise ShiftError("from", start, f"overlaps their shift {other.id} ({other.describe()})")
    shift_id = int(r.incr(SEQ))
    shift = Shift(shift_id, draft.phone, draft.days, draft.start, draft.end, draft.tz, draft.created)
    pipe = r.pipeline()
    pipe.hset(_key(shift_id), mapping={"phone": phone, "days": ",".join(str(d) for d in shift.days),
                                       "from": shift.start.isoformat("minutes"), "to": shift.end.isoformat("minutes"),
                                       "tz": shift.tz, "created": repr(shift.created)})
    pipe.sadd(ALL, shift_id)
    pipe.sadd(_of(phone), shift_id)
    pipe.zadd(EDGES, {str(shift_id): shift.next_edge(now).timestamp()})
    pipe.execute()
    return shift


def _overlap(a: Shift, b: Shift, now: datetime) -> bool:
    """Whether two shifts hold at the same moment in the coming two weeks (touching ends do not overlap)."""
    until = now + timedelta(days=15)
    return any(x.start < y.end and y.start < x.end
               for x in a.occurrences(now, until) for y in b.occurrences(now, until))


def remove(r: redis.Redis, shift_id: int) -> Shift:
    """Remove one shift (whoever is on call stays so until OFF); NotFound when there is none."""
    shift = get(r, shift_id)
    if shift is None:
        raise NotFound(f"no shift {shift_id}: textline shifts list shows them")
    _drop(r, shift_id, shift.phone)
    return shift


def remove_for(r: redis.Redis, phone: str) -> int:
    """Remove every shift of staff member `phone` (they are leaving the roster); how many."""
    ids = [int(i) for i in r.smembers(_of(phone))]
    for shift_id in ids:
        _drop(r, shift_id, phone)
    r.delete(_of(phone))
    return len(ids)


def _drop(r: redis.Redis, shift_id: int, phone: str) -> None:
    pipe = r.pipeline()
    pipe.delete(_key(shift_id))
    pipe.srem(ALL, shift_id)
    pipe.srem(_of(phone), shift_id)
    pipe.zrem(EDGES, str(shift_id))
    pipe.execute()


# -- the ticker's side ---------------------------------------------------------------------------------------------


def due(r: redis.Redis, now: datetime) -> list[int]:
    """Shifts whose next edge has come (every ticker sees them until one reschedules them)."""
    return [int(i) for i in r.zrangebyscore(EDGES, "-inf", now.timestamp(), start=0, num=BATCH)]


def reschedule(r: redis.Redis, shift: Shift, now: datetime) -> None:
    """Arm the shift's next edge; a shift removed meanwhile stays removed."""
    r.eval("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2]) end",
           2, _key(shift.id), EDGES, shift.next_edge(now).timestamp(), str(shift.id))


def postpone(r: redis.Redis, shift_id: int, at: datetime) -> None:
    """Try a due shift again at `at` (its edge could not be applied now)."""
    r.zadd(EDGES, {str(shift_id): at.timestamp()}, xx=True)


def forget(r: redis.Redis, shift_id: int) -> None:
    """A due entry whose shift is gone."""
    r.zrem(EDGES, str(shift_id))


def apply_edge(r: redis.Redis, shift: Shift, edge: Edge, now: datetime) -> staff.EdgeResult:
    """Put the shift's person on (start) or off (end) call, once per edge however many tickers try.

    At an end, someone whose next shift has already begun (back-to-back shifts) stays on call.
    """
    if edge.kind == EdgeKind.START:
        return staff.on_call_at_edge(r, shift.phone, True, marker=edge_key(shift.id, edge),
                                     skip=skip_key(shift.id, edge.occurrence), ttl=EDGE_TTL)
    still = any(other.current(now) for other in for_phone(r, shift.phone) if other.id != shift.id)
    return staff.on_call_at_edge(r, shift.phone, None if still else False, marker=edge_key(shift.id, edge),
                                 ttl=EDGE_TTL)


# -- OFF and ON during a shift -------------------------------------------------------------------------------------


def current(r: redis.Redis, phone: str, now: datetime) -> tuple[Shift, Occurrence] | None:
    """The shift of `phone` under way at `now`, if any."""
    for shift in for_phone(r, phone):
        occurrence = shift.current(now)
        if occurrence is not None:
            return shift, occurrence
    return None


def skip_current(r: redis.Redis, phone: str, now: datetime) -> tuple[Shift, Occurrence] | None:
    """OFF during a shift: the rest of it is skipped (its start, if a ticker has yet to apply it, does nothing)."""
    found = current(r, phone, now)
    if found is not None:
        shift, occurrence = found
        r.set(skip_key(shift.id, occurrence), "1", ex=int((occurrence.end - now).total_seconds()) + 3600)
    return found


def unskip_current(r: redis.Redis, phone: str, now: datetime) -> tuple[Shift, Occurrence] | None:
    """ON during a shift: it is no longer skipped (its end puts them off call as usual)."""
    found = current(r, phone, now)
    if found is not None:
        r.delete(skip_key(found[0].id, found[1]))
    return found


def next_start(r: redis.Redis, phone: str, after: datetime) -> tuple[Shift, datetime] | None:
    """The next shift of `phone` to start after `after`, and when."""
    starts = [(shift.next_start(after), shift) for shift in for_phone(r, phone)]
    if not starts:
        return None
    at, shift = min(starts, key=lambda pair: pair[0])
    return shift, at


# -- how a shift reads in a text -----------------------------------------------------------------------------------


def clock_text(language: str, local: datetime | time) -> str:
    """`11:00pm` in English, `23:00` in Spanish (the catalog's shift.clock says which)."""
    if catalog.raw(language, "shift.clock").strip() == "24":
        return f"{local.hour}:{local.minute:02d}"
    return f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def when_text(language: str, local: datetime) -> str:
    """`Tue 6:00pm` / `mar 18:00`: a weekday and a clock time, for the next shift's start."""
    day = catalog.raw(language, "shift.days").split()[local.weekday()]
    return f"{day} {clock_text(language, local)}"
