"""Scheduled check-in prompts by SMS: daily, weekly or off, at a local time.

`SCHEDULE` (or `HORARIO`) asks step by step; `DAILY 9am`, `WEEKLY MON 6:30pm`, `SCHEDULE OFF`
(and Spanish `DIARIO`, `SEMANAL`) say it in one message. States: CADENCE -> DAY (weekly only)
-> TIME -> done; whatever the member already said is not asked again.
"""
from __future__ import annotations

import re
from datetime import datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from flows.answers import fold, keyword
from flows.outcome import Outcome, Reply
from flows.registry import command, session_flow
from flows.turn import Turn
from textline.core import catalog
from textline.models import prompts, sessions
from textline.models.prompts import Cadence
from textline.models.sessions import Session

FLOW = "schedule"
MAX_TRIES = 3
CADENCE_WORDS = {
    "DAILY": Cadence.DAILY, "EVERYDAY": Cadence.DAILY, "DIARIO": Cadence.DAILY, "DIARIA": Cadence.DAILY,
    "WEEKLY": Cadence.WEEKLY, "SEMANAL": Cadence.WEEKLY,
    "OFF": Cadence.OFF, "NEVER": Cadence.OFF, "NONE": Cadence.OFF, "NUNCA": Cadence.OFF, "APAGAR": Cadence.OFF,
}
CADENCE_DIGITS = {"1": Cadence.DAILY, "2": Cadence.WEEKLY, "3": Cadence.OFF}
_DAY_NAMES = (
    ("MONDAY MON LUNES LUN", 0), ("TUESDAY TUE TUES MARTES MAR", 1), ("WEDNESDAY WED WEDS MIERCOLES MIE", 2),
    ("THURSDAY THU THUR THURS JUEVES JUE", 3), ("FRIDAY FRI VIERNES VIE", 4), ("SATURDAY SAT SABADO SAB", 5),
    ("SUNDAY SUN DOMINGO DOM", 6),
)
DAY_WORDS = {name: day for names, day in _DAY_NAMES for name in names.split()}
_TIME = re.compile(r"(?<![\d:])(\d{1,2})(?:[:.H](\d{2}))?\s*(A\.?M\.?|P\.?M\.?|A|P)?(?![A-Z\d:])")
_NAMED_TIMES = {"NOON": time(12), "MIDDAY": time(12), "MEDIODIA": time(12), "MIDNIGHT": time(0),
                "MEDIANOCHE": time(0)}


class Step(StrEnum):
    CADENCE = "cadence"
    DAY = "day"
    TIME = "time"


def parse_time(text: str) -> time | None:
    """A local time from "9", "9am", "6:30 pm", "18:30", "9h30", "noon", "7 de la tarde"; None when unclear."""
    plain = fold(text)
    named = {_NAMED_TIMES[w] for w in plain.split() if w in _NAMED_TIMES}
    found = _TIME.findall(plain)
    if len(found) + len(named) != 1:
        return None
    if named:
        return named.pop()
    hour, minute, suffix = int(found[0][0]), int(found[0][1] or 0), found[0][2][:1]
    if not suffix and hour < 12 and re.search(r"\b(TARDE|NOCHE|EVENING|NIGHT)\b", plain):
        suffix = "P"
    if suffix and not 1 <= hour <= 12:
        return None
    if suffix == "P" and hour < 12:
        hour += 12
    elif suffix == "A" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_day(text: str) -> int | None:
    """Monday=0 ... Sunday=6 from an English or Spanish name or abbreviation ("MONDAYS", "mié")."""
    days = set()
    for word in fold(text).split():
        day = DAY_WORDS.get(word, DAY_WORDS.get(word[:-1]) if word.endswith("S") else None)
        if day is not None:
            days.add(day)
    return days.pop() if len(days) == 1 else None


def parse_cadence(text: str) -> Cadence | None:
    found = {CADENCE_WORDS[w] for w in fold(text).split() if w in CADENCE_WORDS}
    if "EVERY DAY" in fold(text) or "CADA DIA" in fold(text):
        found.add(Cadence.DAILY)
    return found.pop() if len(found) == 1 else None


def format_time(language: str, at: time) -> str:
    """"9:30am" or "21:30", as the language's catalog says (schedule.clock)."""
    if catalog.raw(language, "schedule.clock") == "24h":
        return f"{at.hour}:{at.minute:02d}"
    hour = at.hour % 12 or 12
    return f"{hour}:{at.minute:02d}{'am' if at.hour < 12 else 'pm'}"


def format_moment(language: str, moment: datetime, zone: ZoneInfo) -> str:
    """"Tue 9:00am EST": a UTC moment as the member reads it."""
    local = moment.astimezone(zone)
    day = catalog.raw(language, "schedule.short_days").split(",")[local.weekday()]
    return f"{day} {format_time(language, local.time())} {local.tzname() or ''}".strip()


def day_name(language: str, weekday: int) -> str:
    return catalog.raw(language, "schedule.days").split(",")[weekday]


def _fill(text: str, data: dict[str, Any], at_step: Step | None) -> bool:
    """Take whatever the answer says (cadence, day, time) into `data`; False when it says nothing new."""
    word = keyword(text)
    before = dict(data)
    if at_step == Step.CADENCE and word in CADENCE_DIGITS:
        data["cadence"] = str(CADENCE_DIGITS[word])
    elif at_step == Step.DAY and word.isdigit() and 1 <= int(word) <= 7:
        data["weekday"] = int(word) - 1
    else:
        cadence = parse_cadence(text)
        if cadence is not None:
            data["cadence"] = str(cadence)
        day = parse_day(text)
        if day is not None:
            data["weekday"] = day
            data.setdefault("cadence", str(Cadence.WEEKLY))
        if not (word.isdigit() and at_step in (Step.CADENCE, Step.DAY)):  # there a digit picks a choice
            at = parse_time(text)
            if at is not None:
                data["at"] = at.strftime("%H:%M")
    return data != before


def _ask(turn: Turn, step: Step, data: dict[str, Any]) -> Outcome:
    sessions.start(turn.r, turn.phone, FLOW, step, turn.line.settings.session_timeout, data)
    if step == Step.DAY:
        return Outcome.say(turn.text("schedule.ask_day"))
    if step == Step.TIME:
        return Outcome.say(turn.text("schedule.ask_time"))
    choices = (("1", turn.text("schedule.daily")), ("2", turn.text("schedule.weekly")),
               ("3", turn.text("schedule.off_choice")))
    current = prompts.get(turn.r, turn.phone)
    if current is None or not current.active:
        return Outcome([Reply(turn.text("schedule.ask_cadence"), choices=choices)])
    return Outcome([Reply(turn.text("schedule.ask_cadence_now", current=describe(turn, current)), choices=choices)])


def describe(turn: Turn, schedule: prompts.Schedule) -> str:
    """"daily at 9:00am" in the member's language."""
    if not schedule.active or schedule.at is None:
        return turn.text("schedule.current_off")
    at = format_time(turn.language, schedule.at)
    if schedule.cadence == Cadence.WEEKLY and schedule.weekday is not None:
        return turn.text("schedule.current_weekly", day=day_name(turn.language, schedule.weekday), time=at)
    return turn.text("schedule.current_daily", time=at)


def _advance(turn: Turn, data: dict[str, Any]) -> Outcome:
    """Ask for what is still missing, or save the choice and confirm it."""
    cadence = Cadence(data["cadence"]) if data.get("cadence") else None
    if cadence is None:
        return _ask(turn, Step.CADENCE, data)
    member = turn.member
    assert member is not None  # consent runs before member commands
    if cadence == Cadence.OFF:
        sessions.clear(turn.r, turn.phone)
        prompts.set_schedule(turn.line, member, Cadence.OFF)
        return Outcome.say(turn.text("schedule.off"))
    if cadence == Cadence.WEEKLY and data.get("weekday") is None:
        return _ask(turn, Step.DAY, data)
    if not data.get("at"):
        return _ask(turn, Step.TIME, data)
    sessions.clear(turn.r, turn.phone)
    first_time = prompts.get(turn.r, turn.phone) is None
    at = time.fromisoformat(data["at"])
    weekday = data.get("weekday") if cadence == Cadence.WEEKLY else None
    saved = prompts.set_schedule(turn.line, member, cadence, at, weekday)
    zone = prompts.zone_of(member, turn.line.settings)
    first = format_moment(turn.language, datetime.fromisoformat(saved.next_at), zone) if saved.next_at else ""
    values = {"time": format_time(turn.language, at), "next": first}
    if cadence == Cadence.WEEKLY and weekday is not None:
        confirm = turn.text("schedule.weekly_set", day=day_name(turn.language, weekday), **values)
    else:
        confirm = turn.text("schedule.daily_set", **values)
    if first_time and not member.discreet:
        return Outcome.say(confirm, turn.text("schedule.shared_phone"))
    return Outcome.say(confirm)


@command("SCHEDULE", "PROMPTS", "HORARIO", "AVISOS")
def schedule(turn: Turn) -> Outcome:
    data: dict[str, Any] = {}
    _fill(turn.inbound.rest, data, None)
    return _advance(turn, data)


@command("DAILY", "DIARIO", "WEEKLY", "SEMANAL")
def cadence_now(turn: Turn) -> Outcome:
    data: dict[str, Any] = {"cadence": str(CADENCE_WORDS[fold(turn.inbound.command)])}
    _fill(turn.inbound.rest, data, None)
    return _advance(turn, data)


@session_flow(FLOW)
def step(turn: Turn, session: Session) -> Outcome:
    data = {k: v for k, v in session.data.items() if k != "tries"}
    if _fill(turn.inbound.digits or turn.inbound.text, data, Step(session.step)):
        return _advance(turn, data)
    tries = int(session.data.get("tries", 0)) + 1
    if tries >= MAX_TRIES:
        sessions.clear(turn.r, turn.phone)
        return Outcome.say(turn.text("schedule.give_up"))
    return _ask(turn, Step(session.step), {**data, "tries": tries})
