"""Quiet hours: when an unprompted text (reminder, prompt, broadcast) may reach a member.

Replies and crisis work are never held; everything else waits until quiet hours
end in the member's own time zone.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from textline.settings import QuietHours


def zone_of(name: str | ZoneInfo | None, fallback: str = "UTC") -> ZoneInfo:
    """A ZoneInfo for `name`, or for `fallback` when it is empty or unknown."""
    if isinstance(name, ZoneInfo):
        return name
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def next_allowed(utc_dt: datetime, zone: str | ZoneInfo, quiet_hours: QuietHours) -> datetime:
    """`utc_dt` itself outside quiet hours, else the (UTC) moment they end in `zone`."""
    tz = zone_of(zone)
    local = utc_dt.astimezone(tz)
    if not quiet_hours.contains(local.time().replace(tzinfo=None)):
        return utc_dt
    day = local.date()
    if quiet_hours.start > quiet_hours.end and local.time().replace(tzinfo=None) >= quiet_hours.start:
        day += timedelta(days=1)  # an overnight window: it ends tomorrow morning
    end = datetime.combine(day, quiet_hours.end, tzinfo=tz)
    # A wall time skipped by a DST change still maps to a real instant; never earlier than asked.
    return max(end.astimezone(UTC), utc_dt)
