"""Staff go on and off call by texting ON or OFF; during one of their shifts, OFF skips the rest of it.

Outside a shift, ON and OFF work as they always have. During a shift (textline.models.shifts),
OFF also marks the rest of that shift skipped, so the ticker does not put them back on call, and
says when their next shift starts; ON during a shift takes a skip back and says until when.
"""
from __future__ import annotations

from flows.outcome import Outcome
from flows.registry import staff_command
from flows.turn import Turn
from textline.models import shifts, staff


@staff_command("ON")
def on_call(turn: Turn) -> Outcome:
    staff.set_on_call(turn.r, turn.phone, True)
    during = shifts.unskip_current(turn.r, turn.phone, turn.now)
    if during is None:
        return Outcome.say(turn.text("staff_on"))
    shift, occurrence = during
    until = shifts.clock_text(turn.language, occurrence.end.astimezone(shift.zone))
    return Outcome.say(turn.text("shift.back_on", time=until))


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
