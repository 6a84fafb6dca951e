"""Meeting reminders at the `reminders.before` offsets, and what cancelling a meeting does.

Each reminder is a timer (`remind:{meeting}:{occurrence}:{offset}`) that runs
`remind`, which re-reads the meeting first: a cancelled meeting sends nothing.
A reminder is a broadcast to the group (so quiet hours, pacing, opt-outs and
one-copy-per-member apply) keyed by meeting, occurrence and offset, so a timer
that fires twice still reminds each member once. A weekly meeting plans its
next occurrence when the current one starts (`replan`).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from textline.core import jobs, queues, timers
from textline.core.line import Line
from textline.models import broadcasts, groups, meetings, outbound
from textline.models.meetings import Meeting
from workers import runtime
from workers.broadcast import Fanout, start

log = logging.getLogger(__name__)



def plan(line: Line, meeting: Meeting) -> int:
    """Set the reminder timers of the next occurrence; how many were set (offsets already past are skipped)."""
    now = line.now()
    start_at = None if meeting.cancelled else meeting.next_start(now)
    if start_at is None:
        return 0
    occ = meetings.epoch(start_at)
    count = 0
    for before in line.settings.reminders_before:
        at = start_at - timedelta(seconds=before)
        if at > now:
            timers.schedule(line.r, f"remind:{meeting.id}:{occ}:{int(before)}", at, queues.BROADCAST,
                            jobs.MEETING_REMIND, meeting.id, occ, int(before))
            count += 1
    if meeting.every:  # when this one starts, plan the next
        timers.schedule(line.r, f"replan:{meeting.id}", start_at, queues.BROADCAST, jobs.MEETING_REPLAN, meeting.id)
    return count


def remind(meeting_id: int, occ: int, before: int) -> str:
    """The RQ job (from a timer): remind the group of one occurrence, unless it was cancelled meanwhile."""
    line = runtime.line()
    meeting = meetings.get(line.r, meeting_id)
    if meeting is None or meeting.cancelled:
        return "cancelled"
    start_at = meetings.from_epoch(occ)
    now = line.now()
    if not meeting.is_occurrence(start_at) or now >= start_at:
        return "not due"
    group = groups.get(line.r, meeting.group_id)
    if group is None:
        return "no group"
    for earlier in broadcasts.of_meeting(line.r, meeting.id):  # one reminder at a time: a newer one supersedes
        found = broadcasts.get(line.r, earlier)
        if found and found.kind == broadcasts.Kind.REMINDER and found.occ == occ:
            stop(line, earlier, "superseded")
    bid, created = broadcasts.create(line.r, broadcasts.Kind.REMINDER, group_id=group.id, at=now, now=now,
                                     meeting_id=meeting.id, occ=occ, expires=float(occ),
                                     key=f"remind:{meeting.id}:{occ}:{before}")
    if not created:
        return f"already broadcast {bid}"
    Fanout(line, bid).run()
    return f"broadcast {bid}"


def replan(meeting_id: int) -> str:
    """The RQ job (from a timer, when an occurrence starts): plan the next one."""
    line = runtime.line()
    meeting = meetings.get(line.r, meeting_id)
    if meeting is None or meeting.cancelled:
        return "cancelled"
    return f"{plan(line, meeting)} reminders set"


def cancel(line: Line, meeting: Meeting) -> int:
    """Cancel a meeting: no reminder goes out any more; those already reminded are told. How many."""
    r, now = line.r, line.now()
    if not meetings.cancel(r, meeting.id, now):
        return 0
    for name, _ in timers.pending(r, f"remind:{meeting.id}:") + timers.pending(r, f"replan:{meeting.id}"):
        timers.cancel(r, name)
    for bid in broadcasts.of_meeting(r, meeting.id):
        stop(line, bid, "cancelled")
    start_at = meeting.next_start(now)
    if start_at is None:
        return 0
    occ = meetings.epoch(start_at)
    told = meetings.reminded(r, meeting.id, occ)
    if told:
        bid, created = broadcasts.create(r, broadcasts.Kind.CANCELLED, group_id=meeting.group_id, at=now, now=now,
                                         meeting_id=meeting.id, occ=occ, key=f"cancel:{meeting.id}:{occ}",
                                         recipients=told)
        if created:
            start(line, bid)
    log.info("meeting %s cancelled; %d reminded members told", meeting.id, len(told))
    return len(told)


def stop(line: Line, bid: int, reason: str) -> None:
    """Stop a broadcast that is not done; its copies not sent yet are marked skipped for `reason`."""
    for msg_id in broadcasts.cancel(line.r, bid, line.now()):
        message = outbound.get(line.r, msg_id)
        if message is not None and message.status not in outbound.FINAL:
            outbound.mark(line, msg_id, outbound.Status.SKIPPED, error=reason)
