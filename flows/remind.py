"""Personal reminders by SMS: REMIND walks through what, when and how; REMINDERS lists; REMIND STOP <n> removes.

"STOP" inside "REMIND STOP 2" is not an opt-out: a carrier keyword is the
whole message, and compliance (which runs first) still takes a bare STOP.
"""
from __future__ import annotations

import re

from flows.inbound import normalise_keyword
from flows.outcome import Outcome
from flows.registry import command, session_flow
from flows.turn import Turn
from textline.core import gsm
from textline.core.line import Line
from textline.models import reminders_personal as store
from textline.models import sessions
from textline.models.reminder_times import Repeat, Schedule, next_time, parse
from textline.models.sessions import Session

FLOW = "remind"
_ME_TO = re.compile(r"^me\s+(?:to\s+)?", re.IGNORECASE)
REMOVE_WORDS = frozenset({"STOP", "BORRAR", "QUITAR", "DELETE", "REMOVE"})
TEXT_WORDS = frozenset({"1", "TEXT", "SMS", "TEXTO", "MENSAJE"})
CALL_WORDS = frozenset({"2", "CALL", "BY CALL", "LLAMADA", "LLAMAR", "PHONE", "VOICE", "VOZ"})


def describe(line: Line, language: str, schedule: Schedule) -> str:
    """`every day at 08:00`, `every Wed at 09:00`, `on 2026-12-01 at 09:00`, in the member's language."""
    clock = schedule.at.strftime("%H:%M")
    if schedule.repeat == Repeat.DAILY:
        return line.text(language, "remind.daily", time=clock)
    if schedule.repeat == Repeat.WEEKLY:
        day = line.text(language, "remind.days").split()[schedule.weekday or 0]
        return line.text(language, "remind.weekly", day=day, time=clock)
    assert schedule.day is not None
    return line.text(language, "remind.once", date=schedule.day.isoformat(), time=clock)


def clean_what(text: str) -> str:
    """The member's words on one line in GSM-7; ValueError beyond MAX_WHAT characters."""
    fitted = gsm.fit(" ".join((text or "").split()))
    if gsm.septets(fitted) > store.MAX_WHAT:
        raise ValueError("too long")
    return fitted


@command("REMIND", "RECORDAR")
def remind(turn: Turn) -> Outcome | None:
    if turn.member is None:
        return None
    words = turn.inbound.rest.split()
    if words and normalise_keyword(words[0]) in REMOVE_WORDS:
        return _remove(turn, words[1:])
    if store.count(turn.r, turn.phone) >= store.MAX_PER_MEMBER:
        return Outcome.say(turn.text("remind.too_many", max=store.MAX_PER_MEMBER))
    if turn.inbound.rest:  # REMIND (me to) take my pills: the first answer given at once
        return _what(turn, _ME_TO.sub("", turn.inbound.rest))
    sessions.start(turn.r, turn.phone, FLOW, "what", turn.line.settings.session_timeout)
    return Outcome.say(turn.text("remind.ask_what"))


def _remove(turn: Turn, args: list[str]) -> Outcome:
    number = args[0].lstrip("#") if len(args) == 1 else ""
    if not number.isdigit() or len(number) > 6:
        return Outcome.say(turn.text("remind.usage_stop"))
    if store.remove(turn.r, turn.phone, int(number)):
        return Outcome.say(turn.text("remind.removed", n=int(number)))
    return Outcome.say(turn.text("remind.not_found", n=int(number)))


@command("REMINDERS", "RECORDATORIOS")
def list_reminders(turn: Turn) -> Outcome | None:
    if turn.member is None:
        return None
    mine = store.of_member(turn.r, turn.phone)
    if not mine:
        return Outcome.say(turn.text("remind.none"))
    call = turn.text("remind.by_call")
    lines = [turn.text("remind.header")]
    for reminder in mine:
        how = f" ({call})" if reminder.how == store.CALL else ""
        lines.append(f"{reminder.n}) {describe(turn.line, turn.language, reminder.schedule)}{how}: {reminder.what}")
    lines.append(turn.text("remind.footer"))
    return Outcome.say(*pack(lines))


def pack(lines: list[str], limit: int = gsm.GSM7_SINGLE) -> list[str]:
    """Lines joined into as few texts as possible, each within one segment."""
    texts: list[str] = []
    for line in lines:
        if texts and gsm.septets(f"{texts[-1]}\n{line}") <= limit:
            texts[-1] = f"{texts[-1]}\n{line}"
        else:
            texts.append(gsm.truncate(line, limit))
    return texts


def _what(turn: Turn, text: str) -> Outcome:
    try:
        what = clean_what(text)
    except ValueError:
        sessions.start(turn.r, turn.phone, FLOW, "what", turn.line.settings.session_timeout)
        return Outcome.say(turn.text("remind.too_long", limit=store.MAX_WHAT))
    if not what:
        return Outcome.say(turn.text("remind.ask_what"))
    sessions.start(turn.r, turn.phone, FLOW, "when", turn.line.settings.session_timeout, {"what": what})
    return Outcome.say(turn.text("remind.ask_when"))


@session_flow(FLOW, answers={"how": TEXT_WORDS | CALL_WORDS})
def remind_step(turn: Turn, session: Session) -> Outcome:
    if session.step == "when":
        return _when(turn, session)
    if session.step == "how":
        return _how(turn, session)
    return _what(turn, turn.inbound.text)


def _when(turn: Turn, session: Session) -> Outcome:
    schedule = parse(turn.inbound.text)
    if schedule is None:
        return Outcome.say(turn.text("remind.bad_when"))
    if next_time(schedule, turn.now, store.zone_of(turn.line, turn.phone)) is None:
        return Outcome.say(turn.text("remind.past"))
    data = {**session.data, **schedule.fields()}
    sessions.start(turn.r, turn.phone, FLOW, "how", turn.line.settings.session_timeout, data)
    return Outcome.say(turn.text("remind.ask_how"))


def _how(turn: Turn, session: Session) -> Outcome:
    word = turn.inbound.keyword
    if word not in TEXT_WORDS and word not in CALL_WORDS:
        return Outcome.say(turn.text("remind.ask_how"))
    schedule = Schedule.from_fields(session.data)
    due = next_time(schedule, turn.now, store.zone_of(turn.line, turn.phone))
    if due is None:  # a one-off whose time passed during the walk-through
        sessions.start(turn.r, turn.phone, FLOW, "when", turn.line.settings.session_timeout, session.data)
        return Outcome.say(turn.text("remind.past"))
    how = store.CALL if word in CALL_WORDS else store.SMS
    made = store.create(turn.line, turn.phone, str(session.data.get("what", "")), schedule, how, due)
    sessions.clear(turn.r, turn.phone)
    if made is None:
        return Outcome.say(turn.text("remind.too_many", max=store.MAX_PER_MEMBER))
    return Outcome.say(turn.text("remind.saved", n=made.n, when=describe(turn.line, turn.language, schedule)))
