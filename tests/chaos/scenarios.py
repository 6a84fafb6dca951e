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
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import requests

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


# -- inbound traffic -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Conversation:
    """What one member texts, in order; each text is sent again (same MessageSid) until acknowledged."""

    phone: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class Sent:
    phone: str
    body: str
    sid: str
    status: int
    answer: str


#: Problems with one member's state after its acknowledged texts (empty when all is well).
InboundCheck = Callable[[Line, Conversation, list[Sent]], list[str]]


@dataclass
class Inbound:
    conversations: list[Conversation]
    check: InboundCheck


def joining(phones: Iterable[str]) -> Inbound:
    """Foundation traffic: first contact, consent, the menu, help. Each member must end active."""

    def check(line: Line, conversation: Conversation, acked: list[Sent]) -> list[str]:
        problems = []
        member = members.get(line.r, conversation.phone)
        if member is None or not member.active:
            problems.append(f"{conversation.phone[-4:]} not active after {len(acked)} acknowledged texts")
        for sent in acked:
            if not line.r.exists(f"tl:in:{sent.sid}"):
                problems.append(f"{sent.sid} acknowledged but not recorded")
            if "<Message>" not in sent.answer:
                problems.append(f"{sent.sid} ({sent.body}) acknowledged without an answer")
        return problems

    return Inbound([Conversation(p, ("hi", "YES", "MENU", "HELP")) for p in phones], check)


def converse(procs: LineProcs, conversations: Sequence[Conversation], *, threads: int = 4,
             patience: float = 60.0) -> tuple[list[Sent], Counter[int]]:
    """Send every conversation through the web processes from `threads` clients at once.

    A text answered with anything but 200 (or not answered) is sent again with the same MessageSid,
    as Twilio does when told to retry, until `patience` runs out. Returns the acknowledged texts and a
    count of every status seen (0 for no answer).
    """
    acked: list[Sent] = []
    seen: Counter[int] = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + patience

    def run(mine: Sequence[Conversation]) -> None:
        for conversation in mine:
            for body in conversation.texts:
                sid = "SM" + uuid.uuid4().hex
                while time.monotonic() < deadline:
                    try:
                        response = procs.sms(conversation.phone, body, sid=sid)
                        status, answer = response.status_code, response.text
                    except requests.RequestException:
                        status, answer = 0, ""
                    with lock:
                        seen[status] += 1
                        if status == 200:
                            acked.append(Sent(conversation.phone, body, sid, status, answer))
                    if status == 200:
                        break
                    time.sleep(0.1)

    chunks = [conversations[i::threads] for i in range(threads)]
    workers = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return acked, seen


class Prober(threading.Thread):
    """Polls `/healthz` every `interval` seconds, counting the answers (0: no answer)."""

    def __init__(self, procs: LineProcs, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.procs, self.interval = procs, interval
        self.seen: Counter[int] = Counter()
        self.done = threading.Event()

    def run(self) -> None:
        session = requests.Session()
        while not self.done.is_set():
            try:
                status = session.get(self.procs.web_url + "/healthz", timeout=5).status_code
            except requests.RequestException:
                status = 0
            self.seen[status] += 1
            time.sleep(self.interval)

    def stop(self) -> Counter[int]:
        self.done.set()
        self.join(10)
        return self.seen


def redis_restart(procs: LineProcs, traffic: Inbound, *, down_for: float = 2.0, after: float = 1.0,
                  web_workers: int = 2, workers: int = 1) -> Figures:
    """Kill Redis (SIGKILL) `after` seconds into the traffic and start it again `down_for` seconds later.

    The web and worker processes are not restarted. Every text acknowledged with a 200 must have been
    acted on (`traffic.check`), and no answer may be a 5xx other than 503.
    """
    figures = Figures("redis_restart")
    started = time.monotonic()
    procs.start_web(web_workers)
    procs.start_workers(workers)
    line = procs.line()
    prober = Prober(procs)
    prober.start()
    result: dict[str, object] = {}

    def send() -> None:
        result["acked"], result["seen"] = converse(procs, traffic.conversations)

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(after)
    procs.redis.kill()
    time.sleep(down_for)
    procs.redis.start()
    sender.join()
    health = prober.stop()
    acked: list[Sent] = result["acked"]  # type: ignore[assignment]
    seen: Counter[int] = result["seen"]  # type: ignore[assignment]
    figures.requests = sum(seen.values()) + sum(health.values())
    figures.five_xx = sum(n for code, n in (seen + health).items() if code >= 500 and code != 503)
    figures.acknowledged = len(acked)
    figures.notes.update(webhook=dict(seen), health=dict(health))
    by_phone: dict[str, list[Sent]] = {}
    for sent in acked:
        by_phone.setdefault(sent.phone, []).append(sent)
    problems: list[str] = []
    for conversation in traffic.conversations:
        mine = by_phone.get(conversation.phone, [])
        if len(mine) != len(conversation.texts):
            problems.append(f"{conversation.phone[-4:]}: {len(mine)} of {len(conversation.texts)} acknowledged")
        problems += traffic.check(line, conversation, mine)
    figures.lost = len(problems)
    figures.notes["problems"] = problems[:20]
    figures.seconds = time.monotonic() - started
    return figures
