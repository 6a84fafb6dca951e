"""Members and groups: JOIN <code>, LEAVE <code>, NEXT (menu item 2), and 1 / 2 answering a reminder."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from flows import consent
from flows.outcome import Outcome
from flows.registry import command, session_flow
from flows.rules import join_followup
from flows.turn import Turn
from textline.core.one_trip import OneTrip
from textline.models import groups, meetings, members, sessions
from textline.models.groups import Group
from textline.models.meetings import Answer, Meeting
from textline.models.sessions import Session

RSVP_FLOW = "rsvp"


def say(turn: Turn, key: str, **values: Any) -> Outcome:
    """A groups text in the member's language, neutral for discreet members where a variant exists."""
    return Outcome.say(turn.line.text(turn.language, f"groups.{key}", discreet=turn.discreet, **values))


def _code(turn: Turn) -> str:
    words = turn.inbound.rest.split()
    return words[0].upper()[:10] if words else ""


def _find(turn: Turn) -> Group | None:
    return groups.find(turn.r, _code(turn)) or groups.find(turn.r, turn.inbound.rest)


@command("JOIN")
def join(turn: Turn) -> Outcome:
    if not _code(turn):
        return say(turn, "join_usage")
    group = _find(turn)
    if group is None:
        return say(turn, "join_unknown", code=_code(turn))
    return _joined(turn, group)


def _joined(turn: Turn, group: Group) -> Outcome:
    if not groups.join(turn.r, group, turn.phone):
        return say(turn, "join_already", group=group.name)
    joined = say(turn, "joined", group=group.name, code=group.code)
    agreement = _agreement(turn, group)
    return joined.then(Outcome.say(agreement)) if agreement else joined


def _agreement(turn: Turn, group: Group) -> str | None:
    """The group's agreement on a first join (flows.rules)."""
    return join_followup(turn.line, turn.phone, group.code, turn.language)


def after_consent(turn: Turn, code: str | None) -> Outcome | None:
    """A first text of `JOIN <code>` (taken with the activation) joins that group once the member said YES."""
    group = groups.find(turn.r, code) if code else None
    return _joined(turn, group) if group else None


def _take_code(pipe: OneTrip, phone: str) -> Callable[[Iterator[Any]], str | None]:
    return members.take_field_queued(pipe, phone, "join_code")


consent.AFTER_CONSENT.append(consent.AfterConsent(_take_code, after_consent))


@command("LEAVE")
def leave(turn: Turn) -> Outcome:
    if not _code(turn):
        return say(turn, "leave_usage")
    group = _find(turn)
    if group is None or not groups.leave(turn.r, group, turn.phone):
        return say(turn, "leave_not_in", code=_code(turn))
    return say(turn, "left", group=group.name, code=group.code)


@command("NEXT", "2")
def next_meeting(turn: Turn) -> Outcome:
    if not groups.groups_of(turn.r, turn.phone):
        return say(turn, "no_group")
    found = next_meeting_text(turn)
    return Outcome.say(found) if found else say(turn, "next_none")


def next_meeting_text(turn: Turn) -> str | None:
    """The member's next meeting as a text; None without one (the discreet signal's ordinary reply uses it)."""
    mine = {g.id: g for g in groups.groups_of(turn.r, turn.phone)}
    found = soonest(meetings.of_groups(turn.r, list(mine)), turn.now)
    if found is None:
        return None
    start_at, meeting = found
    where = meeting.where or turn.line.text(turn.language, "groups.where_default")
    return turn.line.text(turn.language, "groups.next", discreet=turn.discreet, group=mine[meeting.group_id].name,
                          where=where, when=meetings.when_text(turn.language, meeting.local_start(start_at)))


def soonest(candidates: list[Meeting], now: datetime) -> tuple[datetime, Meeting] | None:
    """The earliest coming occurrence among meetings that are not cancelled."""
    upcoming = [(start, m) for m in candidates if not m.cancelled and (start := m.next_start(now)) is not None]
    return min(upcoming, key=lambda pair: (pair[0], pair[1].id), default=None)


@session_flow(RSVP_FLOW)
def rsvp(turn: Turn, session: Session) -> Outcome | None:
    """Right after a reminder, 1 means coming and 2 can't make it; anything else keeps its usual meaning."""
    sessions.clear(turn.r, turn.phone)
    answer = {"1": Answer.COMING, "2": Answer.NOT_COMING}.get(turn.inbound.keyword)
    meeting = meetings.get(turn.r, session.data.get("meeting", 0))
    if answer is None or meeting is None or meeting.cancelled:
        return None
    meetings.record_rsvp(turn.r, meeting, int(session.data["occ"]), turn.phone, answer)
    return say(turn, "rsvp_coming" if answer == Answer.COMING else "rsvp_not_coming")
