"""Carrier keywords: STOP and its synonyms, START, HELP. They work in any state.

A number that opted out hears nothing more (crisis aside, which runs first)
until it opts back in. From a staff number the words are loud: STOP takes them
off call and tells the coordinators at once (the ladder skips them from then on,
textline.models.alerts), START tells them they are back, and HELP lists their
role's commands (flows/staff_help.py) unless they chose to text as a member.
"""
from __future__ import annotations

from flows import staff_help
from flows.outcome import Effect, Outcome, SendText
from flows.turn import Turn
from textline.core.phones import guess_zone
from textline.models import members, sessions, staff
from textline.models.outbound import Kind
from textline.models.staff import Role

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO", "AYUDA"})
#: Words no other command may use: carriers act on them.
RESERVED = STOP_WORDS | START_WORDS | HELP_WORDS | {"YES"}


def handle(turn: Turn) -> Outcome | None:
    r, phone, now = turn.r, turn.phone, turn.now
    word = turn.inbound.keyword
    told = turn.inbound.opt_out_type.upper()
    leave_it_to_twilio = turn.line.settings.twilio_opt_out
    opted_out = turn.opted_out

    if told == "STOP" or (not told and word in STOP_WORDS):
        first = members.opt_out(r, phone, now)
        sessions.clear(r, phone)
        if turn.staff is not None:
            return _staff_stop(turn, first, leave_it_to_twilio)
        if not first or leave_it_to_twilio:
            return Outcome()
        return Outcome.say(turn.text("stop_confirm"))

    if told == "START" or (not told and (word in START_WORDS or (opted_out and word == "YES"))):
        members.opt_in(r, phone, now)
        if turn.staff is not None:
            return _staff_start(turn, opted_out, leave_it_to_twilio)
        if turn.member is None:
            members.create(r, phone, language=turn.language, timezone=_zone(turn), at=now)
            members.activate(r, phone, now)
        if leave_it_to_twilio:
            return Outcome()
        return Outcome.say(turn.text("start_confirm"))

    if told == "HELP" or (not told and word in HELP_WORDS):
        spanish = word == "AYUDA" and "es" in turn.line.settings.languages
        if turn.staff is not None and not turn.staff.as_member and not opted_out:
            return Outcome(replies=staff_help.help_replies(turn, "es" if spanish else None))
        if told and leave_it_to_twilio:
            return Outcome()
        return Outcome.say(turn.text_in("es" if spanish else turn.language, "help"))

    if opted_out:
        return Outcome()
    return None


def _zone(turn: Turn) -> str:
    return guess_zone(turn.phone, turn.line.settings.timezone)


def _staff_stop(turn: Turn, first: bool, leave_it_to_twilio: bool) -> Outcome:
    """Off call, and every coordinator told at once (first STOP only); the roster shows `opted_out`."""
    assert turn.staff is not None
    staff.set_on_call(turn.r, turn.phone, False)
    if not first:
        return Outcome()
    effects = _tell_coordinators(turn, "staff_stop.told")
    if leave_it_to_twilio:
        return Outcome(effects=effects)
    return Outcome.say(staff_help.staff_text(turn, "staff_stop.confirm")).then(Outcome(effects=effects))


def _staff_start(turn: Turn, was_out: bool, leave_it_to_twilio: bool) -> Outcome:
    """Back: texts and alerts reach them again (on call once they say ON or a shift starts)."""
    assert turn.staff is not None
    effects = _tell_coordinators(turn, "staff_stop.told_start") if was_out else []
    if leave_it_to_twilio:
        return Outcome(effects=effects)
    reply = staff_help.staff_text(turn, "staff_stop.start", name=turn.staff.name or "")
    return Outcome.say(reply).then(Outcome(effects=effects))


def _tell_coordinators(turn: Turn, key: str) -> list[Effect]:
    assert turn.staff is not None
    mark = turn.inbound.sid or repr(turn.now.timestamp())
    effects: list[Effect] = []
    for coordinator in staff.with_role(turn.r, Role.COORDINATOR):
        if coordinator.phone == turn.phone or coordinator.opted_out:
            continue
        body = turn.line.text(coordinator.language, key, name=turn.staff.name or "?",
                              role=staff_help.role_word(turn.line, coordinator.language, turn.staff.role))
        effects.append(SendText(coordinator.phone, body, kind=Kind.ALERT,
                                dedupe=f"staff:{mark}:{key}:{coordinator.phone}"))
    return effects
