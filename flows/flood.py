"""One number flooding the line is slowed: past `inbound_rate` texts a minute it hears one notice, then nothing.

The limit is per number and atomic in Redis (one Lua script, a GCRA on the
line's clock): `inbound_rate` texts may come at once, then one every
60 / `inbound_rate` seconds. The crisis stage runs before this one, so a
crisis message is never limited. Opting out and back in (STOP, START ...)
is always honoured, staff are never limited, and keypresses on a call are
not counted. The limiter and its keys are textline.models.inbound_rate's. A text is counted when the
turn's state is read (flows/turn.py `load`, before any stage runs); a text answered before this stage
(a crisis, a signal word) or a Twilio retry is given back (`give_back`), so neither counts.
"""
from __future__ import annotations

import logging

from flows.compliance import START_WORDS, STOP_WORDS
from flows.inbound import Channel, Inbound
from flows.outcome import Outcome
from flows.turn import Turn
from textline.core.line import Line
from textline.core.phones import mask
from textline.models import inbound_rate

log = logging.getLogger(__name__)
_NEVER_SLOWED = STOP_WORDS | START_WORDS


def counted_rate(line: Line, inbound: Inbound) -> int:
    """The rate `inbound` counts against (0: not counted): texts only, never STOP or START. Staff are
    counted too (the turn's state is read before anyone knows who sent it) but never slowed."""
    rate = line.settings.inbound_rate
    if rate <= 0 or inbound.channel != Channel.SMS or inbound.opt_out_type or inbound.keyword in _NEVER_SLOWED:
        return 0
    return rate


def give_back(turn: Turn) -> None:
    """A text counted while the turn was loaded that never reached this stage does not count."""
    counted, turn.flood_allowed = turn.flood_allowed, None
    give_back_count(turn.line, turn.inbound, counted)


def give_back_count(line: Line, inbound: Inbound, counted: bool | None) -> None:
    """Undo the count `load` made (`counted`: what it said), e.g. for a webhook retry not acted on."""
    if counted:
        inbound_rate.give_back(line.r, inbound.phone, counted_rate(line, inbound), inbound.at.timestamp())


def handle(turn: Turn) -> Outcome | None:
    """The engine stage: None while the number is under its rate."""
    inbound = turn.inbound
    rate = counted_rate(turn.line, inbound)
    if not rate or turn.staff is not None:
        return None
    allowed, turn.flood_allowed = turn.flood_allowed, None  # counted while the turn was loaded, used once
    if allowed is None:
        allowed = inbound_rate.allowed(turn.r, turn.phone, rate, turn.now.timestamp())
    if allowed:
        return None
    log.info("sms %s from %s slowed: over %d a minute", inbound.sid, mask(turn.phone), rate)
    if inbound_rate.first_notice(turn.r, turn.phone):
        return Outcome.say(turn.text("flood_notice"))
    return Outcome()
