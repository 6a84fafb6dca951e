"""Coordinators broadcast by text: `SEND <group> <text>`, then YES once told the recipient and segment counts."""
from __future__ import annotations

from typing import Any

from flows import staff_help
from flows.outcome import Outcome, RunJob
from flows.registry import session_flow, staff_command
from flows.turn import Turn
from textline.core import gsm, jobs, queues
from textline.models import broadcasts, groups, sessions
from textline.models.groups import MAX_NAME, Group
from textline.models.sessions import Session
from textline.models.staff import Role

SEND_FLOW = "send"
#: How long a SEND waits for its YES.
CONFIRM_TTL = 600


def say(turn: Turn, key: str, **values: Any) -> Outcome:
    return Outcome.say(turn.text(f"groups.{key}", **values))


def parse(turn: Turn) -> tuple[Group | None, str, str]:
    """(group, text, what was typed as the group): by code first, else the longest group name it starts with."""
    rest = turn.inbound.rest
    words = rest.split(None, 1)
    if not words:
        return None, "", ""
    group = groups.find(turn.r, words[0])
    if group is not None:
        return group, words[1].strip() if len(words) > 1 else "", words[0]
    upper = rest.upper()
    named = [g for g in groups.all_groups(turn.r) if upper.startswith(g.name.upper() + " ")]
    if named:
        group = max(named, key=lambda g: len(g.name))
        return group, rest[len(group.name):].strip(), group.name
    return None, "", words[0]


@staff_command("SEND", roles=[Role.COORDINATOR])
def send(turn: Turn) -> Outcome:
    group, text, typed = parse(turn)
    if not typed:
        return say(turn, "send_usage")
    if group is None:
        return say(turn, "send_unknown", group=typed[:MAX_NAME])
    if not text:
        return say(turn, "send_usage")
    count = groups.reachable(turn.r, group)
    if count == 0:
        return say(turn, "send_nobody", group=group.name)
    sessions.start(turn.r, turn.phone, SEND_FLOW, "confirm", CONFIRM_TTL, {"group": group.id, "text": text})
    return say(turn, "send_confirm", members=_count(turn, "member", count), group=group.name,
               segments=_count(turn, "segment", gsm.segments(gsm.fit(text))))


@staff_command("YES", roles=[Role.COORDINATOR])
def confirm(turn: Turn) -> Outcome | None:
    """YES after a SEND starts the broadcast (fan-out on a worker); without one, YES keeps its usual meaning."""
    pending = _pending(turn)
    if pending is None:
        return None
    sessions.clear(turn.r, turn.phone)
    group = groups.get(turn.r, pending.data["group"])
    if group is None:
        return say(turn, "send_dropped")
    bid, _ = broadcasts.create(turn.r, broadcasts.Kind.ANNOUNCEMENT, group_id=group.id, at=turn.now, now=turn.now,
                               text=pending.data["text"], by=turn.staff.name if turn.staff else "")
    started = say(turn, "send_started", members=_count(turn, "member", groups.reachable(turn.r, group)),
                  group=group.name)
    started.effects.append(RunJob(queues.BROADCAST, jobs.BROADCAST_FANOUT, (bid,), job_id=broadcasts.fanout_name(bid)))
    return started


@staff_command("NO", roles=[Role.COORDINATOR])
def drop(turn: Turn) -> Outcome | None:
    if _pending(turn) is None:
        return None
    sessions.clear(turn.r, turn.phone)
    return say(turn, "send_dropped")


@session_flow(SEND_FLOW)
def anything_else(turn: Turn, session: Session) -> Outcome:
    """Anything but YES drops a pending SEND (for coordinators who are also members)."""
    sessions.clear(turn.r, turn.phone)
    return say(turn, "send_dropped")


def _count(turn: Turn, noun: str, n: int) -> str:
    """`1 member`, `2 members` (`1 miembro` ...): the catalog's counted nouns."""
    return staff_help.plural(turn.line, turn.language, f"count.{noun}", n)


def _pending(turn: Turn) -> Session | None:
    session = sessions.get(turn.r, turn.phone)
    return session if session is not None and session.flow == SEND_FLOW else None
