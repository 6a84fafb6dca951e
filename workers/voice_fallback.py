"""The voice fallback: a prompt or reminder Twilio could not deliver as SMS (30006) is read by a short call.

The job takes the message id only. It calls once per message (the call's record is keyed by it), never
an opted-out or non-consented member, waits out quiet hours, lets a text that has grown stale go, and
records that the number takes calls, so its next prompts and reminders are calls from the start.
"""
from __future__ import annotations

import logging
from datetime import datetime

from textline.core import jobs, queues, quiet, timers
from textline.core.line import Line
from textline.core.phones import mask
from textline.models import members, outbound, prompts, voice_notices
from textline.models.voice_notices import Contact
from workers import runtime

log = logging.getLogger(__name__)
#: A text older than this is not worth a call (its meeting or its check-in moment has passed).
STALE = 12 * 3600.0


def call_for(msg_id: str) -> str:
    """The RQ job: call instead of text `msg_id`; returns what happened."""
    return fall_back(runtime.line(), msg_id)


def fall_back(line: Line, msg_id: str) -> str:
    r, now = line.r, line.now()
    message = outbound.get(r, msg_id)
    if message is None:
        return "gone"
    member = members.get(r, message.to)
    if member is None or not member.active or members.is_opted_out(r, message.to):
        return "skipped"
    if voice_notices.contact(r, message.to) != Contact.CALL:
        voice_notices.set_contact(r, message.to, Contact.CALL, why="landline", at=now)
        log.info("member %s cannot take texts (30006): prompts and reminders come as calls", mask(message.to))
    created = datetime.fromisoformat(message.created_at) if message.created_at else now
    if (now - created).total_seconds() > STALE:
        return "stale"
    allowed = quiet.next_allowed(now, prompts.zone_of(member, line.settings), line.settings.quiet_hours)
    if allowed > now:
        timers.schedule(r, f"voicefb:{msg_id}", allowed, queues.CALLS, jobs.VOICE_FALLBACK, msg_id)
        return "held"
    call_id = voice_notices.call(line, msg_id)
    log.info("message %s to %s: read by call %s", msg_id, mask(message.to), call_id or "(placed before)")
    return "called" if call_id else "already"
