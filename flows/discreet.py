"""Discreet mode, for shared phones: `DISCREET ON|OFF` (`DISCRETO SI|NO`).

When on, everything the line sends unprompted (prompts, reminders, broadcasts) uses the
catalog's `key.discreet` wording, which never names mental health, crisis or check-ins.
"""
from __future__ import annotations

from flows.answers import keyword
from flows.outcome import Outcome
from flows.registry import command
from flows.turn import Turn
from textline.models import members

ON = frozenset({"ON", "YES", "SI", "Y", "S", "ACTIVAR", "ENCENDER"})
OFF = frozenset({"OFF", "NO", "N", "DESACTIVAR", "APAGAR", "QUITAR"})


@command("DISCREET", "DISCRETO", "DISCRETA")
def discreet(turn: Turn) -> Outcome:
    word = keyword(turn.inbound.rest)
    if word in ON:
        members.update(turn.r, turn.phone, discreet=True)
        return Outcome.say(turn.text("discreet.on"))
    if word in OFF:
        members.update(turn.r, turn.phone, discreet=False)
        return Outcome.say(turn.text("discreet.off"))
    return Outcome.say(turn.text("discreet.status_on" if turn.discreet else "discreet.status_off"))
