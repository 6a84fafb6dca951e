"""What people did on the dashboard: who, when, what. Never a whole number or a message body.

Keys (owned here): `tl:audit:dashboard` list of JSON entries, newest first, capped at `CAP`.
"""
from __future__ import annotations

import json
from typing import Any

import redis

from textline.core.line import Line

KEY = "tl:audit:dashboard"
CAP = 10_000


def record(line: Line, who: str, what: str, **details: str) -> None:
    """Append one entry; `details` must already be masked (refs, last four digits)."""
    entry = {"at": line.now().isoformat(), "who": who, "what": what, **details}
    pipe = line.r.pipeline()
    pipe.lpush(KEY, json.dumps(entry))
    pipe.ltrim(KEY, 0, CAP - 1)
    pipe.execute()


def recent(r: redis.Redis, count: int = 50) -> list[dict[str, Any]]:
    return [json.loads(raw) for raw in r.lrange(KEY, 0, max(0, count - 1))]
