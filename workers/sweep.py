"""The sweep: a message whose delivery job was lost is enqueued again.

A job can vanish without a trace: RQ pops a job id from one of several queues
and only then records it as started, so a worker (or Redis) that dies in
between loses it; a record created just before Redis went away may never have
had its job enqueued. Every record stays in `outbound`'s open set until it
is final; the ticker calls `sweep` once a second, and a record overdue with no
sign of a delivery under way (a lock, a delivery timer, its job in a queue)
gets a new delivery job. Deliveries are idempotent, so a spare job costs
nothing but a look at the record.
"""
from __future__ import annotations

import logging
from datetime import datetime

from textline.core import jobs, queues, timers
from textline.core.line import Line
from textline.models import outbound
from textline.models.outbound import Message
from workers.send import DELIVERY_TIMERS

log = logging.getLogger(__name__)


def sweep(line: Line, now: datetime | None = None, limit: int = 200) -> int:
    """Check overdue open records; returns how many got a new delivery job."""
    r = line.r
    moment = (now or line.now()).timestamp()
    revived = 0
    for msg_id in outbound.overdue(r, moment, limit):
        msg = outbound.get(r, msg_id)
        if msg is None or msg.status in outbound.FINAL:
            outbound.close(r, msg_id)
            continue
        outbound.recheck_at(r, msg_id, moment + outbound.recheck_after(line, msg.queue))
        if under_way(line, msg):
            continue
        queues.enqueue(line, msg.queue, jobs.DELIVER, msg_id, job_id=f"sweep:{msg_id}:{int(moment)}")
        log.warning("message %s had no delivery under way: enqueued again", msg_id)
        revived += 1
    return revived


def under_way(line: Line, msg: Message) -> bool:
    """A lock, a delivery timer, or its first job still waiting in its queue."""
    if line.r.exists(outbound.lock_key(msg.id)):
        return True
    if any(timers.due_at(line.r, f"{prefix}{msg.id}") is not None for prefix in DELIVERY_TIMERS):
        return True
    job = queues.job_id(f"deliver:{msg.id}:0")
    return line.rq.lpos(queues.queue(line, msg.queue).key, job) is not None
