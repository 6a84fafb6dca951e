"""The worker process: an RQ worker over the queues that outlives Redis restarts.

RQ's own loop quits on most Redis errors (it retries only while waiting for a
job, backing off up to a minute). Here the worker waits at most `MAX_WAIT`
seconds between attempts to reach Redis, and a worker that quit on an error
is started again, so a Redis restart never needs a restart of the workers.
The job it was running when it quit is enqueued again as soon as Redis
answers (jobs are idempotent), rather than waiting about a minute for RQ to
call it abandoned. Jobs abandoned by a worker that died (worker and horse both
gone) are found by RQ's maintenance, run every `MAINTENANCE` seconds instead
of ten minutes, and retried.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from redis.exceptions import RedisError
from rq import Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from textline.core import queues
from textline.core.line import Line

log = logging.getLogger(__name__)

MAX_WAIT = 2.0
MAINTENANCE = 30
#: The horse's heartbeat interval: an abandoned job is retried about a minute after this.
MONITORING = 5
RESTART_PAUSE = 1.0


class LineWorker(Worker):
    """An RQ worker that retries a lost Redis quickly."""

    max_connection_wait_time = MAX_WAIT
    exponential_backoff_factor = 1.5
    asked_to_stop = False
    #: The id of the job being run, kept when running it ended in an error (Redis gone mid-job).
    running: str | None = None

    def request_stop(self, signum, frame):  # type: ignore[no-untyped-def]
        self.asked_to_stop = True
        super().request_stop(signum, frame)

    def execute_job(self, job, queue):  # type: ignore[no-untyped-def]
        self.running = job.id
        super().execute_job(job, queue)
        self.running = None


def warm() -> None:
    """Import and build in the parent what every job needs, so each forked horse starts ready."""
    from workers import runtime, send  # noqa: F401  (the job module, imported once here)

    sender = runtime.sender()
    client = getattr(sender, "client", None)
    if client is not None:  # the twilio client loads its API modules lazily: load them before forking
        _ = client.messages, client.calls


def requeue(line: Line, job_id: str) -> None:
    """Enqueue again a job whose run was cut short, once Redis answers (unless it finished meanwhile)."""
    while True:
        try:
            job = Job.fetch(job_id, connection=line.rq)
            if job.get_status() in (JobStatus.STARTED, JobStatus.QUEUED) and job.origin in queues.ALL:
                queues.queue(line, job.origin).enqueue_job(job)
                log.info("worker: job %s cut short by a redis error, enqueued again", job_id)
            return
        except NoSuchJobError:
            return
        except RedisError:
            time.sleep(RESTART_PAUSE)


def serve(line: Line, names: Sequence[str]) -> None:
    """Work until asked to stop (SIGTERM / SIGINT), starting RQ's worker again whenever it quits on an error."""
    warm()
    cut_short: str | None = None
    while True:
        if cut_short:
            requeue(line, cut_short)
        worker = LineWorker([queues.queue(line, n) for n in names], connection=line.rq,
                            maintenance_interval=MAINTENANCE, job_monitoring_interval=MONITORING)
        try:
            worker.work(with_scheduler=True, logging_level="INFO")
        except RedisError as exc:
            log.warning("worker: redis unavailable (%s)", type(exc).__name__)
        if worker.asked_to_stop:
            return
        cut_short = worker.running
        log.warning("worker quit without being asked to; starting it again")
        time.sleep(RESTART_PAUSE)
