"""What the dashboard reads from each feature, in one place, as small view records.

Pages render these records only. Each feature is reached through the one
function named after it here (`case_rows`, `callback_rows`, `group_rows`,
`meeting_rows`, `broadcast_rows`, `attendance`); a feature that is not
installed on the line answers None and its page says so. The records carry
no whole phone number: a member is shown by name or last four digits and
linked by an opaque reference (textline.models.member_refs).
"""
from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

from textline.core import phones
from textline.core.line import Line
from textline.models import member_data, member_refs, members, staff


def feature(name: str, *needs: str) -> ModuleType | None:
    """The feature's module when it is installed and has what the dashboard calls, else None."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise
    return module if all(hasattr(module, attr) for attr in needs) else None


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


def _first(events: tuple[Event, ...], *prefixes: str) -> datetime | None:
    found = [e.at for e in events if e.at and e.what.lower().startswith(prefixes)]
    return found[0] if found else None


def _case(line: Line, row: dict[str, Any], alerted: list[str], refs: dict[str, str]) -> CaseRow:
    """One `textline cases --json` object (SPEC fields, plus times when the store gives them)."""
    events = tuple(Event(when(e.get("at")), phones.mask_numbers(str(e.get("what", "")))) for e in row.get("events", []))
    by = row.get("acknowledged_by_name") or staff_name(line, row.get("acknowledged_by") or "")
    return CaseRow(
        id=int(row["id"]), member=who(line, row.get("phone", ""), refs), status=str(row.get("status", "open")),
        level=int(row.get("level") or 0),
        opened_at=when(row.get("opened_at")) or (events[0].at if events else None),
        acknowledged_by=by, acknowledged_at=when(row.get("acknowledged_at")) or _first(events, "acknowledged"),
        closed_at=when(row.get("closed_at")) or _first(events, "closed"),
        alerted=tuple(staff_name(line, p) for p in alerted), events=events,
    )


def case_rows(line: Line) -> list[CaseRow] | None:
    """Every crisis case, newest first. Wired to textline.models.cases (#4)."""
    cases = feature("textline.models.cases", "all_cases", "events")
    if cases is None:
        return None
    found = list(cases.all_cases(line.r))
    refs = member_refs.refs_for(line.r, [c.phone for c in found])
    rows = [_case(line, c.as_dict(cases.events(line.r, c.id)), _alerted(cases, line, c.id), refs) for c in found]
    return sorted(rows, key=lambda c: c.id, reverse=True)


def case_row(line: Line, case_id: int) -> CaseRow | None:
    cases = feature("textline.models.cases", "get", "events")
    if cases is None:
        return None
    found = cases.get(line.r, case_id)
    if found is None:
        return None
    return _case(line, found.as_dict(cases.events(line.r, case_id)), _alerted(cases, line, case_id), {})


def _alerted(cases: ModuleType, line: Line, case_id: int) -> list[str]:
    return list(cases.alerted(line.r, case_id)) if hasattr(cases, "alerted") else []


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


def callback_rows(line: Line) -> list[CallbackRow] | None:
    """Every call-back request: waiting ones in the order peers are served, then the rest, newest first.

    Wired to textline.models.requests (#5); the stub store of the foundation has no listing yet.
    """
    callbacks = feature("textline.models.requests", "all_requests")
    if callbacks is None:
        return None
    found = [cb.as_dict() for cb in callbacks.all_requests(line.r)]
    refs = member_refs.refs_for(line.r, [row["phone"] for row in found])
    rows = [CallbackRow(
        id=int(row["id"]), member=who(line, row["phone"], refs), status=str(row["status"]),
        priority=str(row.get("priority") or ""), reason=str(row.get("reason") or ""),
        created_at=when(row.get("created_at")), taken_by_phone=row.get("taken_by") or "",
        taken_by=staff_name(line, row.get("taken_by") or ""), taken_at=when(row.get("taken_at")),
        closed_at=when(row.get("closed_at")), outcome=str(row.get("last_dial") or ""),
        note=str(row.get("note") or ""),
    ) for row in found]
    waiting = [r for r in rows if r.status == "waiting"]
    rest = sorted((r for r in rows if r.status != "waiting"), key=lambda r: r.id, reverse=True)
    return waiting + rest


# -- groups, meetings, broadcasts -----------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupRow:
    id: int
    name: str
    code: str
    timezone: str
    members: int
    reachable: int


def group_rows(line: Line) -> list[GroupRow] | None:
    """Every group with its join code and roster size. Wired to textline.models.groups (#6)."""
    groups = feature("textline.models.groups", "all_groups", "size")
    if groups is None:
        return None
    reach = getattr(groups, "reachable", groups.size)
    return [GroupRow(id=int(g.id), name=g.name, code=g.code, timezone=g.timezone, members=int(groups.size(line.r, g)),
                     reachable=int(reach(line.r, g))) for g in groups.all_groups(line.r)]


def group_roster(line: Line, code: str) -> set[str] | None:
    """Phones on one group's roster (for filtering the member list); None when unknown."""
    groups = feature("textline.models.groups", "find", "roster")
    found = groups.find(line.r, code) if groups else None
    return set(groups.roster(line.r, found)) if groups and found else None


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


def meeting_rows(line: Line) -> list[MeetingRow] | None:
    """Upcoming meetings (cancelled ones too), next occurrence first, with its RSVPs."""
    meetings = feature("textline.models.meetings", "all_meetings", "rsvps", "epoch")
    groups = feature("textline.models.groups", "get")
    if meetings is None or groups is None:
        return None
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
            reminded = len(meetings.reminded(line.r, m.id, occ)) if hasattr(meetings, "reminded") else 0
        group = groups.get(line.r, _group_id(m))
        rows.append(MeetingRow(id=int(m.id), group=group.name if group else "?", starts=start,
                               every=str(getattr(m, "every", "") or ""), where=str(getattr(m, "where", "") or ""),
                               cancelled=bool(m.cancelled), coming=answers["coming"], not_coming=answers["not_coming"],
                               reminded=reminded))
    return sorted(rows, key=lambda r: (r.cancelled, r.starts or now))


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


def broadcast_rows(line: Line, limit: int = 20) -> list[BroadcastRow] | None:
    """Recent broadcasts with their progress. Wired to textline.models.broadcasts (#6)."""
    broadcasts = feature("textline.models.broadcasts", "recent")
    if broadcasts is None:
        return None
    groups = feature("textline.models.groups", "get")
    rows = []
    for b in broadcasts.recent(line.r, limit):
        group = groups.get(line.r, _group_id(b)) if groups and _group_id(b) else None
        counts = {str(k): int(v or 0) for k, v in dict(getattr(b, "counts", {})).items()}
        rows.append(BroadcastRow(
            id=int(b.id), kind=str(getattr(b, "kind", "")), group=group.name if group else "",
            status=str(b.status), text=str(b.text or "")[:80],
            created_at=when(getattr(b, "created_at", "")), send_at=when(getattr(b, "at", None) or None),
            total=int(getattr(b, "total", 0) or 0), sent=counts.get("sent", 0), failed=counts.get("failed", 0),
            held=counts.get("held", 0), skipped=sum(v for k, v in counts.items() if k.startswith("skipped")),
        ))
    return rows


def recipients(line: Line, group: str) -> int | None:
    """How many members a broadcast to `group` (name or code) would reach now; None when unknown."""
    groups = feature("textline.models.groups", "find")
    found = groups.find(line.r, group) if groups and group else None
    if groups is None or found is None:
        return None
    count = getattr(groups, "reachable", None) or groups.size
    return int(count(line.r, found))


def attendance(line: Line) -> list[tuple[str, int, int]] | None:
    """(group, coming, reminded) over past meeting occurrences still on record."""
    meetings = feature("textline.models.meetings", "all_meetings", "rsvps", "reminded", "epoch")
    groups = feature("textline.models.groups", "get")
    if meetings is None or groups is None:
        return None
    now = line.now()
    totals: dict[str, list[int]] = {}
    for m in meetings.all_meetings(line.r):
        group = groups.get(line.r, _group_id(m))
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


def _group_id(record: Any) -> Any:
    return getattr(record, "group_id", None) or getattr(record, "group", None)


def _past(meeting: Any, now: datetime, weeks: int = 12) -> list[datetime]:
    """Occurrences of the last few weeks (one-off meetings: the one)."""
    found = []
    for n in range(weeks * 2):
        try:
            start = meeting.occurrence(n)
        except (IndexError, ValueError):
            break
        if start >= now:
            break
        if (now - start).days <= weeks * 7:
            found.append(start)
        if not getattr(meeting, "every", ""):
            break
    return found


# -- members (foundation stores, available now) -----------------------------------------------------------------
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
