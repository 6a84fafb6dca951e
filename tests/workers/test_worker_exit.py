"""A `textline worker` told to stop (SIGTERM, as a deploy does) exits within seconds and loses no job.

Idle, it stops at once; mid-job, it finishes the job first; a job that outlasts `STOP_GRACE` is cut
short and runs again. Before issue #19 a worker's teardown could wait up to a minute for RQ's
command-channel thread (redis-py 8.2), past a platform's grace period.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rq import Worker
from rq.registry import StartedJobRegistry

from tests.support.harness import Harness, member_number, staff_number
from tests.support.procs import PYTHON, REPO, Proc, alive, children, wait
from textline.core import queues
from textline.models import outbound
from textline.models.outbound import Status
from workers.process import STOP_GRACE, STOP_WAIT, LineWorker

M1, ANA = member_number(431), staff_number(31)
#: Seconds a stopped worker may take to exit, beyond the job it is finishing.
PROMPT = 5.0


class Workers:
    """`textline worker` processes against the test's line, each logging to a file."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[Proc] = []

    def start(self, *args: str) -> Proc:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        name = f"worker{len(self.started)}"
        proc = Proc(name, [PYTHON, "-m", "textline.cli", "worker", *args], env, self.tmp_path / f"{name}.log")
        self.started.append(proc)
        return proc

    def close(self) -> None:
        for proc in self.started:
            proc.stop(timeout=1)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.close()


def registered(line: Harness, proc: Proc) -> Worker | None:
    """The RQ worker `proc` runs, once it is registered in Redis."""
    return next((w for w in Worker.all(connection=line.line.rq) if w.pid == proc.pid), None)


def waiting_for_work(line: Harness, proc: Proc) -> bool:
    """Registered and blocked on its queues: RQ's signal handlers are in place by then."""
    worker = registered(line, proc)
    return worker is not None and worker.get_state() == "idle"


def horse(proc: Proc) -> int | None:
    """The process running a job: the worker's child that leads its own process group (RQ's horse)."""
    found = [pid for pid in children(proc.pid) if alive(pid) and os.getpgid(pid) == pid]
    return found[0] if found else None


def stop(proc: Proc) -> float:
    """SIGTERM `proc`; seconds until it exited (at most 60: the stall this guards against)."""
    asked = time.monotonic()
    proc.signal(signal.SIGTERM)
    try:
        proc.popen.wait(60)
    except subprocess.TimeoutExpired:
        pass
    return time.monotonic() - asked


def staff_on_call(line: Harness) -> None:
    line.cli("staff", "add", "Ana", ANA, "--role", "crisis")
    line.cli("staff", "on", ANA)


def abandoned(line: Harness) -> int:
    """Jobs a worker started and never finished (they wait for RQ's maintenance to notice)."""
    return sum(StartedJobRegistry(queue=queues.queue(line.line, n)).count for n in queues.ALL)


def to_ana(line: Harness) -> int:
    return len([r for r in line.twilio.requests if r.to == ANA])


def alert_statuses(line: Harness) -> list[str]:
    """The status of each message record addressed to Ana (her crisis alerts)."""
    keys = [key for key in line.r.scan_iter("tl:msg:*") if key.count(":") == 2 and line.r.type(key) == "hash"]
    found = [outbound.get(line.r, key.split(":")[2]) for key in keys]
    return [m.status for m in found if m is not None and m.to == ANA]


def test_a_command_thread_that_read_its_unsubscribe_before_the_stop_still_ends_at_once(line: Harness) -> None:
    """RQ's race, forced: the command-channel thread reads the UNSUBSCRIBE reply before it is told to stop,
    and waits for a subscription that never comes (up to 60 s under RQ's own worker with redis-py 8.2)."""
    worker = LineWorker([queues.queue(line.line, queues.CRISIS)], connection=line.line.rq)
    worker.subscribe()
    thread, pubsub = worker.pubsub_thread, worker.pubsub
    assert thread is not None and pubsub is not None
    pubsub.unsubscribe()
    assert wait(lambda: not pubsub.subscribed, 5)

    asked = time.monotonic()
    worker.unsubscribe()

    assert time.monotonic() - asked < STOP_WAIT
    assert not thread.is_alive()
    assert pubsub.connection is None  # closed: its connection went back to the pool


@pytest.mark.slow
def test_idle_workers_given_sigterm_exit_within_seconds_and_leave_nothing_behind(
        line: Harness, workers: Workers) -> None:
    procs = [workers.start() for _ in range(3)]
    assert wait(lambda: all(waiting_for_work(line, p) for p in procs), 60), workers.started[0].log.read_text()
    helpers = {p.pid: children(p.pid) for p in procs}  # the ticker and RQ's scheduler process
    assert all(len(found) >= 1 for found in helpers.values()), helpers

    took = [stop(p) for p in procs]

    assert max(took) < PROMPT, took
    assert [p.popen.returncode for p in procs] == [0, 0, 0]
    assert all(registered(line, p) is None for p in procs), "a stopped worker stays registered in RQ"
    left = [pid for found in helpers.values() for pid in found]
    assert wait(lambda: not any(alive(pid) for pid in left), PROMPT), f"left running: {left}"


@pytest.mark.slow
def test_a_worker_given_sigterm_mid_alert_finishes_sending_it_then_exits(line: Harness, workers: Workers) -> None:
    line.configure(sending={"crisis_lease": "6s"})  # the alert's HTTP timeout (4 s) outlasts the delay
    staff_on_call(line)
    line.twilio.delay_next(1, 2.0)  # "Twilio" takes two seconds to accept the alert
    proc = workers.start("--queues", queues.CRISIS)
    assert wait(lambda: waiting_for_work(line, proc), 60), proc.log.read_text()

    line.member(M1).texts("I want to kill myself")
    assert wait(lambda: line.twilio.requests and horse(proc), 20), "the worker never started the alert"
    took = stop(proc)

    assert took < 2.0 + PROMPT, took
    assert proc.popen.returncode == 0
    assert alert_statuses(line) == [Status.SENT]
    assert to_ana(line) == 1
    assert abandoned(line) == 0


@pytest.mark.slow
def test_a_job_that_outlasts_the_grace_period_is_cut_short_and_runs_again(line: Harness, workers: Workers) -> None:
    # The alert's HTTP timeout (two thirds of its lease: 22 s) outlasts the 20 s grace. The run RQ starts
    # again at once finds the lock held and sets the watch a lease on: the alert goes out within ~34 s more.
    line.configure(sending={"http_timeout": "60s", "crisis_lease": "33s"})
    staff_on_call(line)
    line.twilio.delay_next(1, 60.0)  # "Twilio" never answers the alert's first request in time
    proc = workers.start("--queues", queues.CRISIS)
    assert wait(lambda: waiting_for_work(line, proc), 60), proc.log.read_text()

    line.member(M1).texts("I want to kill myself")
    assert wait(lambda: line.twilio.requests and horse(proc), 20), "the worker never started the alert"
    took = stop(proc)

    assert STOP_GRACE <= took < STOP_GRACE + PROMPT, took
    assert proc.popen.returncode == 0
    assert "did not finish within" in proc.log.read_text()
    # Another worker takes the alert up again. The cut-short request reached "Twilio": the next run looks
    # it up there rather than send a second copy.
    assert line.work_until(lambda: alert_statuses(line) == [Status.SENT], timeout=60)
    assert to_ana(line) == 1 and line.twilio.lookups >= 1
    assert abandoned(line) == 0
