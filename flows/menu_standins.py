"""Stand-ins for menu items whose features are built elsewhere, better than "coming soon" on the phone.

`3` / `CALL` opens a peer call-back request through textline.callbacks' interface (reason "voice" on
a call). The call-back feature registers the same words later in FEATURES and replaces this.
"""
from __future__ import annotations

from flows.outcome import Outcome
from flows.registry import command
from flows.turn import Turn
from textline import callbacks


@command("3", "CALL")
def call_back(turn: Turn) -> Outcome:
    opened = callbacks.open_request(turn.line, turn.phone, reason="voice" if turn.voice else "asked")
    return Outcome.say(turn.text("checkin.callback_yes" if opened is not None else "checkin.callback_exists"))
