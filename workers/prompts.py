"""Scheduled check-in prompts: the jobs the ticker starts when a member's prompt or answer window is due.

Both take the prompt id only. A prompt is held to the end of quiet hours, never sent to an
opted-out or non-consented member, deferred while the member is mid-way through another flow,
and sent once per slot however often the job runs. Each run arms the next prompt.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from textline.core import queues, quiet
from textline.core.line import Line
from textline.core.phones import mask
from textline.models import members, prompts, sessions, voice_notices
from textline.models.outbound import Kind
from workers import runtime

log = logging.getLogger(__name__)
#: The check-in flow's session, entered by a prompt so that a bare "3" answers it.
CHECKIN_FLOW = "checkin"


def fire(prompt_id: str) -> str:
    """The RQ job: send prompt `prompt_id` if it is due and allowed; returns what happened."""
    return send_prompt(runtime.line(), prompt_id)


def close_window(prompt_id: str) -> str:
    """The RQ job: a prompt's answer window ended; an unanswered prompt counts as missed."""
    line = runtime.line()
    phone = prompts.phone_for(line.r, prompt_id)
    if phone is None:
        return "gone"
    outcome = prompts.close_window(line, phone)
    if outcome == 1 and prompts.needs_outreach(line.r, phone):
        log.info("prompt %s: member %s flagged for peer outreach", prompt_id, mask(phone))
    return {1: "missed", 0: "answered", -1: "open"}[outcome]


def send_prompt(line: Line, prompt_id: str) -> str:
    r, now = line.r, line.now()
    phone = prompts.phone_for(r, prompt_id)
    schedule = prompts.get(r, phone) if phone else None
    if phone is None or schedule is None or not schedule.active:
        return "off"
    if schedule.next_at and datetime.fromisoformat(schedule.next_at) > now:
        return "not due"  # a stale run: the schedule changed, or this slot was done and the next armed
    member = members.get(r, phone)
    if member is None:
        return "gone"
    zone = prompts.zone_of(member, line.settings)
    allowed = quiet.next_allowed(now, zone, line.settings.quiet_hours)
    if allowed > now:  # quiet hours changed since this was armed
        prompts.fire_at(line, schedule, phone, allowed)
        return "held"
    session = sessions.get(r, phone)
    if session is not None and not (session.flow == CHECKIN_FLOW and session.step == "mood"):
        later = now + timedelta(seconds=line.settings.session_timeout)
        prompts.fire_at(line, schedule, phone, quiet.next_allowed(later, zone, line.settings.quiet_hours))
        return "deferred"
    result = "skipped"
    if member.active and not members.is_opted_out(r, phone):
        slot = schedule.next_at or now.isoformat()
        if prompts.mark_sent(line, phone, slot):
            body = line.text(member.language, "checkin.prompt", discreet=member.discreet)
            voice_notices.send(line, phone, body, kind=Kind.PROMPT, queue=queues.BROADCAST,
                               dedupe=f"prompt:{prompt_id}:{slot}", ref=f"prompt:{prompt_id}")
            sessions.start(r, phone, CHECKIN_FLOW, "mood", prompts.window(line.settings), {"prompted": True})
            prompts.open_window(line, schedule)
            log.info("prompt %s sent to %s", prompt_id, mask(phone))
        result = "sent"
    prompts.arm(line, member)
    return result
