"""What a dashboard action did, said for the web: read back from the records after the staff command ran.

The staff command's own reply is written for a phone ("Reply CLOSE 3 ..."); a page has buttons, so
the flash says what happened and what to do next on the page, from the case or call-back as it now
stands. No number, masked or not, appears in these words: people are named, or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass

from textline.core.line import Line
from textline.models import cases, staff
from textline.models import requests as callbacks
from textline.models.cases import CaseStatus
from textline.models.requests import Status


@dataclass(frozen=True)
class Said:
    """One flash: `ok` decides its colour."""

    ok: bool
    text: str


def _name(line: Line, phone: str) -> str:
    person = staff.get(line.r, phone) if phone else None
    return person.name if person and person.name else "another staff member"


def case_move(line: Line, me: str, verb: str, case_id: int) -> Said:
    """After ACK or CLOSE of case `case_id` by staff number `me`."""
    case = cases.get(line.r, case_id)
    if case is None:
        return Said(False, f"There is no case {case_id}.")
    if verb == "close":
        if case.status == CaseStatus.CLOSED:
            return Said(True, f"Case {case_id} is closed.")
        return Said(False, f"Case {case_id} is still {case.status}: acknowledge it first, then close it.")
    if case.status == CaseStatus.CLOSED:
        return Said(False, f"Case {case_id} is already closed.")
    if case.acknowledged_by == me:
        return Said(True, f"You acknowledged case {case_id}; the other staff alerted are told. "
                          "Close it here with a note once the person is safe.")
    if case.acknowledged_by:
        return Said(False, f"Case {case_id} was already acknowledged by {_name(line, case.acknowledged_by)}.")
    return Said(False, f"Case {case_id} was not acknowledged. Reload the page to see where it stands.")


def callback_move(line: Line, me: str, verb: str, callback_id: int) -> Said:
    """After TAKE, DONE or RELEASE of call-back `callback_id` by staff number `me`."""
    found = callbacks.get(line.r, callback_id)
    if found is None:
        return Said(False, f"There is no call-back {callback_id}.")
    label = f"Call-back {callback_id}"
    if found.status in (Status.DONE, Status.WITHDRAWN):
        if verb == "done" and found.status == Status.DONE and found.taken_by == me:
            return Said(True, f"{label} is done. Thank you.")
        return Said(False, f"{label} is no longer open ({found.status}).")
    if found.status == Status.TAKEN and found.taken_by != me:
        return Said(False, f"{label} was taken by {_name(line, found.taken_by)}.")
    if verb == "take" and found.status == Status.TAKEN:
        return Said(True, f"{label} is yours. The line calls your phone now: answer and press 1 to be connected "
                          "(neither of you sees the other's number).")
    if verb == "release" and found.status == Status.WAITING:
        return Said(True, f"{label} is back in the queue for another peer.")
    if verb == "take" and line.r.zscore(callbacks.LATER, str(callback_id)) is not None:
        return Said(False, f"{label} is scheduled for later: it can be taken when its time comes.")
    return Said(False, f"{label} did not change. Reload the page to see where it stands.")
