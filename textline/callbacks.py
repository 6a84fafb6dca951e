"""Peer call-back requests (the call-back feature owns this module and its keys).

Keys: `tl:callback:{id}` hash, `tl:callback:seq`, `tl:callbacks:waiting`
sorted set, `tl:member:{phone}:callback` (the member's open request id).

This first version only stores requests so that other features (a low
check-in answered YES, the voice menu) can open one; the call-back feature
builds the queue, notifications, claims and the bridge on top of it.
"""
from __future__ import annotations

from textline.line import Line

#: Why a request was opened; decides its priority.
REASONS = ("asked", "low_checkin", "crisis", "voice")


def open_request(line: Line, phone: str, *, reason: str = "asked", when: str = "now") -> int | None:
    """Open a request for `phone`; its id, or None when the member already has one open."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    r = line.r
    mine = f"tl:member:{phone}:callback"
    callback_id = int(r.incr("tl:callback:seq"))
    if not r.set(mine, callback_id, nx=True):
        return None
    pipe = r.pipeline()
    pipe.hset(f"tl:callback:{callback_id}", mapping={
        "id": str(callback_id), "phone": phone, "status": "waiting", "reason": reason, "when": when,
        "created_at": line.now().isoformat(),
    })
    pipe.zadd("tl:callbacks:waiting", {str(callback_id): line.now().timestamp()})
    pipe.execute()
    return callback_id


def open_request_id(line: Line, phone: str) -> int | None:
    value = line.r.get(f"tl:member:{phone}:callback")
    return int(value) if value else None
