"""Crisis staff and coordinators answer alerts by SMS: `ACK <n>` takes a case, `CLOSE <n> [note]` closes it.

`ACK` alone takes the one open case the sender was alerted about, if there is exactly one, and lists
the open cases when there are more (it never guesses). Whoever closes a case someone else
acknowledged tells that person, so nobody follows up a case that is over (or believes they still
hold one) without knowing.

After a case they acknowledged, the person rests: `[peers] pause_after_crisis` from the ACK (and
again from the close) they are offered no request and alerted only when nobody else can be, and
when the case closes they get one kind word (flows/staff_oncall.py: ON ends the rest).
"""
from __future__ import annotations

import math
import re
from datetime import timedelta

from flows import staff_oncall
from flows.outcome import Effect, Outcome, SendText
from flows.registry import staff_command
from flows.turn import Turn
from textline.core.line import Line
from textline.core.queues import CRISIS
from textline.models import case_timing, cases, staff, staff_load
from textline.models.cases import CaseStatus, Verdict
from textline.models.outbound import Kind
from textline.models.staff import Role, StaffMember

ROLES = (Role.CRISIS, Role.COORDINATOR)
_NUMBER = re.compile(r"^#?(\d{1,9})\b[\s.,:;-]*(.*)$", re.DOTALL)


def _parse(turn: Turn) -> tuple[int | None, str]:
    """The case number and the rest (the note) from `ACK 12`, `ACK #12`, `close 12 safe now`."""
    match = _NUMBER.match(turn.inbound.rest)
    if not match:
        return None, turn.inbound.rest
    return int(match.group(1)), match.group(2).strip()


@staff_command("ACK", roles=ROLES)
def acknowledge(turn: Turn) -> Outcome:
    assert turn.staff is not None
    case_id, _ = _parse(turn)
    if case_id is None:
        waiting = cases.open_ids(turn.r)
        mine = [c for c in waiting if turn.phone in cases.alerted(turn.r, c)]
        if len(mine) != 1:
            listed = staff_oncall.open_cases_text(turn, mine or waiting)
            return Outcome.say(listed or turn.text("waiting.none"))
        case_id = mine[0]
    verdict, holder = cases.ack(turn.line, case_id, turn.staff)
    if verdict == Verdict.MISSING:
        return Outcome.say(turn.text("crisis_case_unknown", case=case_id))
    if verdict == Verdict.CLOSED:
        return Outcome.say(turn.text("crisis_case_closed", case=case_id))
    if verdict == Verdict.ALREADY:
        if holder == turn.phone:
            return Outcome.say(turn.text("crisis_ack_yours", case=case_id))
        return Outcome.say(turn.text("crisis_ack_already", case=case_id, name=_name(turn, holder)))
    case = cases.get(turn.r, case_id)
    assert case is not None
    case_timing.acknowledged(turn.line, case)
    staff_load.count_crisis(turn.line, turn.phone)
    rest(turn.line, turn.phone)
    reply = turn.text("crisis_ack_done", case=case_id, name=turn.staff.name, phone=case.phone)
    return Outcome.say(reply).then(Outcome(effects=tell_others(turn.line, case_id, turn.staff, "crisis_ack_told")))


@staff_command("CLOSE", roles=ROLES)
def close(turn: Turn) -> Outcome:
    assert turn.staff is not None
    case_id, note = _parse(turn)
    if case_id is None:
        return Outcome.say(turn.text("crisis_close_usage"))
    verdict, was = cases.close(turn.line, case_id, turn.staff, note)
    if verdict == Verdict.MISSING:
        return Outcome.say(turn.text("crisis_case_unknown", case=case_id))
    if verdict == Verdict.CLOSED:
        return Outcome.say(turn.text("crisis_case_closed", case=case_id))
    outcome = Outcome.say(turn.text("crisis_close_done", case=case_id, name=turn.staff.name))
    if was == CaseStatus.OPEN:  # nobody had taken it: those alerted can stand down
        outcome = outcome.then(Outcome(effects=tell_others(turn.line, case_id, turn.staff, "crisis_close_told")))
    elif was == CaseStatus.ACKNOWLEDGED:
        outcome = outcome.then(Outcome(effects=tell_holder(turn.line, case_id, turn.staff)))
        outcome = outcome.then(Outcome(effects=look_after(turn.line, case_id)))
    return outcome


def rest(line: Line, phone: str) -> None:
    """The pause after a crisis case, from now (none when `[peers] pause_after_crisis` is 0)."""
    pause = line.settings.peers_pause_after_crisis
    if pause > 0:
        staff.pause(line.r, phone, line.now() + timedelta(seconds=pause))


def look_after(line: Line, case_id: int) -> list[Effect]:
    """The one who held a case that just closed rests again from now and gets one kind word."""
    case = cases.get(line.r, case_id)
    if case is None or not case.acknowledged_by:
        return []
    return kind_word(line, case.acknowledged_by, case_id)


def kind_word(line: Line, phone: str, case_id: int) -> list[Effect]:
    """A rest from now and one kind text (once per person and case) for whoever carried case `case_id`:
    the staffer who held it, or a peer whose conversation was escalated into it."""
    person = staff.get(line.r, phone)
    if person is None:
        return []
    rest(line, phone)
    pause = line.settings.peers_pause_after_crisis
    minutes = max(1, math.ceil(pause / 60)) if pause > 0 else 0
    key = "wellbeing.checkin" if minutes > 0 else "wellbeing.thanks"
    body = line.text(person.language, key, case=case_id, name=person.name or "", minutes=minutes)
    return [SendText(phone, body, kind=Kind.ALERT, ref=f"case:{case_id}", dedupe=f"case:{case_id}:wellbeing:{phone}")]


def _name(turn: Turn, phone: str) -> str:
    holder = staff.get(turn.r, phone)
    return holder.name if holder and holder.name else cases.staff_label(turn.r, phone)


def tell_holder(line: Line, case_id: int, by: StaffMember) -> list[Effect]:
    """The staff member who acknowledged the case hears that someone else closed it."""
    case = cases.get(line.r, case_id)
    holder = staff.get(line.r, case.acknowledged_by) if case and case.acknowledged_by else None
    if holder is None or holder.phone == by.phone:
        return []
    body = line.text(holder.language, "crisis_close_told", case=case_id, name=by.name)
    return [SendText(holder.phone, body, kind=Kind.ALERT, queue=CRISIS, ref=f"case:{case_id}",
                     dedupe=f"case:{case_id}:crisis_close_told:{holder.phone}")]


def tell_others(line: Line, case_id: int, by: StaffMember, key: str) -> list[Effect]:
    """Everyone else alerted about the case hears who took (or closed) it."""
    effects: list[Effect] = []
    for phone in cases.alerted(line.r, case_id):
        other = staff.get(line.r, phone)
        if phone == by.phone or other is None:
            continue
        body = line.text(other.language, key, case=case_id, name=by.name)
        effects.append(SendText(phone, body, kind=Kind.ALERT, queue=CRISIS, dedupe=f"case:{case_id}:{key}:{phone}",
                                ref=f"case:{case_id}"))
    return effects
