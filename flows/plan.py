"""The member's safety plan: PLAN (or menu 5) shows it; PLAN EDIT walks through its four steps.

Steps: warning signs, what helps, people to contact (a name and a number,
at most two), a reason to keep going. SKIP leaves a step as it was. Each
answer is saved as soon as it is given, so a walk-through left halfway
keeps what was said. A peer's proposals (flows/plan_peer.py) are confirmed
here: YES saves the step, NO leaves it out.
"""
from __future__ import annotations

from collections.abc import Callable

from flows.inbound import normalise_keyword
from flows.outcome import Outcome
from flows.registry import command, session_flow
from flows.turn import Turn
from textline.core import phones
from textline.core.errors import InvalidNumber
from textline.core.line import Line
from textline.models import plans, sessions
from textline.models.sessions import Session

FLOW = "plan"
CONFIRM_FLOW = "plan_confirm"
SKIP_WORDS = frozenset({"SKIP", "SALTAR", "OMITIR"})
EDIT_WORDS = frozenset({"EDIT", "EDITAR", "CAMBIAR"})
YES_WORDS = frozenset({"YES", "Y", "SI", "SÍ", "1"})
NO_WORDS = frozenset({"NO", "N", "2"})
ASK = {"signs": "plan.ask_signs", "helps": "plan.ask_helps", "contacts": "plan.ask_contacts",
       "reason": "plan.ask_reason"}


def next_step(step: str) -> str | None:
    at = plans.STEPS.index(step)
    return plans.STEPS[at + 1] if at + 1 < len(plans.STEPS) else None


def region_of(turn: Turn, phone: str) -> str:
    """Numbers written without + are read as the member's own country's."""
    return phones.region_of(phone) or turn.line.settings.region


@command("PLAN", "5")
def plan_command(turn: Turn) -> Outcome | None:
    if turn.member is None:
        return None
    if normalise_keyword(turn.inbound.rest) in EDIT_WORDS:
        return start_edit(turn)
    return show(turn)


def show(turn: Turn) -> Outcome:
    plan = plans.get(turn.r, turn.phone)
    if plan.empty:
        return Outcome.say(turn.text("plan.none"))
    return Outcome.say(plans.render(turn.line, plan, turn.language, hint=True))


def start_edit(turn: Turn) -> Outcome:
    sessions.start(turn.r, turn.phone, FLOW, plans.STEPS[0], turn.line.settings.session_timeout)
    return Outcome.say(turn.text(ASK[plans.STEPS[0]]))


@session_flow(FLOW)
def edit_step(turn: Turn, session: Session) -> Outcome:
    step = session.step if session.step in plans.STEPS else plans.STEPS[0]
    skip = turn.inbound.keyword in SKIP_WORDS
    if step == "contacts":
        return _contact_step(turn, session, skip)
    if not skip:
        refused = take_answer(turn, lambda value: plans.set_answer(turn.r, turn.phone, step, value, turn.now))
        if refused:
            return refused
    return _advance(turn, step)


def take_answer(turn: Turn, keep: Callable[[str], object]) -> Outcome | None:
    """Hand the step's answer, tidied, to `keep` (nothing for an empty one); the reply instead when too long.

    The member's own walk-through stores it, a peer's (flows/plan_peer.py) proposes it to the member.
    """
    try:
        value = plans.clean(turn.inbound.text)
    except plans.TooLong as exc:
        return Outcome.say(turn.text("plan.too_long", limit=exc.limit))
    if value:
        keep(value)
    return None


def _contact_step(turn: Turn, session: Session, skip: bool) -> Outcome:
    added = int(session.data.get("added", 0))
    if not skip:
        try:
            contact = plans.parse_contact(turn.inbound.text, region_of(turn, turn.phone))
        except InvalidNumber:
            return Outcome.say(turn.text("plan.bad_contact"))
        # The first contact given in a walk-through replaces the old ones; a second joins it.
        plans.add_contact(turn.r, turn.phone, contact, turn.now, fresh=added == 0)
        added += 1
        if added < plans.MAX_CONTACTS:
            sessions.start(turn.r, turn.phone, FLOW, "contacts", turn.line.settings.session_timeout,
                           {"added": added})
            return Outcome.say(turn.text("plan.ask_more_contacts", name=contact.name))
    return _advance(turn, "contacts")


def _advance(turn: Turn, step: str) -> Outcome:
    following = next_step(step)
    if following is None:
        sessions.clear(turn.r, turn.phone)
        return Outcome.say(turn.text("plan.saved"))
    sessions.start(turn.r, turn.phone, FLOW, following, turn.line.settings.session_timeout)
    return Outcome.say(turn.text(ASK[following]))


# -- the member confirms what a peer proposed ---------------------------------------------------------------
def ask_to_confirm(line: Line, language: str, proposal: plans.Proposal) -> str:
    """What the member is asked about one proposal (the peer side sends the first one)."""
    return line.text(language, f"plan.propose_{proposal.step}", value=proposal.shown())


@session_flow(CONFIRM_FLOW)
def confirm_step(turn: Turn, session: Session) -> Outcome | None:
    current = plans.pending(turn.r, turn.phone)
    if current is None:
        sessions.clear(turn.r, turn.phone)
        return None
    word = turn.inbound.keyword
    if word not in YES_WORDS and word not in NO_WORDS:
        return Outcome.say(turn.text("plan.confirm_again"))
    accepted = word in YES_WORDS
    following = plans.settle(turn.r, turn.phone, accepted, turn.now)
    said = turn.text("plan.confirm_saved" if accepted else "plan.confirm_left_out")
    if following is None:
        sessions.clear(turn.r, turn.phone)
        return Outcome.say(said)
    sessions.start(turn.r, turn.phone, CONFIRM_FLOW, "confirm", turn.line.settings.session_timeout)
    return Outcome.say(said, ask_to_confirm(turn.line, turn.language, following))
