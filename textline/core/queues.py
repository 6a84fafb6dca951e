"""RQ queues, highest priority first, and the one way jobs are enqueued.

Jobs take ids only (never a body or a number). A job id derived from the
business key makes a duplicate enqueue a no-op. Every job is idempotent, so
every job may run again: a job whose process died (a killed work horse, or an
abandoned job found by RQ's maintenance) or that raised is re-enqueued by
RQ's own `Retry`, at once, up to `RETRIES` times.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rq import Queue, Retry
from rq.exceptions import DuplicateJobError

from textline.core.line import Line

CRISIS = "crisis"
REPLIES = "replies"
CALLS = "calls"
BROADCAST = "broadcast"
#: Workers listen in this order: crisis work never waits behind bulk work.
ALL: tuple[str, ...] = (CRISIS, REPLIES, CALLS, BROADCAST)

#: Re-runs of a job that died or raised (immediate: burst workers in tests run no RQ scheduler).
RETRIES = 3

JobArg = str | int | float | bool | None
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")


def job_id(text: str | None) -> str | None:
    """RQ accepts letters, digits, '_' and '-' in job ids; business keys use ':' too."""
    return _NOT_ID.sub("-", text) if text else None


job_id_ = job_id


def queue(line: Line, name: str) -> Queue:
    if name not in ALL:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=line.rq)


def enqueue(line: Line, name: str, func: str, *args: JobArg, job_id: str | None = None,
            at_front: bool = False) -> bool:
    """Enqueue `func(*args)`; False when a job with `job_id` already exists."""
    ttl = int(line.settings.job_retention)
    try:
        queue(line, name).enqueue(
            func, *args, job_id=job_id_(job_id), unique=job_id is not None, at_front=at_front,
            result_ttl=ttl, failure_ttl=ttl, job_timeout=120, retry=Retry(max=RETRIES),
        )
    except DuplicateJobError:
        return False
    return True


def enqueue_many(line: Line, name: str, func: str, arg_lists: Sequence[Sequence[JobArg]],
                 job_ids: Sequence[str | None] | None = None) -> int:
    """Enqueue many jobs in one pipeline (fan-out)."""
    ttl = int(line.settings.job_retention)
    ids = list(job_ids) if job_ids is not None else [None] * len(arg_lists)
    data: list[Any] = [
        Queue.prepare_data(func, args=tuple(args), job_id=job_id_(jid), result_ttl=ttl, failure_ttl=ttl, timeout=120,
                           retry=Retry(max=RETRIES))
        for args, jid in zip(arg_lists, ids, strict=True)
    ]
    jobs = queue(line, name).enqueue_many(data)
    return len(jobs)


def waiting(line: Line, names: Sequence[str] = ALL) -> int:
    """Jobs waiting on `names`, in one round trip (RQ's `Queue.count` is an LLEN of the queue's key)."""
    pipe = line.r.pipeline(transaction=False)
    for name in names:
        pipe.llen(queue(line, name).key)
    return sum(int(n) for n in pipe.execute())
