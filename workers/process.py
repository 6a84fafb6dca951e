"""The worker process: an RQ worker over the queues that stops promptly and outlives Redis restarts.

Stopping is bounded, whatever the client library does (issue #19). RQ listens for commands on a
pub/sub channel in a thread that it asks to block up to 60 s per read, and stops it by sending
UNSUBSCRIBE and then calling redis-py's `PubSubWorkerThread.stop()`, which since redis-py 8.2
joins the thread with no timeout. When the thread reads the UNSUBSCRIBE reply before `stop()`
clears its running flag, it starts another read (waiting up to 60 s for a subscription that
never comes) and the worker's teardown waits with it (measured with bench/worker_exit.py: 6 of
200 burst runs in one process, 26 of 200 `textline worker --burst` processes). `LineWorker`
reads at most `COMMAND_POLL` seconds at a time, clears the flag before it sends UNSUBSCRIBE (so
the reply ends the thread), and waits at most `STOP_WAIT` seconds for the thread and for RQ's
scheduler process. Asked to stop mid-job, it lets the job
finish for `STOP_GRACE` seconds, then kills the job's process and the job is retried (jobs are
idempotent), well inside a platform's grace period (Heroku: 30 s, then SIGKILL).

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

import inspect
import logging
import os
import signal
import threading
import time
from collections.abc import Sequence
from datetime import datetime

from redis.client import PubSubWorkerThread
from redis.exceptions import RedisError
from rq import Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from textline.core import queues, timers
from textline.core.line import Line

log = logging.getLogger(__name__)

MAX_WAIT = 2.0
MAINTENANCE = 30
#: The horse's heartbeat interval: an abandoned job is retried about a minute after this.
MONITORING = 5
RESTART_PAUSE = 1.0
#: The longest RQ's command-channel thread blocks in one read (RQ asks for 60 s); commands still arrive at once.
COMMAND_POLL = 1.0
#: The longest a teardown waits for the command-channel thread, and for RQ's scheduler process.
STOP_WAIT = 2.0
#: How long a job running when the worker is asked to stop may go on before it is cut short and retried.
STOP_GRACE = 20.0


class LineWorker(Worker):
    """An RQ worker that stops within seconds and retries a lost Redis quickly."""

    max_connection_wait_time = MAX_WAIT
    exponential_backoff_factor = 1.5
    asked_to_stop = False
    #: The id of the job being run, kept when running it ended in an error (Redis gone mid-job).
    running: str | None = None
    _grace: threading.Timer | None = None

    # -- stopping --------------------------------------------------------------------------------------
    def request_stop(self, signum, frame):  # type: ignore[no-untyped-def]
        """SIGTERM / SIGINT: stop now if idle; mid-job, give the job `STOP_GRACE` seconds to finish."""
        self.asked_to_stop = True
        if self.horse_pid and self._grace is None:
            self._grace = threading.Timer(STOP_GRACE, self._cut_short)
            self._grace.daemon = True
            self._grace.start()
        super().request_stop(signum, frame)

    def _cut_short(self) -> None:
        """Kill the job's process (its own process group); RQ then retries the job."""
        pid = self.horse_pid
        if not pid:
            return
        log.warning("worker: the running job did not finish within %.0f s of the stop request; "
                    "ending it, it will run again", STOP_GRACE)
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def subscribe(self):  # type: ignore[no-untyped-def]
        """RQ's command channel (shutdown, kill-horse, stop-job), read `COMMAND_POLL` seconds at a time."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=COMMAND_POLL, daemon=True, exception_handler=self._pubsub_exception_handler)

    def unsubscribe(self):  # type: ignore[no-untyped-def]
        """End the command-channel thread within `STOP_WAIT` seconds (see the module's docstring)."""
        thread, pubsub = self.pubsub_thread, self.pubsub
        self.pubsub_thread = None
        if thread is None or pubsub is None:
            return
        trip(thread)
        if thread.is_alive():
            try:  # the reply wakes the thread now, rather than at its next COMMAND_POLL
                pubsub.unsubscribe()
            except (RedisError, OSError):
                pass
        thread.join(STOP_WAIT)
        if thread.is_alive():  # it closes its connection itself when it wakes; closing it here races its read
            log.warning("worker: the command-channel thread did not stop within %.0f s; leaving it", STOP_WAIT)
        else:
            pubsub.close()

    def stop_scheduler(self):  # type: ignore[no-untyped-def]
        """Stop RQ's scheduler process (SIGTERM), waiting at most `STOP_WAIT` seconds before killing it."""
        process = getattr(self.scheduler, "_process", None)
        if process is None or not process.pid or not process.is_alive():  # already stopped: its pid may be reused
            return
        try:
            os.kill(process.pid, signal.SIGTERM)
        except OSError:
            pass
        process.join(STOP_WAIT)
        if process.is_alive():
            log.warning("worker: the scheduler process did not stop within %.0f s; killing it", STOP_WAIT)
            process.kill()
            process.join(STOP_WAIT)

    def teardown(self):  # type: ignore[no-untyped-def]
        if self._grace is not None:
            self._grace.cancel()
        try:
            super().teardown()
        finally:
            thread = self.pubsub_thread
            if thread is not None and not self.is_horse:  # RQ's teardown failed first (Redis gone)
                self.pubsub_thread = None
                trip(thread)  # it ends at its next wake-up rather than retry Redis for ever

    # -- running -------------------------------------------------------------------------------------
    def execute_job(self, job, queue):  # type: ignore[no-untyped-def]
        self.running = job.id
        super().execute_job(job, queue)
        self.running = None


def trip(thread: PubSubWorkerThread) -> None:
    """Clear the thread's running flag without waiting for it (redis-py 8.2's `stop()` waits unless told)."""
    if "timeout" in inspect.signature(thread.stop).parameters:
        thread.stop(timeout=0)
    else:  # redis-py before 8.2: stop() only clears the flag
        thread.stop()


def drain(line: Line, names: Sequence[str] = queues.ALL, *, rounds: int = 30, now: datetime | None = None) -> None:
    """Fire due timers and run burst workers, round after round, until nothing is left to do now."""
    rq_queues = [queues.queue(line, n) for n in names]
    for _ in range(rounds):
        fired = timers.tick(line, now)
        if queues.waiting(line, names):
            LineWorker(rq_queues, connection=line.rq).work(burst=True, logging_level="WARNING")
        elif not fired:
            return


def requeue(line: Line, job_id: str, patience: float | None = None) -> None:
    """Enqueue again a job whose run was cut short, once Redis answers (unless it finished meanwhile).

    With `patience`, give up after that many seconds without Redis (RQ's maintenance retries the job later).
    """
    deadline = None if patience is None else time.monotonic() + patience
    while True:
        try:
            job = Job.fetch(job_id, connection=line.rq)
            if job.get_status() in (JobStatus.STARTED, JobStatus.QUEUED) and job.origin in queues.ALL:
                queues.queue(line, job.origin).enqueue_job(job)
                log.info("worker: job %s cut short, enqueued again", job_id)
            return
        except NoSuchJobError:
            return
        except RedisError:
            if deadline is not None and time.monotonic() > deadline:
                log.warning("worker: job %s cut short; redis unavailable, left to RQ's maintenance", job_id)
                return
            time.sleep(RESTART_PAUSE)


def serve(line: Line, names: Sequence[str]) -> None:
    """Work until asked to stop (SIGTERM / SIGINT), starting RQ's worker again whenever it quits on an error.

    A second SIGTERM / SIGINT is RQ's cold shutdown: the running job's process is killed with the
    worker, and the job is enqueued again here before the process exits.
    """
    cut_short: str | None = None
    while True:
        if cut_short:
            requeue(line, cut_short)
        try:
            # RQ's worker names itself to Redis as it is made: with Redis still down, wait and try again.
            worker = LineWorker([queues.queue(line, n) for n in names], connection=line.rq,
                                maintenance_interval=MAINTENANCE, job_monitoring_interval=MONITORING)
        except RedisError as exc:
            log.warning("worker: redis unavailable (%s), starting again in %.0f s", type(exc).__name__,
                        RESTART_PAUSE)
            cut_short = None
            time.sleep(RESTART_PAUSE)
            continue
        try:
            worker.work(with_scheduler=True, logging_level="INFO")
        except RedisError as exc:
            log.warning("worker: redis unavailable (%s)", type(exc).__name__)
        except SystemExit:
            if worker.running:
                requeue(line, worker.running, patience=STOP_WAIT)
            raise
        if worker.asked_to_stop:
            return
        cut_short = worker.running
        log.warning("worker quit without being asked to; starting it again")
        time.sleep(RESTART_PAUSE)
