"""Staff go on and off call by texting ON or OFF; during one of their shifts, OFF skips the rest of it.

Outside a shift, ON and OFF work as they always have. During a shift (textline.models.shifts),
OFF also marks the rest of that shift skipped, so the ticker does not put them back on call, and
says when their next shift starts; ON during a shift takes a skip back and says until when.
ON also ends a rest after a crisis case, and tells a peer what already waits ("3 waiting: 1 text,
2 calls") and crisis staff the cases nobody has acknowledged.
"""
from __future__ import annotations

from flows import staff_help
from flows.outcome import Outcome
from flows.registry import staff_command
from flows.turn import Turn
from textline.models import cases, shifts, staff
from textline.models import requests as queue
from textline.models.staff import Role

#: Open cases named in one text at most.
CASES_SHOWN = 8


@staff_command("ON")
def on_call(turn: Turn) -> Outcome:
    staff.set_on_call(turn.r, turn.phone, True)
    staff.unpause(turn.r, turn.phone)
    during = shifts.unskip_current(turn.r, turn.phone, turn.now)
    if during is None:
        said = Outcome.say(turn.text("staff_on"))
    else:
        shift, occurrence = during
        until = shifts.clock_text(turn.language, occurrence.end.astimezone(shift.zone))
        said = Outcome.say(turn.text("shift.back_on", time=until))
    waiting = what_waits(turn)
    return said.then(Outcome.say(waiting)) if waiting else said


@staff_command("OFF")
def off_call(turn: Turn) -> Outcome:
    staff.set_on_call(turn.r, turn.phone, False)
    skipped = shifts.skip_current(turn.r, turn.phone, turn.now)
    if skipped is None:
        return Outcome.say(turn.text("staff_off"))
    following = shifts.next_start(turn.r, turn.phone, skipped[1].end)
    if following is None:  # the shift was removed meanwhile
        return Outcome.say(turn.text("staff_off"))
    shift, at = following
    return Outcome.say(turn.text("shift.skipped", next=shifts.when_text(turn.language, at.astimezone(shift.zone))))


def what_waits(turn: Turn) -> str:
    """For a peer, the requests waiting by kind; for crisis staff, the cases waiting for an ACK; or ''."""
    assert turn.staff is not None
    if turn.staff.role == Role.PEER:
        return waiting_summary(turn)
    return open_cases_text(turn, cases.open_ids(turn.r))


def waiting_summary(turn: Turn) -> str:
    """`3 waiting: 1 text, 2 calls. Reply QUEUE to see them.`, or '' when nothing waits."""
    kinds = {"text": 0, "call": 0}
    for request_id in queue.waiting_ids(turn.r):
        found = queue.get(turn.r, request_id)
        if found is not None:
            kind = str(getattr(found, "kind", "call"))
            kinds[kind if kind in kinds else "call"] += 1
    total = sum(kinds.values())
    if total == 0:
        return ""
    language = turn.staff.language if turn.staff else turn.language
    items = ", ".join(staff_help.plural(turn.line, language, f"waiting.{kind}", n) for kind, n in kinds.items() if n)
    return staff_help.staff_text(turn, "waiting.summary", count=total, items=items)


def open_cases_text(turn: Turn, ids: list[int]) -> str:
    """`Open crisis cases: 3, 5. Reply ACK and the case number, for example ACK 3.`, or ''."""
    if not ids:
        return ""
    shown = ", ".join(str(i) for i in ids[:CASES_SHOWN]) + (", ..." if len(ids) > CASES_SHOWN else "")
    return staff_help.staff_text(turn, "waiting.cases", items=shown, case=ids[0])
