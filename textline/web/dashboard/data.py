"""What the dashboard reads from each feature, in one place, as small view records.

Pages render these records only. Each feature is read through the one function named after it
here (`case_rows`, `callback_rows`, `group_rows`, `meeting_rows`, `broadcast_rows`, `attendance`),
which imports the feature's records module directly. The records carry no whole phone number: a
member is shown by name or last four digits and linked by an opaque reference
(textline.models.member_refs).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textline.core import phones
from textline.core.line import Line
from textline.models import (
    broadcasts,
    cases,
    groups,
    meetings,
    member_data,
    member_refs,
    members,
    shifts,
    staff,
)
from textline.models import requests as callbacks
from textline.models.cases import Case
from textline.models.meetings import Meeting


def when(value: Any) -> datetime | None:
    """A stored time (ISO text or epoch seconds) as an aware datetime; None when absent or unreadable."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(float(value)).astimezone()
        return datetime.fromisoformat(str(value))
    except (ValueError, OverflowError, OSError):
        return None


def staff_name(line: Line, phone: str) -> str:
    """A staff member as pages show them: their name, else the last four digits."""
    if not phone:
        return ""
    member = staff.get(line.r, phone)
    return member.name if member and member.name else phones.mask(phone)


@dataclass(frozen=True)
class Who:
    """A member as a page shows them: `label` for coordinators, `anonymous` for peers, `ref` for links."""

    label: str
    anonymous: str
    ref: str


def who(line: Line, phone: str, refs: dict[str, str] | None = None) -> Who:
    member = members.get(line.r, phone) if phone else None
    name = member.name if member and member.name else ""
    ref = (refs or {}).get(phone) or (member_refs.ref_for(line.r, phone) if phone else "")
    return Who(label=name or phones.mask(phone) or "unknown", anonymous=name or "a member", ref=ref)


# -- crisis cases ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    at: datetime | None
    what: str


@dataclass(frozen=True)
class Said:
    """One text the member sent on a case, in full."""

    at: datetime | None
    channel: str
    text: str


@dataclass(frozen=True)
class CaseRow:
    id: int
    member: Who
    status: str  # open | acknowledged | closed
    level: int
    opened_at: datetime | None
    acknowledged_by: str
    acknowledged_at: datetime | None
    closed_at: datetime | None
    alerted: tuple[str, ...]
    events: tuple[Event, ...]
    texts: tuple[Said, ...] = ()


def _first(events: tuple[Event, ...], *prefixes: str) -> datetime | None:
    found = [e.at for e in events if e.at and e.what.lower().startswith(prefixes)]
    return found[0] if found else None


def _case(line: Line, case: Case, refs: dict[str, str]) -> CaseRow:
    """One case as `textline cases --json` shows it, with the staff it alerted."""
    row = case.as_dict(cases.events(line.r, case.id), cases.texts(line.r, case.id))
    said = tuple(Said(when(t.get("at")), str(t.get("channel", "")), str(t.get("text", ""))) for t in row["texts"])
    events = tuple(Event(when(e.get("at")), phones.mask_numbers(str(e.get("what", "")))) for e in row["events"])
    by = row.get("acknowledged_by_name") or staff_name(line, row.get("acknowledged_by") or "")
    return CaseRow(
        id=case.id, member=who(line, case.phone, refs), status=str(case.status), level=case.level,
        opened_at=when(case.opened_at) or (events[0].at if events else None),
        acknowledged_by=by, acknowledged_at=when(case.acknowledged_at) or _first(events, "acknowledged"),
        closed_at=when(case.closed_at) or _first(events, "closed"),
        alerted=tuple(staff_name(line, p) for p in cases.alerted(line.r, case.id)), events=events, texts=said,
    )


def case_rows(line: Line) -> list[CaseRow]:
    """Every crisis case, newest first."""
    found = cases.all_cases(line.r)
    refs = member_refs.refs_for(line.r, [c.phone for c in found])
    return sorted((_case(line, c, refs) for c in found), key=lambda c: c.id, reverse=True)


def case_row(line: Line, case_id: int) -> CaseRow | None:
    found = cases.get(line.r, case_id)
    return _case(line, found, {}) if found is not None else None


# -- call-backs -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CallbackRow:
    id: int
    member: Who
    status: str  # waiting | taken | done | withdrawn
    priority: str
    reason: str
    created_at: datetime | None
    taken_by_phone: str
    taken_by: str
    taken_at: datetime | None
    closed_at: datetime | None
    outcome: str
    note: str
    due_at: datetime | None = None
    scheduled: bool = False  # waiting, but for a later time the member chose: not to be taken yet


def callback_rows(line: Line) -> list[CallbackRow]:
    """Every call-back request (calls only: text requests are on the Conversations page): waiting ones
    in the order peers are served, then the rest, newest first.

    A request the member asked for later ("this evening", "tomorrow") is `scheduled` until its time
    comes: it is not in the queue peers take from, so it is shown with its time, not as waiting.
    """
    later = set(line.r.zrange(callbacks.LATER, 0, -1))
    found = [cb.as_dict() for cb in callbacks.all_requests(line.r) if not cb.is_text]
    refs = member_refs.refs_for(line.r, [row["phone"] for row in found])
    rows = [CallbackRow(
        id=int(row["id"]), member=who(line, row["phone"], refs), status=str(row["status"]),
        priority=str(row.get("priority") or ""), reason=str(row.get("reason") or ""),
        created_at=when(row.get("created_at")), taken_by_phone=row.get("taken_by") or "",
        taken_by=staff_name(line, row.get("taken_by") or ""), taken_at=when(row.get("taken_at")),
        closed_at=when(row.get("closed_at")), outcome=str(row.get("last_dial") or ""),
        note=str(row.get("note") or ""), due_at=when(row.get("due_at")),
        scheduled=str(row["status"]) == "waiting" and str(row["id"]) in later,
    ) for row in found]
    waiting = [r for r in rows if r.status == "waiting"]
    rest = sorted((r for r in rows if r.status != "waiting"), key=lambda r: r.id, reverse=True)
    return waiting + rest


# -- staff: load today, opt-out, shifts --------------------------------------------------------------------------
@dataclass(frozen=True)
class ShiftRow:
    id: int
    text: str  # mon-fri 18:00-23:00 America/Chicago


def shift_rows(line: Line, phone: str) -> list[ShiftRow]:
    """A staff member's weekly shifts, as the roster shows them."""
    return [ShiftRow(id=s.id, text=s.describe()) for s in sorted(shifts.for_phone(line.r, phone), key=lambda s: s.id)]


# -- groups, meetings, broadcasts -----------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupRow:
    id: int
    name: str
    code: str
    timezone: str
    members: int
    reachable: int


def group_rows(line: Line) -> list[GroupRow]:
    """Every group with its join code and roster size."""
    return [GroupRow(id=g.id, name=g.name, code=g.code, timezone=g.timezone, members=groups.size(line.r, g),
                     reachable=groups.reachable(line.r, g)) for g in groups.all_groups(line.r)]


def group_roster(line: Line, code: str) -> set[str] | None:
    """Phones on one group's roster (for filtering the member list); None when no such group."""
    found = groups.find(line.r, code)
    return set(groups.roster(line.r, found)) if found else None


@dataclass(frozen=True)
class MeetingRow:
    id: int
    group: str
    starts: datetime
    every: str
    where: str
    cancelled: bool
    coming: int
    not_coming: int
    reminded: int


def meeting_rows(line: Line) -> list[MeetingRow]:
    """Upcoming meetings (cancelled ones too), next occurrence first, with its RSVPs."""
    now = line.now()
    rows = []
    for m in meetings.all_meetings(line.r):
        start = m.next_start(now)
        if start is None:
            continue  # over: Impact counts its attendance
        answers: Counter[str] = Counter()
        reminded = 0
        if not m.cancelled:
            occ = meetings.epoch(start)
            answers.update(str(a) for a in meetings.rsvps(line.r, m.id, occ).values())
            reminded = len(meetings.reminded(line.r, m.id, occ))
        group = groups.get(line.r, m.group_id)
        rows.append(MeetingRow(id=m.id, group=group.name if group else "?", starts=start, every=m.every,
                               where=m.where, cancelled=m.cancelled, coming=answers["coming"],
                               not_coming=answers["not_coming"], reminded=reminded))
    return sorted(rows, key=lambda r: (r.cancelled, r.starts))


@dataclass(frozen=True)
class BroadcastRow:
    id: int
    kind: str
    group: str
    status: str
    text: str
    created_at: datetime | None
    send_at: datetime | None
    total: int
    sent: int
    failed: int
    held: int
    skipped: int

    @property
    def done_share(self) -> float:
        return (self.sent + self.failed + self.skipped) / self.total if self.total else 0.0


def broadcast_rows(line: Line, limit: int = 20) -> list[BroadcastRow]:
    """Recent broadcasts with their progress."""
    rows = []
    for b in broadcasts.recent(line.r, limit):
        group = groups.get(line.r, b.group_id) if b.group_id else None
        counts = {str(k): int(v or 0) for k, v in b.counts.items()}
        rows.append(BroadcastRow(
            id=b.id, kind=str(b.kind), group=group.name if group else "", status=str(b.status), text=b.text[:80],
            created_at=when(b.created_at), send_at=when(b.at or None), total=b.total, sent=counts.get("sent", 0),
            failed=counts.get("failed", 0), held=counts.get("held", 0),
            skipped=sum(v for k, v in counts.items() if k.startswith("skipped")),
        ))
    return rows


def recipients(line: Line, group: str) -> int | None:
    """How many members a broadcast to `group` (name or code) would reach now; None when no such group."""
    found = groups.find(line.r, group) if group else None
    return groups.reachable(line.r, found) if found else None


def attendance(line: Line) -> list[tuple[str, int, int]]:
    """(group, coming, reminded) over past meeting occurrences still on record."""
    now = line.now()
    totals: dict[str, list[int]] = {}
    for m in meetings.all_meetings(line.r):
        group = groups.get(line.r, m.group_id)
        name = group.name if group else "?"
        for start in _past(m, now):
            occ = meetings.epoch(start)
            asked = len(meetings.reminded(line.r, m.id, occ))
            coming = sum(1 for a in meetings.rsvps(line.r, m.id, occ).values() if str(a) == "coming")
            if asked:
                totals.setdefault(name, [0, 0])
                totals[name][0] += coming
                totals[name][1] += asked
    return [(name, c, a) for name, (c, a) in sorted(totals.items())]


def _past(meeting: Meeting, now: datetime, weeks: int = 12) -> list[datetime]:
    """Occurrences of the last few weeks (one-off meetings: the one)."""
    found = []
    for n in range(weeks * 2):
        start = meeting.occurrence(n)
        if start >= now:
            break
        if (now - start).days <= weeks * 7:
            found.append(start)
        if not meeting.every:
            break
    return found


# -- members ---------------------------------------------------------------------------------------------------------
def status_counts(line: Line) -> dict[str, int]:
    """Members by status: pending, active, opted_out."""
    every = members.all_phones(line.r)
    pipe = line.r.pipeline(transaction=False)
    for phone in every:
        pipe.hget(members.key(phone), "status")
    counts = Counter(status or "pending" for status in pipe.execute())
    return {s.value: counts.get(s.value, 0) for s in members.MemberStatus}


def member_view(line: Line, phone: str) -> dict[str, Any] | None:
    """What `textline members show` holds (each feature adds its fields through member_data)."""
    return member_data.view(line.r, phone)
