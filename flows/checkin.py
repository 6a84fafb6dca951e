"""Check-in: mood 1-5; a low answer offers a peer call-back, a good one may add a short note.

States (the session's step): MOOD -> CALLBACK (mood 1-2) or NOTE (mood 3-5) -> done. A
scheduled prompt enters MOOD directly (workers/prompts.py), so a bare "3" answers it.
"""
from __future__ import annotations

import re
from enum import StrEnum

from flows.answers import fold, keyword, yes_no
from flows.outcome import Outcome, Reply
from flows.registry import command, session_flow
from flows.turn import Turn
from textline.models import checkins, prompts, sessions
from textline.models import requests as callbacks
from textline.models.sessions import Session

FLOW = "checkin"
MAX_TRIES = 3
SKIP_WORDS = frozenset({"SKIP", "NO", "N", "NOPE", "NO THANKS", "SALTAR", "OMITIR", "NO GRACIAS"})
_NUMBER_WORDS = {"ONE": 1, "TWO": 2, "THREE": 3, "FOUR": 4, "FIVE": 5,
                 "UNO": 1, "DOS": 2, "TRES": 3, "CUATRO": 4, "CINCO": 5}
_OUT_OF_FIVE = re.compile(r"(?<!\d)([1-5])\s*(?:/|OUT OF|OF|DE|SOBRE)\s*5(?!\d)")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[A-Z]+")
#: Number words count only in short answers ("im a three"), not inside a sentence ("no one cares").
_SHORT = 4
#: What a voice menu reads out for the mood question.
MOOD_CHOICES = tuple((str(n), str(n)) for n in checkins.MOODS)


class Step(StrEnum):
    MOOD = "mood"
    CALLBACK = "callback"
    NOTE = "note"


def parse_mood(text: str) -> int | None:
    """1-5 from what people write: "3", "three", "3/5", "im a 3", "tres"; None when unclear."""
    plain = fold(text)
    scored = set(_OUT_OF_FIVE.findall(plain))
    if len(scored) == 1:
        return int(scored.pop())
    found = {int(d) for d in _DIGITS.findall(plain) if d.isdigit() and 1 <= int(d) <= 5 and len(d) == 1}
    words = _WORD.findall(plain)
    if len(words) <= _SHORT:
        found |= {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}
    return found.pop() if len(found) == 1 else None


def _ttl(turn: Turn) -> float:
    return turn.line.settings.session_timeout


@command("1", "CHECKIN", "CHECK-IN", "ANIMO", "ÁNIMO")
def start(turn: Turn) -> Outcome:
    """Menu item 1 or CHECKIN; `CHECKIN 3` checks in at once."""
    mood = parse_mood(turn.inbound.rest) if turn.inbound.rest else None
    if mood is not None:
        return _record(turn, mood, prompted=False)
    sessions.start(turn.r, turn.phone, FLOW, Step.MOOD, _ttl(turn))
    return Outcome([Reply(turn.text("checkin.ask"), choices=MOOD_CHOICES)])


@session_flow(FLOW)
def step(turn: Turn, session: Session) -> Outcome:
    if session.step == Step.CALLBACK:
        return _callback(turn, session)
    if session.step == Step.NOTE:
        return _note(turn, session)
    return _mood(turn, session)


def _mood(turn: Turn, session: Session) -> Outcome:
    mood = parse_mood(turn.inbound.digits or turn.inbound.text)
    if mood is not None:
        return _record(turn, mood, prompted=bool(session.data.get("prompted")))
    tries = int(session.data.get("tries", 0)) + 1
    if tries >= MAX_TRIES:
        sessions.clear(turn.r, turn.phone)
        return Outcome.say(turn.text("checkin.give_up"))
    sessions.start(turn.r, turn.phone, FLOW, Step.MOOD, _ttl(turn), {**session.data, "tries": tries})
    return Outcome([Reply(turn.text("checkin.ask_again"), choices=MOOD_CHOICES)])


def _record(turn: Turn, mood: int, *, prompted: bool) -> Outcome:
    entry = checkins.record(turn.line, turn.phone, mood, prompted=prompted)
    prompts.checked_in(turn.r, turn.phone)
    if entry.low:
        if callbacks.open_request_id(turn.line, turn.phone) is not None:
            sessions.clear(turn.r, turn.phone)
            return Outcome.say(turn.text("checkin.low_open"))
        sessions.start(turn.r, turn.phone, FLOW, Step.CALLBACK, _ttl(turn), {"checkin": entry.id})
        return Outcome([Reply(turn.text("checkin.low"), choices=_yes_no_choices(turn))])
    sessions.start(turn.r, turn.phone, FLOW, Step.NOTE, _ttl(turn), {"checkin": entry.id})
    return Outcome.say(turn.text("checkin.high"))


def _yes_no_choices(turn: Turn) -> tuple[tuple[str, str], ...]:
    return (("1", turn.text("checkin.yes")), ("2", turn.text("checkin.no")))


def _callback(turn: Turn, session: Session) -> Outcome:
    answer = yes_no(turn.inbound.text) if not turn.inbound.digits else {"1": True, "2": False}.get(
        turn.inbound.digits)
    if answer is None:
        tries = int(session.data.get("tries", 0)) + 1
        if tries >= MAX_TRIES - 1:
            sessions.clear(turn.r, turn.phone)
            return Outcome.say(turn.text("checkin.callback_later"))
        sessions.start(turn.r, turn.phone, FLOW, Step.CALLBACK, _ttl(turn), {**session.data, "tries": tries})
        return Outcome([Reply(turn.text("checkin.callback_ask"), choices=_yes_no_choices(turn))])
    sessions.clear(turn.r, turn.phone)
    if not answer:
        return Outcome.say(turn.text("checkin.callback_no"))
    opened = callbacks.open_request(turn.line, turn.phone, reason="low_checkin")
    return Outcome.say(turn.text("checkin.callback_yes" if opened is not None else "checkin.callback_exists"))


def _note(turn: Turn, session: Session) -> Outcome:
    sessions.clear(turn.r, turn.phone)
    text = (turn.inbound.text or "").strip()
    if text and keyword(text) not in SKIP_WORDS:
        checkins.add_note(turn.r, turn.phone, str(session.data.get("checkin", "")), text)
    schedule = prompts.get(turn.r, turn.phone)
    return Outcome.say(turn.text("checkin.done" if schedule and schedule.active else "checkin.done_schedule"))
