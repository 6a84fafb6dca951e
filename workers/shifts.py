"""Shift edges, run by the ticker once a second: staff go on call at each shift's start and off at its end.

Every ticker on every machine sees a due shift until one of them arms its next edge; each edge is
applied once (a Redis claim per edge, in textline.models.staff), and only the ticker that applied it
texts the person: "You're on call now until 11:00pm. Reply OFF to skip this shift." at a start,
"Your shift is over ..." at an end that took them off call. Texts carry a business key as well,
so even a retried tick never sends one twice. A ticker that was down applies only the latest edge
of each shift when it comes back (what holds now), never a backlog.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis.exceptions import RedisError

from textline.core import queues
from textline.core.line import Line
from textline.core.phones import mask
from textline.models import outbound, shifts, staff
from textline.models.outbound import Kind
from textline.models.shifts import Edge, EdgeKind, Shift

log = logging.getLogger(__name__)
#: Seconds before a shift whose edge failed is tried again (rather than every tick, filling the log).
RETRY = 60


def tick(line: Line, now: datetime | None = None) -> int:
    """Apply every shift edge that has come; how many this ticker applied."""
    moment = now or line.now()
    applied = 0
    for shift_id in shifts.due(line.r, moment):
        try:
            applied += run(line, shift_id, moment)
        except RedisError:
            raise
        except Exception:  # one broken record must never stop the ticker (crisis ladders run on it too)
            log.exception("shift %s: its edge could not be applied; trying again in %d s", shift_id, RETRY)
            shifts.postpone(line.r, shift_id, moment + timedelta(seconds=RETRY))
    return applied


def run(line: Line, shift_id: int, now: datetime) -> int:
    r = line.r
    shift = shifts.get(r, shift_id)
    if shift is None:
        shifts.forget(r, shift_id)
        return 0
    if staff.get(r, shift.phone) is None:  # left the roster by a path that did not remove their shifts
        shifts.remove_for(r, shift.phone)
        log.info("shift %s: staff %s is no longer on the roster; their shifts are removed", shift_id,
                 mask(shift.phone))
        return 0
    edge = shift.last_edge(now)
    applied = 0
    if edge is not None:
        result = shifts.apply_edge(r, shift, edge, now)
        if result.claimed:
            applied = 1
            log.info("shift %s %s: staff %s %s", shift_id, edge.kind, mask(shift.phone),
                     {True: "changed", False: "unchanged", None: "left as they were"}[result.changed])
            if edge.kind == EdgeKind.START and result.changed is not None:
                tell(line, shift, edge, "shift.start")
            elif edge.kind == EdgeKind.END and result.changed:
                tell(line, shift, edge, "shift.end")
    shifts.reschedule(r, shift, now)
    return applied


def tell(line: Line, shift: Shift, edge: Edge, key: str) -> None:
    """One text to the shift's person, in their language, with the shift's end in its own zone."""
    person = staff.get(line.r, shift.phone)
    if person is None:
        return
    until = shifts.clock_text(person.language, edge.occurrence.end.astimezone(shift.zone))
    body = line.text(person.language, key, time=until)
    outbound.send_text(line, shift.phone, body, kind=Kind.ALERT, queue=queues.REPLIES,
                       dedupe=f"shift:{shift.id}:{int(edge.at.timestamp())}:{edge.kind}")
