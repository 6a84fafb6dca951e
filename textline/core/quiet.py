"""Quiet hours: when an unprompted text (prompt, reminder, broadcast) may go out in a member's own zone.

Replies and crisis work are never held; only the senders of unprompted texts ask here.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from textline.core.settings import QuietHours


def _zone(zone: str | ZoneInfo) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def is_quiet(utc_dt: datetime, zone: str | ZoneInfo, quiet_hours: QuietHours) -> bool:
    """True when `utc_dt` falls inside quiet hours in `zone`."""
    return quiet_hours.contains(utc_dt.astimezone(_zone(zone)).time())


def next_allowed(utc_dt: datetime, zone: str | ZoneInfo, quiet_hours: QuietHours) -> datetime:
    """`utc_dt` itself when outside quiet hours in `zone`, else the (UTC) moment they end there.

    The end is the local wall-clock time `quiet_hours.end`, so a DST change inside the window is
    honoured; an end inside a DST gap moves forward by the gap, as the clocks do.
    """
    tz = _zone(zone)
    local = utc_dt.astimezone(tz)
    if not quiet_hours.contains(local.time()):
        return utc_dt
    day = local.date()
    wraps = quiet_hours.start > quiet_hours.end
    if wraps and local.time() >= quiet_hours.start:
        day += timedelta(days=1)
    end = datetime.combine(day, quiet_hours.end, tzinfo=tz).astimezone(UTC)
    return max(end, utc_dt)
