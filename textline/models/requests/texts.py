"""What peers and members are told about a call-back, from the catalog.

Peers see the member's chosen name (first word, or "a member") and the
request: never the number, and of the check-in history only "low check-in
today". Member texts honour discreet mode.
"""
from __future__ import annotations

from datetime import datetime

from textline.core import gsm
from textline.core.line import Line
from textline.models import members, staff
from textline.models.requests import times as cb_times
from textline.models.requests.store import Callback

NAME_LIMIT = 20


def short_name(name: str) -> str:
    """The first word of a chosen name, fitted to GSM-7 and at most 20 characters."""
    first = gsm.fit(name).strip().split()
    return first[0][:NAME_LIMIT] if first else ""


def member_name(line: Line, cb: Callback, language: str) -> str:
    member = members.get(line.r, cb.phone)
    return short_name(member.name if member else "") or line.text(language, "peer_a_member")


def peer_name(line: Line, phone: str) -> str:
    found = staff.get(line.r, phone)
    return short_name(found.name if found else "") or "?"


def language_of_staff(line: Line, phone: str) -> str:
    found = staff.get(line.r, phone)
    return found.language if found else "en"


def language_of_member(line: Line, phone: str) -> str:
    member = members.get(line.r, phone)
    return member.language if member else "en"


def priority_word(line: Line, cb: Callback, language: str) -> str:
    return line.text(language, f"priority_{cb.priority}")


def detail(line: Line, cb: Callback, language: str) -> str:
    """', low check-in today' when that is why the request was made today (member's time); else nothing."""
    if cb.reason != "low_checkin":
        return ""
    zone = cb_times.zone_of(line, cb.phone)
    if datetime.fromisoformat(cb.created_at).astimezone(zone).date() != line.now().astimezone(zone).date():
        return ""
    return line.text(language, "peer_low_checkin")


def to_peer(line: Line, cb: Callback, to: str, key: str, /, **values: object) -> str:
    """A catalog text for the staff member at `to` about `cb`, in their language."""
    language = language_of_staff(line, to)
    values.setdefault("name", member_name(line, cb, language))
    return line.text(language, key, id=cb.id, priority=priority_word(line, cb, language),
                     detail=detail(line, cb, language), **values)


def to_member(line: Line, cb: Callback, key: str, **values: object) -> str:
    member = members.get(line.r, cb.phone)
    language = member.language if member else "en"
    return line.text(language, key, discreet=bool(member and member.discreet), **values)


def day_and_time(line: Line, phone: str, at: datetime, language: str) -> dict[str, str]:
    later, clock = cb_times.local_clock(line, phone, at, language)
    return {"day": line.text(language, "cb_tomorrow" if later else "cb_today"), "time": clock}


def peers_in_order(line: Line, cb: Callback) -> list[staff.StaffMember]:
    """Peers to offer `cb` to: on call and available (not opted out, not resting after a crisis case),
    those who speak the member's language first, never the one who just gave it back."""
    language = language_of_member(line, cb.phone)
    now = line.now()
    peers = [p for p in staff.on_call(line.r, staff.Role.PEER)
             if p.phone != cb.released_by and staff.available(line.r, p.phone, now)]
    return sorted(peers, key=lambda p: (p.language != language, p.phone))
