"""Staff go on and off call by texting ON or OFF."""
from __future__ import annotations

from flows.outcome import Outcome
from flows.registry import staff_command
from flows.turn import Turn
from textline.models import staff


@staff_command("ON")
def on_call(turn: Turn) -> Outcome:
    staff.set_on_call(turn.r, turn.phone, True)
    return Outcome.say(turn.text("staff_on"))


@staff_command("OFF")
def off_call(turn: Turn) -> Outcome:
    staff.set_on_call(turn.r, turn.phone, False)
    return Outcome.say(turn.text("staff_off"))
