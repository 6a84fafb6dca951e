"""The one path every inbound message takes: stages in order, the first that answers wins.

The stages, as they run (`STAGES`):

1. risk: every message from any number in any state, whatever its first word, before anything
   else (flows/crisis.py): a member's discreet signal word opens a case quietly (flows/signal.py);
   a crisis is answered at once and escalated, a concern gets the resource and a peer. Either
   answer stands alone: no flow takes the text as its answer, no command runs on it.
2. flood: a number over `inbound_rate` texts a minute is slowed (flows/flood.py).
3. conversation stop: a member's STOP ends their text conversation, the peer is told (then 4 answers).
4. compliance: carrier keywords, STOP, START, HELP, in any state (flows/compliance.py).
5. staff: commands of registered staff, ACK, TAKE, ON ... (the registry's staff commands), by SMS only.
6. peer relay: a peer's other texts go to the member of the conversation they hold (flows/relay.py).
7. plan_peer: a peer's answers while building a member's safety plan (flows/plan_peer.py), by SMS only.
8. staff help: any other text from a staff number gets their role's commands, never the member
   sign-up (flows/staff_help.py); a staff member who chose MEMBER goes on as a member.
9. member relay: a member whose conversation a peer holds has their texts relayed (flows/conversations.py).
10. language: a language chosen before consent (flows/language.py).
11. pending: a number that has not said YES has its own words kept for a peer (flows/conversations.py).
12. consent: first contact and YES (flows/consent.py).
13. session: an answer to a flow under way (the registry's session flows).
14. commands: member commands, CHECKIN, CALL, PLAN ... (the registry's commands).
15. free text: a typo'd command, an acknowledgement, else a text request for a peer (flows/conversations.py).
16. fallback: a kind pointer to the menu when no stage answered (flows/menu.py).

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
    conversations,
    crisis,
    features,  # noqa: F401  (imports every feature: each declares its commands)
    flood,
    language,
    menu,
    plan_peer,
    registry,
    relay,
    staff_help,
)
from flows.inbound import Channel, Inbound
from flows.outcome import Outcome
from flows.turn import Turn, TurnState, load
from textline.core.line import Line
from textline.core.one_trip import OneTrip
from textline.models import sessions

Stage = Callable[[Turn], Outcome | None]


def staff_stage(turn: Turn) -> Outcome | None:
    if turn.staff is None or turn.inbound.channel != Channel.SMS:  # caller ID can be forged on calls
        return None
    if staff_help.reads_as_member(turn) and registry.find_command(turn.inbound.keyword):
        return None  # MEMBER mode: words both know are the member's (PLAN, CALL ...)
    found = registry.find_staff_command(turn.inbound.command)
    if found is None or turn.staff.role not in found.roles:
        return None
    return found.handler(turn)


def session_stage(turn: Turn) -> Outcome | None:
    session = turn.session()
    if session is None:
        return None
    word = turn.inbound.keyword
    if word in registry.command_words() and not word.isdigit() \
            and not registry.is_flow_answer(session.flow, session.step, word):
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


STAGES: list[Stage] = [crisis.handle, flood.handle, conversations.stop_stage, compliance.handle, staff_stage,
                       relay.peer_relay_stage, plan_peer.peer_stage, staff_help.catch_all,
                       conversations.member_relay_stage, language.before_consent, conversations.pending_stage,
                       consent.handle, session_stage, command_stage, conversations.free_text_stage]


def handle(line: Line, inbound: Inbound, state: TurnState | None = None, later: OneTrip | None = None) -> Outcome:
    """Decide what to answer and what to do for one inbound message, from `state` (the webhook loads it
    with its dedupe claim) or from a state read here, in one round trip either way.

    The writes the stages left for the end of the turn (`Turn.later`) go on `later` when the caller
    gives it (the webhook runs them with its own, in its last round trip); else they run here."""
    if state is None:
        state = load(line, inbound, flood_rate=flood.counted_rate(line, inbound))
    trip = later if later is not None else OneTrip(line.r)
    turn = Turn.from_state(line, inbound, state, trip)
    try:
        answered = _stages(turn)
    finally:
        flood.give_back(turn)  # answered before the flood stage (a crisis): the text does not count
    if later is None:
        trip.execute()  # nothing is sent when nothing waited
    return answered


def _stages(turn: Turn) -> Outcome:
    answered: Outcome | None = None
    for stage in STAGES:
        outcome = stage(turn)
        if outcome is None:
            continue
        turn.acted()
        answered = answered.then(outcome) if answered else outcome
        if not outcome.go_on:
            return answered
    return replace(answered, go_on=False) if answered else menu.fallback(turn)
