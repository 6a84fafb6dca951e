"""Chaos scenarios, each a function of the traffic it is given, so every feature's traffic slots in.

A scenario runs the line as processes (tests/support/procs.py), breaks something while the
traffic flows, lets the line recover, and returns the `Figures` it measured: lost and
duplicated messages, 5xx answers, the worst crisis alert delay. Figures are also appended to
test-artifacts/reliability.jsonl, the source of the numbers in the issue note.

Traffic comes in two shapes:

* `Outbound`: a callable that makes the line send (a broadcast, reminders ...) and returns how
  many copies each number must receive (`Expected`).
* `Inbound`: a list of `Text`s members send; after the chaos each acknowledged one must have
  been acted on (its `check` holds).
"""
from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.support.procs import LineProcs, alive, wait
from textline import members, outbound, queues
from textline.line import Line
from textline.outbound import Kind

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_RECORD = re.compile(r"^tl:msg:\d+$")
#: Timers the delivery path keeps (watch, retry, slot): while any is pending, sending is not done.
DELIVERY_TIMERS = ("watch:", "retry:", "slot:")

Expected = dict[str, int]
Outbound = Callable[[Line], Expected]


@dataclass
class Figures:
    """What one scenario measured."""

    scenario: str
    expected: int = 0
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    unwanted: int = 0
    kills: int = 0
    requests: int = 0
    five_xx: int = 0
    acknowledged: int = 0
    crisis_delays: list[float] = field(default_factory=list)
    seconds: float = 0.0
    notes: dict[str, object] = field(default_factory=dict)

    @property
    def worst_crisis_delay(self) -> float | None:
        return max(self.crisis_delays) if self.crisis_delays else None

    def save(self) -> Figures:
        ARTIFACTS.mkdir(exist_ok=True)
        data = {**asdict(self), "worst_crisis_delay": self.worst_crisis_delay, "at": time.time()}
        with open(ARTIFACTS / "reliability.jsonl", "a") as f:
            f.write(json.dumps(data) + "\n")
        return self


# -- traffic the foundation can send today (features add theirs) ----------------------------------------------
def consented(line: Line, phones: Iterable[str]) -> list[str]:
    """Members who joined (as `hi` + `YES` would leave them), created straight in the store."""
    now = line.now()
    done = []
    for phone in phones:
        members.create(line.r, phone, language="en", timezone="America/New_York", at=now)
        members.activate(line.r, phone, now)
        done.append(phone)
    return done


def broadcast_by_send_text(eligible: Sequence[str], ineligible: Sequence[str], body: str) -> Outbound:
    """A broadcast as the foundation can make one: one BROADCAST text per member on the broadcast queue.

    Ineligible numbers (opted out, never consented) are sent to as well and must get nothing.
    Replace with the broadcast feature's own fan-out once it lands.
    """

    def send(line: Line) -> Expected:
        for index, phone in enumerate([*eligible, *ineligible]):
            outbound.send_text(line, phone, body, kind=Kind.BROADCAST, queue=queues.BROADCAST,
                               dedupe=f"chaos:{index}")
        return {**{p: 1 for p in eligible}, **{p: 0 for p in ineligible}}

    return send


# -- checks ------------------------------------------------------------------------------------------------------
def records(line: Line) -> list[dict[str, str]]:
    keys = [k for k in line.r.scan_iter(match="tl:msg:*", count=1000) if _RECORD.match(k)]
    pipe = line.r.pipeline(transaction=False)
    for key in keys:
        pipe.hgetall(key)
    return [r for r in pipe.execute() if r]


def delivery_pending(line: Line) -> bool:
    """True while any delivery may still happen: jobs waiting or running, delivery timers, unfinished records."""
    if queues.waiting(line):
        return True
    if any(queues.queue(line, name).started_job_registry.count for name in queues.ALL):
        return True
    if any(name.startswith(DELIVERY_TIMERS) for name in line.r.zrange("tl:timers", 0, -1)):
        return True
    if line.r.zcard("tl:timers:claimed"):
        return True
    return any(r.get("status") not in {str(s) for s in outbound.FINAL} for r in records(line))


def settle(line: Line, timeout: float) -> bool:
    """Wait until no delivery is pending (twice in a row, a moment apart)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if not delivery_pending(line) else 0
        if quiet >= 2:
            return True
        time.sleep(0.25)
    return False


def count_copies(figures: Figures, expected: Expected, sent_to: Iterable[str | None]) -> Figures:
    """Compare copies per number at the Twilio double with what was expected."""
    got = Counter(sent_to)
    for phone, want in expected.items():
        have = got.get(phone, 0)
        figures.expected += want
        figures.delivered += min(have, want)
        figures.lost += max(0, want - have)
        if want:
            figures.duplicated += max(0, have - want)
        else:
            figures.unwanted += have
    return figures


# -- scenarios ---------------------------------------------------------------------------------------------------
def horse_kills(procs: LineProcs, traffic: Outbound, *, workers: int = 3, kills: int = 6,
                gap: float = 0.3, timeout: float = 90.0) -> Figures:
    """SIGKILL the process running a send job `kills` times, then SIGKILL and restart every worker.

    Every number must receive exactly what `traffic` expects: count at the Twilio double.
    """
    figures = Figures("horse_kills")
    started = time.monotonic()
    line = procs.line()
    procs.start_workers(workers)
    expected = traffic(line)
    for _ in range(kills):
        if procs.kill_horse(timeout=10) is not None:
            figures.kills += 1
        time.sleep(gap)
    orphans = procs.horses()
    procs.kill_workers()  # the horses they were running finish on their own (own process group)
    wait(lambda: not any(alive(pid) for pid in orphans), 30)
    procs.start_workers(workers)
    settled = settle(line, timeout)
    figures.seconds = time.monotonic() - started
    figures.notes["settled"] = settled
    return count_copies(figures, expected, (m.to for m in procs.double.messages))
