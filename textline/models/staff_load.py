"""A staff member's load today, counts only (never whom or what): requests taken, crisis cases acknowledged.

Minimal read-only version for the CLI and the dashboard (issue #18, item 3): the flows that count
(TAKE, ACK, escalation) write these keys in the full version of this module.

Keys (owned here): `tl:staffload:{phone}:{yyyy-mm-dd}` hash, fields `taken` and `crisis`, for the
UTC day. Staff data, not member data: nothing here is a member's export or erase.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import redis


def key(phone: str, day: date) -> str:
    return f"tl:staffload:{phone}:{day.isoformat()}"


def today(r: redis.Redis, phone: str, day: date | None = None) -> dict[str, int]:
    """`{"taken_today": n, "crisis_today": n}` for `phone` on `day` (today, UTC, by default)."""
    counts = r.hmget(key(phone, day or datetime.now(UTC).date()), "taken", "crisis")
    return {"taken_today": int(counts[0] or 0), "crisis_today": int(counts[1] or 0)}
