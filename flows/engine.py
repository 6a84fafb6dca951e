"""The one path every inbound message takes: stages in order, the first that answers wins.

crisis (added by the crisis feature) -> flood limit -> compliance keywords -> staff commands
-> consent -> a session mid-flow -> member commands -> a kind fallback.
"""
from __future__ import annotations

from collections.abc import Callable

from flows import compliance, consent, crisis, flood, language, menu, plan_peer, registry, signal
from flows.inbound import Inbound
from flows.outcome import Outcome
from flows.turn import Turn
from textline.core.line import Line
from textline.models import members, sessions, staff

Stage = Callable[[Turn], Outcome | None]


def staff_stage(turn: Turn) -> Outcome | None:
    if turn.staff is None:
        return None
    found = registry.find_staff_command(turn.inbound.command)
    if found is None or turn.staff.role not in found.roles:
        return None
    return found.handler(turn)


def session_stage(turn: Turn) -> Outcome | None:
    session = sessions.get(turn.r, turn.phone)
    if session is None:
        return None
    word = turn.inbound.keyword
    if word in registry.command_words() and not word.isdigit():
        sessions.clear(turn.r, turn.phone)  # a command word leaves the flow
        return None
    step = registry.find_step(session.flow)
    if step is None:
        sessions.clear(turn.r, turn.phone)
        return None
    return step(turn, session)


def command_stage(turn: Turn) -> Outcome | None:
    handler = registry.find_command(turn.inbound.keyword) or registry.find_command(turn.inbound.command)
    return handler(turn) if handler else None


STAGES: list[Stage] = [signal.signal_stage, crisis.handle, flood.handle, compliance.handle, staff_stage,
                       plan_peer.peer_stage, language.before_consent, consent.handle, session_stage, command_stage]


def handle(line: Line, inbound: Inbound) -> Outcome:
    """Decide what to answer and what to do for one inbound message."""
    registry.load()
    turn = Turn(line, inbound, members.get(line.r, inbound.phone), staff.get(line.r, inbound.phone))
    for stage in STAGES:
        outcome = stage(turn)
        if outcome is not None:
            return outcome
    return menu.fallback(turn)
