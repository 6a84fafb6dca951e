"""Crisis on the phone: whom the line rings at once, and what a crisis call leaves on its case.

0 at any prompt (or crisis words, through the engine's crisis stage) rings every on-call crisis staff
member at once from the line's own number. A staff member who takes the call acknowledges the
caller's case (one is opened for the trail if the words opened none). When nobody is on call or
nobody presses 1 in time, the caller hears the crisis resource and `open_case_from_voice` opens
the case (or adds the call to the one the words opened) and its escalation ladder runs by SMS.
"""
from __future__ import annotations

import logging

from flows import crisis_staff
from textline.core import phones
from textline.core.line import Line
from textline.core.phones import mask
from textline.models import case_timing, cases, members, staff
from textline.models.cases import Verdict
from textline.models.staff import Role
from textline.web import effects

log = logging.getLogger(__name__)


def numbers(line: Line, caller: str | None) -> list[str]:
    """On-call crisis staff to ring, the caller excluded."""
    return [person.phone for person in staff.on_call(line.r, Role.CRISIS) if person.phone != caller]


def _case(line: Line, phone: str, speech: str) -> tuple[cases.Case, bool]:
    member = members.get(line.r, phone)
    language = member.language if member else phones.default_language(phone, line.settings.languages)
    return cases.open_case(line, phone, text=speech, category=cases.CALL, term="", language=language,
                           channel="voice")


def open_case_from_voice(line: Line, phone: str | None, speech: str, *, event: str = "call",
                         what: str = "crisis call: no staff member took it") -> int | None:
    """Nobody took a crisis call from `phone` (None: a hidden number): open and escalate its case; its id.

    `speech` holds the words that started it ('' when the caller pressed 0). When those words
    opened a case moments ago (the engine's crisis stage), the call is added to that case.
    """
    if phone is None:
        log.warning("voice crisis from a hidden number: nobody answered, nobody to call back")
        return None
    case, new = _case(line, phone, speech)
    if new:
        cases.start_ladder(line, case.id)
    cases.add_event(line, case.id, event, what)
    log.warning("voice crisis from %s: nobody took the call; case %s escalates", mask(phone), case.id)
    return case.id


def hand_over(line: Line, phone: str | None, speech: str, number: str, *, nobody_on_call: bool) -> int | None:
    """A crisis call goes to the handover line: on the case's trail, and the case escalates as usual; its id."""
    why = "nobody on call" if nobody_on_call else "no staff member took it"
    return open_case_from_voice(line, phone, speech, event="handover",
                                what=f"crisis call: {why}; connected to the handover line {number}")


def handover_ended(line: Line, case_id: int | None, status: str, connected: bool) -> None:
    """The handover call ended: whether the crisis line answered, on the case's trail."""
    if case_id is None:
        log.info("voice crisis handover from a hidden number ended: %s", status)
        return
    what = "handover call ended" if connected else f"handover line did not answer ({status})"
    cases.add_event(line, case_id, "handover", what, status=status)


def answered(line: Line, phone: str | None, staff_phone: str) -> None:
    """A crisis staff member took the call: it acknowledges the caller's case, on its trail."""
    person = staff.get(line.r, staff_phone)
    if phone is None or person is None:
        log.info("voice crisis from %s taken by staff %s", mask(phone), mask(staff_phone))
        return
    case, _ = _case(line, phone, "")
    cases.add_event(line, case.id, "call", f"crisis call taken by {cases.staff_label(line.r, staff_phone)}")
    verdict, _ = cases.ack(line, case.id, person)
    if verdict == Verdict.DONE:
        taken = cases.get(line.r, case.id)
        if taken is not None:
            case_timing.acknowledged(line, taken)  # /metrics sees acknowledgements by voice, as by SMS
        effects.apply(line, crisis_staff.tell_others(line, case.id, person, "crisis_ack_told"))
    log.info("voice crisis from %s taken by staff %s: case %s", mask(phone), mask(staff_phone), case.id)
