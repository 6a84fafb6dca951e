"""Export and erase everything stored about one member, and what `members show` prints.

Keys under `tl:member:{phone}` are found by prefix (textline.models.members). A module that keeps
member data anywhere else (a group's roster, a call-back record, a case) exposes `export_member`
and `erase_member` (and `member_view` for a `members show` field), and is listed below: the whole
list in one place, so an export or an erase in any process covers every feature.

Erase leaves no key holding the member's number or words: records that others need for their audit
(a crisis case, the alerts staff received, a webhook answer that must still dedupe a retry) are kept
with the number and the words scrubbed. A number that never said YES is erased the same way once it
is older than `[retention] pending` (`expire_pending`, run by the ticker), unless a case or a request
of theirs is still open.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis

from textline.models import (
    broadcasts,
    cases,
    checkins,
    groups,
    inbound_log,
    meetings,
    member_refs,
    members,
    outbound,
    plans,
    prompts,
    reminders_personal,
    signals,
    staff_load,
    voice_notices,
)
from textline.models.requests import store as callbacks
from textline.models.requests import transcript

Exporter = Callable[[redis.Redis, str], Any]
Eraser = Callable[[redis.Redis, str], None]

#: What `export` adds beside the member's own keys, by name.
EXPORTERS: dict[str, Exporter] = {
    "messages": outbound.export_member,
    "checkins": checkins.export_member,
    "prompts": prompts.export_member,
    "plan": plans.export_member,
    "signal": signals.export_member,
    "reminders": reminders_personal.export_member,
    "callbacks": callbacks.export_member,
    "conversations": transcript.export_member,
    "groups": groups.group_names,
    "rsvps": meetings.export_member,
    "crisis_cases": cases.export_member,
    "webhook_answers": inbound_log.export_member,
    "staff_load": staff_load.export_member,
    "alerts_about": lambda r, phone: [m for c in cases.for_member(r, phone) for m in outbound.about(r, f"case:{c.id}")],
}
def erase_alerts(r: redis.Redis, phone: str) -> None:
    """The alerts and notices staff got about the member's cases: kept for the audit, without the words."""
    for case in cases.for_member(r, phone):
        outbound.scrub_about(r, f"case:{case.id}")


#: What `erase` removes or scrubs beside the member's own keys, run in this order before those go.
ERASERS: dict[str, Eraser] = {
    "messages": outbound.erase_member,
    "mentions": outbound.erase_mentions,
    "webhook_answers": inbound_log.erase_member,
    "alerts": erase_alerts,
    "prompts": prompts.erase_member,
    "signal": signals.erase_member,
    "reminders": reminders_personal.erase_member,
    "conversations": transcript.erase_member,  # before the requests go: it finds them by their records
    "callbacks": callbacks.erase_member,
    "dashboard_refs": member_refs.erase_member,
    "groups": groups.erase_member,
    "rsvps": meetings.erase_member,
    "broadcasts": broadcasts.erase_member,
    "crisis_cases": cases.erase_member,
    "staff_load": staff_load.erase_member,
}
#: Fields of `members show` beside the record itself.
VIEWS: dict[str, Exporter] = {
    "checkins": checkins.member_view,
    "prompts": prompts.member_view,
    "needs_outreach": prompts.needs_outreach,
    "callback": callbacks.member_view,
    "text_request": lambda r, phone: callbacks.member_view(r, phone, "text"),
    "contact": voice_notices.member_view,
    "groups": groups.group_names,
    "crisis_cases": cases.member_view,
}


def view(r: redis.Redis, phone: str) -> dict[str, Any] | None:
    """What `textline members show` prints: the record plus each feature's fields."""
    member = members.get(r, phone)
    if member is None:
        return None
    data: dict[str, Any] = member.as_dict()
    for name, fn in sorted(VIEWS.items()):
        data[name] = fn(r, phone)
    return data


def _dump(r: redis.Redis, key: str) -> Any:
    kind = r.type(key)
    if kind == "hash":
        return r.hgetall(key)
    if kind == "list":
        return r.lrange(key, 0, -1)
    if kind == "set":
        return sorted(r.smembers(key))
    if kind == "zset":
        return r.zrange(key, 0, -1, withscores=True)
    if kind == "string":
        return r.get(key)
    return None


def export(r: redis.Redis, phone: str) -> dict[str, Any]:
    """Everything stored about `phone`, by key and by feature."""
    data: dict[str, Any] = {"phone": phone, "opted_out": members.is_opted_out(r, phone), "keys": {}}
    for key in members.member_keys(r, phone):
        data["keys"][key] = _dump(r, key)
    for name, exporter in sorted(EXPORTERS.items()):
        data[name] = exporter(r, phone)
    return data


def erase(r: redis.Redis, phone: str) -> int:
    """Remove the member's data and history; the opt-out record stays. Returns keys removed."""
    for eraser in ERASERS.values():
        eraser(r, phone)
    keys = members.member_keys(r, phone)
    pipe = r.pipeline()
    if keys:
        pipe.delete(*keys)
    pipe.srem(members.MEMBERS, phone)
    pipe.hdel(members.INVALID, phone)
    pipe.execute()
    members.forget_pending(r, phone)
    return len(keys)


#: A number still busy is looked at again this much later.
PENDING_RECHECK = 86400.0


def _busy(r: redis.Redis, phone: str) -> bool:
    """Something of theirs is still under way: an open case, an open request."""
    return any(c.status != cases.CaseStatus.CLOSED for c in cases.for_member(r, phone)) or bool(
        callbacks.member_view(r, phone)) or bool(callbacks.member_view(r, phone, "text"))


def expire_pending(r: redis.Redis, now: float, retention: float, limit: int = 100) -> int:
    """Erase numbers that never said YES and are older than `retention` seconds; how many went."""
    gone = 0
    for phone in members.pending_since(r, now - retention, limit):
        member = members.get(r, phone)
        if member is not None and member.active:  # said YES meanwhile
            members.forget_pending(r, phone)
            continue
        if _busy(r, phone):
            members.postpone_pending(r, phone, now - retention + PENDING_RECHECK)
            continue
        erase(r, phone)
        gone += 1
    return gone
