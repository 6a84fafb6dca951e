"""The one path every inbound message takes: stages in order, the first that answers wins.

The stages, as they run (`STAGES`):

1. risk: every message from any number in any state, whatever its first word, before anything
   else (flows/crisis.py): a member's discreet signal word opens a case quietly (flows/signal.py);
   a crisis is answered at once and escalated, a concern gets the resource and a peer. Either
   answer stands alone: no flow takes the text as its answer, no command runs on it.
2. flood: a number over `inbound_rate` texts a minute is slowed (flows/flood.py).
3. compliance: carrier keywords, STOP, START, HELP, in any state (flows/compliance.py).
4. staff: commands of registered staff, ACK, TAKE, ON ... (the registry's staff commands), by SMS only.
5. plan_peer: a peer's answers while building a member's safety plan (flows/plan_peer.py), by SMS only.
6. language: a language chosen before consent (flows/language.py).
7. consent: first contact and YES (flows/consent.py).
8. session: an answer to a flow under way (the registry's session flows).
9. commands: member commands, CHECKIN, CALL, PLAN ... (the registry's commands).
10. fallback: a kind pointer to the menu when no stage answered (flows/menu.py).

A stage returns None (not its message), or an `Outcome`: the answer, and the engine stops there.
An outcome that says `go_on` lets the stages after it answer too, after it; if none does, it
stands alone, without the fallback. The engine alone composes the stages: no stage imports it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from flows import (
    compliance,
    consent,
    crisis,
    features,  # noqa: F401  (imports every feature: each declares its commands)
    flood,
    language,
    menu,
    plan_peer,
    registry,
)
from flows.inbound import Channel, Inbound
from flows.outcome import Outcome
from flows.turn import Turn
from textline.core.line import Line
from textline.models import members, sessions, staff

Stage = Callable[[Turn], Outcome | None]


def staff_stage(turn: Turn) -> Outcome | None:
    if turn.staff is None or turn.inbound.channel != Channel.SMS:  # caller ID can be forged on calls
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


STAGES: list[Stage] = [crisis.handle, flood.handle, compliance.handle, staff_stage,
                       plan_peer.peer_stage, language.before_consent, consent.handle, session_stage, command_stage]


def handle(line: Line, inbound: Inbound) -> Outcome:
    """Decide what to answer and what to do for one inbound message."""
    turn = Turn(line, inbound, members.get(line.r, inbound.phone), staff.get(line.r, inbound.phone))
    answered: Outcome | None = None
    for stage in STAGES:
        outcome = stage(turn)
        if outcome is None:
            continue
        answered = answered.then(outcome) if answered else outcome
        if not outcome.go_on:
            return answered
    return replace(answered, go_on=False) if answered else menu.fallback(turn)
