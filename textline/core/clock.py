"""What time it is: the system clock, or a test clock kept in Redis.

With `TEXTLINE_TEST_CLOCK=1` every process (web, workers) reads the same
controllable time from `tl:clock`, so tests move time instead of sleeping.
"""
from __future__ import annotations

from datetime import UTC, datetime

import redis

KEY = "tl:clock"


def utcnow() -> datetime:
    return datetime.now(UTC)


def now(r: redis.Redis | None = None, enabled: bool = False) -> datetime:
    """The current UTC time; the test clock's when enabled and set."""
    if enabled and r is not None:
        value = r.get(KEY)
        if value:
            text = value.decode() if isinstance(value, bytes) else value
            return datetime.fromtimestamp(float(text), UTC)
    return utcnow()


def set_test_clock(r: redis.Redis, at: datetime) -> None:
    r.set(KEY, repr(at.timestamp()))


def clear_test_clock(r: redis.Redis) -> None:
    r.delete(KEY)
