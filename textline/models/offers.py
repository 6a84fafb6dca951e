"""How many requests a peer was offered in their shift: `[peers] max_per_shift` (default 6).

A peer on a shift counts from that shift's start; a peer who went on call by text counts by the
UTC day. They may still TAKE from QUEUE beyond the limit: only the offers stop. Keys (owned here):
`tl:offers:{phone}:{shift start or day}`, a counter that expires a day after.
"""
from __future__ import annotations

from datetime import datetime

from textline.core.line import Line
from textline.models import shifts

_TTL = 2 * 86400

_OFFER = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then redis.call('DECR', KEYS[1]) return 0 end
return n
"""


def _key(line: Line, phone: str, now: datetime) -> str:
    found = shifts.current(line.r, phone, now)
    mark = found[1].start.isoformat() if found else now.date().isoformat()
    return f"tl:offers:{phone}:{mark}"


def claim(line: Line, phone: str) -> bool:
    """One more offer for `phone` in this shift, atomically; False once the limit is reached."""
    now = line.now()
    return bool(line.r.eval(_OFFER, 1, _key(line, phone, now), line.settings.peers_max_per_shift, _TTL))


def count(line: Line, phone: str) -> int:
    return int(line.r.get(_key(line, phone, line.now())) or 0)
