"""Carrier keywords: STOP and its synonyms, START, HELP. They work in any state.

A number that opted out hears nothing more (crisis aside, which runs first)
until it opts back in.
"""
from __future__ import annotations

from flows.outcome import Outcome
from flows.turn import Turn
from textline.core.phones import guess_zone
from textline.models import members, sessions

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
        if not first or leave_it_to_twilio:
            return Outcome()
        return Outcome.say(turn.text("stop_confirm"))

    if told == "START" or (not told and (word in START_WORDS or (opted_out and word == "YES"))):
        members.opt_in(r, phone, now)
        if turn.member is None:
            members.create(r, phone, language=turn.language, timezone=_zone(turn), at=now)
            members.activate(r, phone, now)
        if leave_it_to_twilio:
            return Outcome()
        return Outcome.say(turn.text("start_confirm"))

    if told == "HELP" or (not told and word in HELP_WORDS):
        if told and leave_it_to_twilio:
            return Outcome()
        language = "es" if word == "AYUDA" and "es" in turn.line.settings.languages else turn.language
        return Outcome.say(turn.text_in(language, "help"))

    if opted_out:
        return Outcome()
    return None


def _zone(turn: Turn) -> str:
    return guess_zone(turn.phone, turn.line.settings.timezone)
