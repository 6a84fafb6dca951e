"""A peer builds a safety plan with the member of a call-back they took: `PLAN <n>`, then one text per step.

Each answer is proposed to the member, who confirms it on their phone
(flows/plan.py): nothing reaches the plan without their YES. The peer's
answers arrive while a `plan_peer` session is open on the peer's number;
`peer_stage` (after the staff commands in engine.STAGES) routes them here,
because staff are not members and never reach the member session stage.
"""
from __future__ import annotations

import json
from dataclasses import asdict

import redis

from flows.inbound import Channel
from flows.outcome import Effect, Outcome, Reply, SendText
from flows.plan import CONFIRM_FLOW, SKIP_WORDS, ask_to_confirm, next_step, take_answer
from flows.registry import staff_command
from flows.turn import Turn
from textline.core import phones
from textline.core.errors import InvalidNumber
from textline.models import members, plans, sessions
from textline.models import requests as callbacks
from textline.models.outbound import Kind
from textline.models.sessions import Session
from textline.models.staff import Role

FLOW = "plan_peer"
PEER_ASK = {"helps": "plan.peer_ask_helps", "contacts": "plan.peer_ask_contacts", "reason": "plan.peer_ask_reason"}


def callback_member(r: redis.Redis, callback_id: int, peer: str) -> tuple[str | None, str]:
    """The member of call-back `callback_id` when `peer` has taken it: (phone, "") or (None, catalog key why not)."""
    cb = callbacks.get(r, callback_id)
    if cb is None:
        return None, "plan.peer_unknown"
    if cb.status != callbacks.Status.TAKEN or cb.taken_by != peer:
        return None, "plan.peer_not_yours"
    return cb.phone, ""


@staff_command("PLAN", roles=[Role.PEER])
def start(turn: Turn) -> Outcome:
    number = turn.inbound.rest.strip().lstrip("#")
    if not number.isdigit() or len(number) > 9:
        return Outcome.say(turn.text("plan.peer_usage"))
    member, problem = callback_member(turn.r, int(number), turn.phone)
    if member is None:
        return Outcome.say(turn.text(problem, n=number))
    sessions.start(turn.r, turn.phone, FLOW, plans.STEPS[0], turn.line.settings.session_timeout,
                   {"callback": int(number), "added": 0})
    return Outcome.say(turn.text("plan.peer_start", n=number))


def peer_stage(turn: Turn) -> Outcome | None:
    """Engine stage: a peer's answer while they build a plan (by SMS only: caller ID can be forged on calls)."""
    if turn.staff is None or turn.inbound.channel != Channel.SMS:
        return None
    session = sessions.get(turn.r, turn.phone)
    if session is None or session.flow != FLOW:
        return None
    return peer_step(turn, session)


def peer_step(turn: Turn, session: Session) -> Outcome:
    callback_id = int(session.data.get("callback", 0))
    member, problem = callback_member(turn.r, callback_id, turn.phone)
    if member is None:  # released or done meanwhile
        sessions.clear(turn.r, turn.phone)
        return Outcome.say(turn.text(problem, n=callback_id))
    step = session.step if session.step in plans.STEPS else plans.STEPS[0]
    data = dict(session.data)
    effects: list[Effect] = []
    if turn.inbound.keyword not in SKIP_WORDS:
        if step == "contacts":
            try:
                contact = plans.parse_contact(turn.inbound.text, phones.region_of(member) or turn.line.settings.region)
            except InvalidNumber:
                return Outcome.say(turn.text("plan.bad_contact"))
            added = int(data.get("added", 0))
            effects += _propose(turn, member, plans.Proposal("contacts", json.dumps(asdict(contact)), added == 0))
            data["added"] = added + 1
            if data["added"] < plans.MAX_CONTACTS:
                sessions.start(turn.r, turn.phone, FLOW, step, turn.line.settings.session_timeout, data)
                return Outcome([Reply(turn.text("plan.peer_more_contacts", contact=contact.shown(masked=True)))],
                               effects)
        else:
            refused = take_answer(turn, lambda value: effects.extend(_propose(turn, member,
                                                                                plans.Proposal(step, value))))
            if refused:
                return refused
    following = next_step(step)
    if following is None:
        sessions.clear(turn.r, turn.phone)
        return Outcome([Reply(turn.text("plan.peer_done"))], effects)
    sessions.start(turn.r, turn.phone, FLOW, following, turn.line.settings.session_timeout, data)
    return Outcome([Reply(turn.text(PEER_ASK[following]))], effects)


def _propose(turn: Turn, member: str, proposal: plans.Proposal) -> list[Effect]:
    """Queue the step for the member; ask them now unless they are still answering an earlier one."""
    first = plans.propose(turn.r, member, proposal)
    asking = sessions.get(turn.r, member)
    if not first and asking is not None and asking.flow == CONFIRM_FLOW:
        return []
    # First in line, or the member left the confirmation (MENU, expiry): ask about the oldest one again.
    head = plans.pending(turn.r, member) or proposal
    record = members.get(turn.r, member)
    language = record.language if record else turn.line.settings.languages[0]
    sessions.start(turn.r, member, CONFIRM_FLOW, "confirm", turn.line.settings.session_timeout)
    return [SendText(member, ask_to_confirm(turn.line, language, head), kind=Kind.REPLY)]
