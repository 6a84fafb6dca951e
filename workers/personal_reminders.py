"""The personal reminder job: send one reminder when it falls due, then schedule its next time.

The member chose the time, so a reminder on time goes out even inside quiet
hours; one that is late (the line was down) or whose time the member did not
choose (a date alone) waits for quiet hours to end in the member's zone. A
late one says which time it was for; a repeating one more than STALE late is
skipped (its next time is near), a one-off is still sent. Occurrences missed
while nothing ran collapse into one. Opted-out, pending or erased members
get nothing (and `deliver` checks again).
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from textline.core import queues, quiet
from textline.core.line import Line
from textline.models import members, voice_notices
from textline.models import reminders_personal as store
from textline.models.outbound import Kind
from textline.models.reminder_times import latest_due
from workers import runtime

log = logging.getLogger(__name__)

#: Seconds after its time a reminder still counts as "at the time the member chose".
GRACE = 600.0
#: Seconds late after which a repeating reminder is skipped rather than sent.
STALE = 12 * 3600.0
#: A job killed mid-way fires again after this long (the send itself is deduplicated).
WATCH = 120.0


def fire(reminder_id: str) -> str:
    """The RQ job (ids only): what happened, kept briefly as the job's result."""
    return fire_now(runtime.line(), reminder_id)


def fire_now(line: Line, reminder_id: str) -> str:
    r = line.r
    reminder = store.get(r, reminder_id)
    if reminder is None or reminder.due is None:
        return "gone"
    now = line.now()
    due = datetime.fromtimestamp(reminder.due, UTC)
    if now < due:  # fired ahead of its time (the clock moved back): wait again
        store.reschedule(r, reminder_id, due)
        return "early"
    zone = store.zone_of(line, reminder.phone)
    due, following = latest_due(reminder.schedule, due, now, zone)
    store.watch(r, reminder_id, now + timedelta(seconds=WATCH))
    late = (now - due).total_seconds()
    if late > GRACE or not reminder.schedule.chosen:
        allowed = quiet.next_allowed(now, zone, line.settings.quiet_hours)
        stale = following is not None and (allowed - due).total_seconds() > STALE
        if stale and following is not None:
            store.reschedule(r, reminder_id, following)
            log.info("personal reminder %s skipped: too late", reminder_id)
            return "missed"
        if allowed > now:
            store.reschedule(r, reminder_id, due, at=allowed)
            log.info("personal reminder %s held until quiet hours end", reminder_id)
            return "held"
    result = _send(line, reminder, due, late=late > GRACE and reminder.schedule.chosen, zone=zone)
    if following is None:
        store.finish(r, reminder)
    else:
        store.reschedule(r, reminder_id, following)
    log.info("personal reminder %s: %s", reminder_id, result)
    return result


def _send(line: Line, reminder: store.Reminder, due: datetime, *, late: bool, zone: str) -> str:
    r = line.r
    member = members.get(r, reminder.phone)
    if member is None or not member.active or members.is_opted_out(r, reminder.phone):
        return "skipped"
    if store.get(r, reminder.id) is None:  # removed while this job ran
        return "gone"
    dedupe = f"preminder:{reminder.id}:{int(due.timestamp())}"
    if late:  # say which time it was for, so a late reminder is not mistaken for a new one
        clock = due.astimezone(ZoneInfo(zone)).strftime("%H:%M")
        text = line.text(member.language, "remind.message_late", discreet=member.discreet, what=reminder.what,
                         time=clock)
    else:
        text = line.text(member.language, "remind.message", discreet=member.discreet, what=reminder.what)
    by_call = reminder.how == store.CALL
    voice_notices.send(line, reminder.phone, text, kind=Kind.REMINDER, queue=queues.BROADCAST, dedupe=dedupe,
                       by_call=by_call)
    return "called" if by_call else "sent"
