"""Crisis on the phone: whom the line rings at once, and what happens when nobody takes the call.

0 at any prompt (or crisis words, through the engine's crisis stage) rings every on-call crisis staff
member at once from the line's own number. When nobody is on call or nobody presses 1 in time, the
caller hears the crisis resource and `open_case_from_voice` opens and escalates a case.

MERGE (#4, crisis): `open_case_from_voice` and `answered` are the seams to textline.cases. Until they
are connected, a call nobody took opens a call-back request with reason "crisis" (the highest
priority textline.callbacks knows) and logs a warning, so the caller is never left with nothing.
"""
from __future__ import annotations

import logging

from textline import callbacks, staff
from textline.line import Line
from textline.phones import mask
from textline.staff import Role

log = logging.getLogger(__name__)


def numbers(line: Line, caller: str | None) -> list[str]:
    """On-call crisis staff to ring, the caller excluded."""
    return [person.phone for person in staff.on_call(line.r, Role.CRISIS) if person.phone != caller]


def open_case_from_voice(line: Line, phone: str | None, speech: str) -> None:
    """Nobody took a crisis call from `phone` (None: a hidden number): open and escalate its case.

    `speech` holds the words that started it ('' when the caller pressed 0). The engine's crisis
    stage may already have opened a case for those words moments ago: the connected version adds
    this call to that case rather than opening a second one.
    """
    if phone is None:
        log.warning("voice crisis from a hidden number: nobody answered, nobody to call back")
        return
    opened = callbacks.open_request(line, phone, reason="crisis")
    log.warning("voice crisis from %s: nobody answered; crisis call-back %s", mask(phone),
                opened if opened is not None else "already open")


def answered(line: Line, phone: str | None, staff_phone: str) -> None:
    """A crisis staff member took the call: for the case's audit trail once connected."""
    log.info("voice crisis from %s taken by staff %s", mask(phone), mask(staff_phone))
