"""Is the line helping? Aggregates only, never an individual. Coordinators only.

Check-ins per week and the mood spread per group, meeting attendance,
call-back wait times, crisis acknowledgement times. A figure drawn from fewer
than `dashboard.min_group` members (or requests, or cases) is not shown, so
no chart can be read back to one person. The check-in figures read every
member, so they are kept for `dashboard.impact_cache` (default 2 minutes).

Keys (owned here): `tl:dash:impact:checkins` (the cached counts, JSON).
"""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from flask import g
from markupsafe import Markup

from textline.models import members
from textline.web.dashboard import data
from textline.web.dashboard.blueprint import bp
from textline.web.dashboard.charts import bars
from textline.web.dashboard.render import page

WEEKS = 8
CACHE = "tl:dash:impact:checkins"
NO_GROUP = "No group"
WAIT_BUCKETS = ((15 * 60, "< 15 min"), (3600, "15-60 min"), (4 * 3600, "1-4 h"), (86400, "4-24 h"), (None, "> 1 day"))
ACK_BUCKETS = ((60, "< 1 min"), (300, "1-5 min"), (900, "5-15 min"), (3600, "15-60 min"), (None, "> 1 h"))


@dataclass
class GroupCheckins:
    """One group's counts; `people` is how many members they come from (never who)."""

    people: int = 0
    weeks: Counter[str] = field(default_factory=Counter)
    moods: Counter[int] = field(default_factory=Counter)


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup
    note: str = ""


def _week(at: datetime) -> datetime:
    start = at - timedelta(days=at.weekday())
    return start.replace(hour=0, minute=0, second=0, microsecond=0)


def checkins_by_group(line: Any, now: datetime) -> dict[str, GroupCheckins]:
    """Check-ins of the last WEEKS weeks per group, read through `members show` (check-ins, groups)."""
    since = _week(now) - timedelta(weeks=WEEKS - 1)
    found: dict[str, GroupCheckins] = {}
    for phone in members.all_phones(line.r):
        view = data.member_view(line, phone) or {}
        entries = [(data.when(c.get("at")), c.get("mood")) for c in view.get("checkins") or []]
        entries = [(at, int(mood)) for at, mood in entries if at and since <= at <= now and mood]
        if not entries:
            continue
        for group in view.get("groups") or [NO_GROUP]:
            tally = found.setdefault(str(group), GroupCheckins())
            tally.people += 1
            for at, mood in entries:
                tally.weeks[_week(at).strftime("%d %b")] += 1
                tally.moods[mood] += 1
    return found


def cached_checkins(line: Any, now: datetime, ttl: float) -> dict[str, GroupCheckins]:
    """`checkins_by_group`, kept `ttl` seconds in `tl:dash:impact:checkins` (counts only): it reads every member."""
    if ttl > 0:
        kept = line.r.get(CACHE)
        if kept:
            return {name: GroupCheckins(t["people"], Counter(t["weeks"]), Counter({int(k): v for k, v in
                                                                                  t["moods"].items()}))
                    for name, t in json.loads(kept).items()}
    found = checkins_by_group(line, now)
    if ttl > 0:
        line.r.set(CACHE, json.dumps({name: {"people": t.people, "weeks": dict(t.weeks), "moods": dict(t.moods)}
                                            for name, t in found.items()}), ex=max(1, int(ttl)))
    return found


def _buckets(seconds: Iterable[float], edges: Sequence[tuple[int | None, str]]) -> list[tuple[str, float]]:
    counts: Counter[str] = Counter()
    for value in seconds:
        label = next(name for limit, name in edges if limit is None or value < limit)
        counts[label] += 1
    return [(name, counts[name]) for _, name in edges]


def _minutes(values: Sequence[float]) -> str:
    return f"median {median(values) / 60:.1f} min over {len(values)}"


@bp.get("/impact")
def impact() -> tuple[str, int]:
    line, least = g.line, g.config.min_group
    now = line.now()
    weeks = [(_week(now) - timedelta(weeks=n)).strftime("%d %b") for n in reversed(range(WEEKS))]
    groups, hidden = [], 0
    for name, tally in sorted(cached_checkins(line, now, g.config.impact_cache).items()):
        if tally.people < least:
            hidden += 1
            continue
        groups.append((name, tally.people,
                       Chart(f"Check-ins per week, {name}", bars([(w, tally.weeks[w]) for w in weeks],
                                                               title=f"Check-ins per week, {name}")),
                       Chart(f"Moods, {name}", bars([(f"mood {m}", tally.moods[m]) for m in range(1, 6)],
                                                    title=f"Moods, {name}"))))
    return page("impact.html", "Impact", least=least, groups=groups, hidden=hidden,
                attendance=_attendance(line, least), callbacks=_callback_charts(line, least),
                crisis=_crisis_chart(line, least))


def _attendance(line: Any, least: int) -> Chart | str:
    rows = data.attendance(line)
    shown = [(name, round(100 * coming / asked)) for name, coming, asked in rows if asked >= least]
    if not shown:
        return "no data yet"
    return Chart("Attendance: coming / reminded", bars(shown, title="Attendance", unit="%"))


def _callback_charts(line: Any, least: int) -> list[Chart] | str:
    rows = data.callback_rows(line)
    waits = [(c.taken_at - c.created_at).total_seconds() for c in rows if c.taken_at and c.created_at]
    done = [(c.closed_at - c.created_at).total_seconds() for c in rows
            if c.status == "done" and c.closed_at and c.created_at]
    charts = []
    if len(waits) >= least:
        charts.append(Chart("Waiting for a peer (request to TAKE)", bars(_buckets(waits, WAIT_BUCKETS),
                                                                          title="Call-back wait"), _minutes(waits)))
    if len(done) >= least:
        charts.append(Chart("Request to call done", bars(_buckets(done, WAIT_BUCKETS), title="Call-back answered"),
                            _minutes(done)))
    return charts or "no data yet"


def _crisis_chart(line: Any, least: int) -> Chart | str:
    rows = data.case_rows(line)
    times = [(c.acknowledged_at - c.opened_at).total_seconds() for c in rows if c.acknowledged_at and c.opened_at]
    if len(times) < least:
        return "no data yet"
    return Chart("Alert to acknowledgement", bars(_buckets(times, ACK_BUCKETS), title="Crisis acknowledgement"),
                 _minutes(times))
