"""`VOICE ON|OFF` (`VOZ SI|NO`): check-in prompts and reminders as a short phone call instead of a text.

For members who cannot read well or share a phone that texts poorly; a number that cannot take SMS at
all (Twilio error 30006) is switched to calls by the voice fallback (workers/voice_fallback.py).
"""
from __future__ import annotations

from flows.answers import keyword
from flows.outcome import Outcome
from flows.registry import command
from flows.turn import Turn
from textline.models import voice_notices
from textline.models.voice_notices import Contact

ON = frozenset({"ON", "YES", "SI", "Y", "S", "CALL", "CALLS", "LLAMADA", "ACTIVAR"})
OFF = frozenset({"OFF", "NO", "N", "TEXT", "TEXTS", "TEXTO", "DESACTIVAR"})


@command("VOICE", "VOZ")
def voice(turn: Turn) -> Outcome:
    word = keyword(turn.inbound.rest)
    if word in ON:
        voice_notices.set_contact(turn.r, turn.phone, Contact.CALL, why="chosen", at=turn.now)
        return Outcome.say(turn.text("contact.call"))
    if word in OFF:
        voice_notices.set_contact(turn.r, turn.phone, Contact.TEXT, why="chosen", at=turn.now)
        return Outcome.say(turn.text("contact.text"))
    by_call = voice_notices.contact(turn.r, turn.phone) == Contact.CALL
    return Outcome.say(turn.text("contact.status_call" if by_call else "contact.status_text"))
