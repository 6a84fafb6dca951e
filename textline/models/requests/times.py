"""When a call-back may happen and how long the member may wait: the member's time, quiet hours, peers on call.

Optional settings, `[callbacks]` in the TOML file: `evening = "18:00"` and
`tomorrow = "10:00"` (local times a "this evening" / "tomorrow" request
becomes due), `call_length = "20m"` (a call, on average) and `pickup = "10m"`
(the time a free peer takes to answer a notice).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from textline.core.durations import parse_duration
from textline.core.line import Line
from textline.core.settings import QuietHours
from textline.models import members, staff
from textline.models.shifts import clock_text
from textline.models.staff import Role

DEFAULTS = {"evening": "18:00", "tomorrow": "10:00", "call_length": "20m", "pickup": "10m"}


def _option(line: Line, name: str) -> str:
    return str(line.settings.section("callbacks").get(name, DEFAULTS[name]))


def zone_of(line: Line, phone: str) -> ZoneInfo:
    member = members.get(line.r, phone)
    try:
        return ZoneInfo(member.timezone) if member and member.timezone else line.settings.zone
    except (KeyError, ValueError):
        return line.settings.zone


def out_of_quiet(local: datetime, quiet: QuietHours) -> datetime:
    """`local` itself, or the end of the quiet hours it falls in."""
    if not quiet.contains(local.time()):
        return local
    end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    return end if end > local else end + timedelta(days=1)


def in_quiet_hours(line: Line, phone: str, at: datetime) -> bool:
    return line.settings.quiet_hours.contains(at.astimezone(zone_of(line, phone)).time())


def due(line: Line, phone: str, when: str, now: datetime) -> datetime:
    """The UTC time a request may first be served: now, or the member's chosen time outside quiet hours."""
    if when == "now":
        return now
    zone = zone_of(line, phone)
    local = now.astimezone(zone)
    at = time.fromisoformat(_option(line, "evening" if when == "evening" else "tomorrow"))
    day = local.date() if when == "evening" else local.date() + timedelta(days=1)
    target = max(datetime.combine(day, at, tzinfo=zone), local)
    target = out_of_quiet(target, line.settings.quiet_hours)
    if when == "evening" and target.date() > local.date() and target.time() < at:
        target = datetime.combine(target.date(), at, tzinfo=zone)  # "this evening" said too late: the next one
    return target.astimezone(UTC)


def quiet_until(line: Line, phone: str, now: datetime) -> datetime:
    """The end of the member's quiet hours, in UTC (now when they are not in them)."""
    return out_of_quiet(now.astimezone(zone_of(line, phone)), line.settings.quiet_hours).astimezone(UTC)


def local_clock(line: Line, phone: str, at: datetime, language: str = "") -> tuple[bool, str]:
    """(is it a later day than today for the member, the time in their zone written as the rest of the
    line writes it in `language` (default: the member's): "7:00pm" in English, "19:00" in Spanish)."""
    zone = zone_of(line, phone)
    local, today = at.astimezone(zone), line.now().astimezone(zone).date()
    if not language:
        member = members.get(line.r, phone)
        language = member.language if member else "en"
    return local.date() > today, clock_text(language, local)


@dataclass(frozen=True)
class Estimate:
    peers: int
    ahead: int
    minutes: int


def estimate(line: Line, ahead: int, busy: int) -> Estimate:
    """An honest wait: a free peer's pickup time plus a call for each round of the queue ahead (`ahead`
    waiting, `busy` taken) of the peers on call."""
    peers = len(staff.on_call(line.r, Role.PEER))
    if peers == 0:
        return Estimate(0, ahead, 0)
    rounds = (ahead + busy) // peers
    seconds = parse_duration(_option(line, "pickup")) + rounds * parse_duration(_option(line, "call_length"))
    minutes = max(5, int(math.ceil(seconds / 60 / 5)) * 5)
    return Estimate(peers, ahead, minutes)


def wait_words(line: Line, language: str, minutes: int) -> str:
    """'15 min' or '2 h' (rounded up to the half hour)."""
    if minutes < 60:
        return line.text(language, "cb_minutes", n=minutes)
    hours = math.ceil(minutes / 30) / 2
    return line.text(language, "cb_hours", n=f"{hours:g}")
