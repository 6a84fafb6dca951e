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
`tl:member:{phone}:callbacks` (all their ids); `tl:member:{phone}:textrequest` (the open text
request's id: a member may have one call-back and one text request open); `tl:conv:peer:{phone}`
(the text requests a peer holds). Text requests (`kind` text) share the numbering, the queue and
the moves; `tl:conv:{id}:lines` keeps their words. Timers named
`callback:{id}:{what}` run the jobs in `workers/callbacks.py`.

Modules: `store` (records, queue, export/erase), `moves` (status changes,
each one Lua script), `times` (due times, quiet hours, wait estimates),
`texts` (what peers and members are told), `transcript` (the words of a text
request, relayed both ways and kept for `[retention] conversations`), `calls` (what a missed call to the
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
    RISKS,
    TAKEN,
    WAITING,
    Callback,
    Kind,
    Priority,
    Status,
    When,
    ahead_of,
    all_requests,
    bridge_path,
    create,
    get,
    held_by,
    is_queued,
    key,
    open_request,
    open_request_id,
    raise_risk,
    ref,
    ref_id,
    schedule_notify,
    taken_count,
    waiting_ids,
)

__all__ = [
    "ALL", "LATER", "OPEN", "PRIORITY", "REASONS", "RISKS", "TAKEN", "WAITING", "Callback", "Kind", "Moved",
    "Priority", "held_by", "raise_risk", "schedule_notify",
    "Status", "When", "ahead_of", "all_requests", "bridge_path", "create", "done", "get", "hold", "is_queued", "key",
    "make_due", "mark_reminded", "open_request", "open_request_id", "record_dial", "ref", "ref_id", "release",
    "reschedule", "retry", "take", "taken_count", "waiting_ids", "withdraw",
]
