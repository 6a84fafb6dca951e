"""A real `textline worker --queues crisis`: SIGKILL the process sending an alert; the alert still goes out."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.harness import Harness, member_number, staff_number
from textline.models import cases, outbound
from textline.models.outbound import Status

ROOT = Path(__file__).resolve().parents[2]
M1, ANA = member_number(421), staff_number(21)
LIMIT = 30.0


def children(pid: int) -> list[tuple[int, int]]:
    """(pid, process group) of each child of `pid`, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            found.append((int(entry.name), int(fields[2])))
    return found


def work_horse(worker_pid: int) -> int | None:
    """RQ's work horse: the worker's child that made itself a process group leader (os.setpgrp)."""
    horses = [pid for pid, group in children(worker_pid) if pid == group]
    return horses[0] if len(horses) == 1 else None


def alert_sent(line: Harness) -> bool:
    ids = list(line.r.hkeys("tl:case:1:alerts"))
    return bool(ids) and all(outbound.get(line.r, i).status == Status.SENT for i in ids)


@contextmanager
def crisis_worker(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real `textline worker --queues crisis` process, stopped (or killed) at the end."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with (tmp_path / "worker.log").open("w") as log:
        worker = subprocess.Popen([sys.executable, "-m", "textline.cli", "worker", "--queues", "crisis"], env=env,
                                  cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield worker
        finally:
            worker.terminate()
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()


def kill_the_horse_mid_alert(line: Harness, worker: subprocess.Popen[bytes], limit: float) -> float:
    """A crisis text whose alert hangs at "Twilio"; its work horse SIGKILLed; seconds until the alert is out."""
    line.cli("staff", "add", "Ana", ANA, "--role", "crisis")
    line.cli("staff", "on", ANA)
    line.twilio.delay_next(1, 25.0)  # the alert's first request hangs at "Twilio"
    line.member(M1).texts("I want to kill myself")
    assert line.twilio.wait_for(lambda: line.twilio.requests, timeout=20), "the worker never sent the alert"
    assert line.twilio.wait_for(lambda: work_horse(worker.pid) is not None, timeout=5)
    horse = work_horse(worker.pid)
    assert horse is not None
    os.kill(horse, signal.SIGKILL)
    killed = time.monotonic()
    assert line.twilio.wait_for(lambda: alert_sent(line), timeout=limit), "the alert was lost with its worker"
    return time.monotonic() - killed


@pytest.mark.slow
def test_an_alert_whose_work_horse_is_killed_mid_send_still_goes_out(line: Harness, tmp_path: Path) -> None:
    line.configure(sending={"lease": "2s", "retry_backoff": "10ms"})
    with crisis_worker(tmp_path) as worker:
        took = kill_the_horse_mid_alert(line, worker, LIMIT)
        assert took < LIMIT
        assert worker.poll() is None, "the worker itself must survive its horse"
        to_ana = [r for r in line.twilio.requests if r.to == ANA]
        # The hung first try reached "Twilio": the next run looks it up there rather than send a second copy.
        assert len(to_ana) == 1 and to_ana[0].accepted and line.twilio.lookups >= 1
        [alert_id] = line.r.hkeys("tl:case:1:alerts")
        assert outbound.get(line.r, alert_id).sid == to_ana[0].sid
        assert cases.get(line.r, 1).level == 1
        print(f"alert out {took:.1f}s after its work horse was killed")
