"""A broadcast through a real `textline worker` process: the send rate holds at the Twilio double,
replies overtake bulk, and a worker killed mid-send and restarted sends nobody a second copy."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.harness import Harness, member_number
from textline.models import broadcasts, groups, outbound
from textline.models.outbound import Kind, Status

ROOT = Path(__file__).resolve().parents[2]
REPLY_TO = member_number(999)


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (the job's horse calls setpgrp, so a process group misses it)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


@contextmanager
def worker(tmp: Path, name: str) -> Iterator[subprocess.Popen[bytes]]:
    """`textline worker` in its own process, as in production (with its ticker)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(tmp / f"{name}.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "textline.cli", "worker"], env=env, stdout=log,
                                stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        yield proc
    finally:
        kill(proc, signal.SIGTERM)


def kill(proc: subprocess.Popen[bytes], sig: int) -> None:
    for pid in [*descendants(proc.pid), proc.pid]:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        kill(proc, signal.SIGKILL)


def group_of(line: Harness, size: int) -> groups.Group:
    line.cli("groups", "add", "Everyone", "--code", "ALL")
    for n in range(size):
        line.member(member_number(n + 100)).joins().texts("JOIN ALL")
    line.member(REPLY_TO).joins()
    return groups.find(line.r, "ALL")


def broadcast_times(line: Harness) -> list[float]:
    return [m.at for m in line.twilio.messages if m.to != REPLY_TO]


@pytest.mark.slow
def test_fifty_texts_at_five_per_second_take_nine_seconds_and_a_reply_overtakes_them(line: Harness) -> None:
    line.configure(send_rate=5)
    group_of(line, 50)
    assert line.cli("broadcast", "ALL", "The picnic is on!").exit_code == 0
    with worker(line.tmp_path, "worker"):
        assert line.twilio.wait_for(lambda: len(line.twilio.messages) >= 10, timeout=20)
        outbound.send_text(line.line, REPLY_TO, "Thanks, we got your message.", kind=Kind.REPLY)
        asked = time.monotonic()
        assert line.twilio.wait_for(lambda: len(line.twilio.messages) >= 51, timeout=30)
    times = broadcast_times(line)
    [reply] = [m for m in line.twilio.messages if m.to == REPLY_TO]
    assert len(times) == 50 and len(set(m.to for m in line.twilio.messages)) == 51
    assert times[-1] - times[0] >= 9.0, times[-1] - times[0]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) > 0.1, gaps  # no burst: slots are 204 ms apart, less a loaded machine's scheduling jitter
    assert reply.at < times[-1] and reply.at - asked < 3.0, (reply.at - asked, times[-1] - reply.at)


@pytest.mark.slow
def test_a_worker_killed_mid_send_and_restarted_sends_no_second_copy(line: Harness) -> None:
    # http_timeout bounds the delivery lock's lease (two timeouts and a slot wait): the copy in flight is
    # looked up once the dead worker's lock lapses, about 10 s after it was taken.
    line.configure(send_rate=10, sending={"http_timeout": "2s"})
    group_of(line, 20)
    assert line.cli("broadcast", "ALL", "The picnic is on!").exit_code == 0
    [bid] = [b.id for b in broadcasts.recent(line.r)]
    with worker(line.tmp_path, "first") as first:
        assert line.twilio.wait_for(lambda: len(line.twilio.messages) >= 6, timeout=20)
        line.twilio.delay_next(1, 5.0)  # the next send is taken by Twilio, but the answer comes late ...
        assert line.twilio.wait_for(lambda: len(line.twilio.requests) >= 7, timeout=5)
        kill(first, signal.SIGKILL)  # ... and the worker dies waiting for it
    in_flight = line.twilio.requests[6].to
    assert Counter(m.to for m in line.twilio.messages)[in_flight] == 1
    with worker(line.tmp_path, "second"):
        assert line.twilio.wait_for(lambda: broadcasts.status(line.r, bid) == "done", timeout=30)
    sent_to = Counter(m.to for m in line.twilio.messages)
    assert len(sent_to) == 20 and set(sent_to.values()) == {1}
    records = [outbound.get(line.r, str(i)) for i in range(1, int(line.r.get("tl:msg:seq")) + 1)]
    copies = [m for m in records if m and m.kind == Kind.BROADCAST]
    assert len(copies) == 20 and {m.status for m in copies} == {Status.SENT}  # the one in flight was looked up
    [found] = [m for m in copies if m.to == in_flight]
    assert found.sid == next(m.sid for m in line.twilio.messages if m.to == in_flight)
    assert broadcasts.get(line.r, bid).counts.get("sent") == 20
