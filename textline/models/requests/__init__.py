"""Peer call-back requests: a fair queue, claims only one peer wins, and the request records.

Other features open a request with `open_request(line, phone, reason=...)`
(reasons: "asked", "low_checkin", "crisis", "voice") and read a member's
open one with `open_request_id(line, phone)`. A member with an open or recent
crisis case is served first (`cases.recent_case_hint`).

Keys (owned by this package): `tl:callback:{id}` hash, `tl:callback:seq`;
sorted sets `tl:callbacks:waiting` (requests peers may take now; score =
priority band, then the time the request started waiting, so a higher
priority is always served first and then the oldest), `tl:callbacks:later`
(held for the time the member chose; score = due time), `tl:callbacks:taken`
(score = taken time), `tl:callbacks:all` (score = id); per member
`tl:member:{phone}:callback` (the open request's id) and
`tl:member:{phone}:callbacks` (all their ids). Timers named
`callback:{id}:{what}` run the jobs in `workers/callbacks.py`.

Modules: `store` (records, queue, export/erase), `moves` (status changes,
each one Lua script), `times` (due times, quiet hours, wait estimates),
`texts` (what peers and members are told), `calls` (what a missed call to the
peer tells them: a status hook).
"""
from __future__ import annotations

from textline.models.requests.moves import (
    Moved,
    done,
    hold,
    make_due,
    mark_reminded,
    record_dial,
    release,
    reschedule,
    retry,
    take,
    withdraw,
)
from textline.models.requests.store import (
    ALL,
    LATER,
    OPEN,
    PRIORITY,
    REASONS,
    TAKEN,
    WAITING,
    Callback,
    Priority,
    Status,
    When,
    ahead_of,
    all_requests,
    bridge_path,
    create,
    get,
    is_queued,
    key,
    open_request,
    open_request_id,
    ref,
    ref_id,
    taken_count,
    waiting_ids,
)

__all__ = [
    "ALL", "LATER", "OPEN", "PRIORITY", "REASONS", "TAKEN", "WAITING", "Callback", "Moved", "Priority",
    "Status", "When", "ahead_of", "all_requests", "bridge_path", "create", "done", "get", "hold", "is_queued", "key",
    "make_due", "mark_reminded", "open_request", "open_request_id", "record_dial", "ref", "ref_id", "release",
    "reschedule", "retry", "take", "taken_count", "waiting_ids", "withdraw",
]
