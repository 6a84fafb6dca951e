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
from rq.job import Job, JobStatus

from tests.support.harness import member_number
from tests.support.procs import LineProcs, alive, wait
from tests.support.twilio_double import TwilioDouble
from textline.core import queues
from textline.core.line import Line
from textline.models import members, outbound
from textline.models.outbound import Kind
from workers.send import DELIVERY_TIMERS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_RECORD = re.compile(r"^tl:msg:\d+$")

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
    started = [j for name in queues.ALL for j in queues.queue(line, name).started_job_registry.get_job_ids()]
    if any(job and job.get_status() == JobStatus.STARTED for job in Job.fetch_many(started, connection=line.rq)):
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


def inbound_problems(line: Line, traffic: Inbound, acked: list[Sent]) -> list[str]:
    """Every text acknowledged, each acted on (the traffic's own check)."""
    by_phone: dict[str, list[Sent]] = {}
    for sent in acked:
        by_phone.setdefault(sent.phone, []).append(sent)
    problems: list[str] = []
    for conversation in traffic.conversations:
        mine = by_phone.get(conversation.phone, [])
        if len(mine) != len(conversation.texts):
            problems.append(f"{conversation.phone[-4:]}: {len(mine)} of {len(conversation.texts)} acknowledged")
        problems += traffic.check(line, conversation, mine)
    return problems


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
    problems = inbound_problems(line, traffic, acked)
    figures.lost = len(problems)
    figures.notes["problems"] = problems[:20]
    figures.seconds = time.monotonic() - started
    return figures


# -- Twilio faults and crisis probes ------------------------------------------------------------------------------
class FaultBursts(threading.Thread):
    """Twilio fails in bursts until stopped: every `every` seconds, for `length` seconds, every create is
    answered with one fault (503, 429, 500, a proxy's 502 page), or the next ones time out.

    Bursts are windows of time, not counts of requests, so the fault rate stays the same whatever the
    traffic (about a quarter of the time at the defaults).
    """

    KINDS = ("502-html", "503", "429", "timeout", "500")

    def __init__(self, double: TwilioDouble, every: float = 1.0, length: float = 0.25,
                 timeout_delay: float = 1.5) -> None:
        super().__init__(daemon=True)
        self.double, self.every, self.length, self.timeout_delay = double, every, length, timeout_delay
        self.done = threading.Event()
        self.armed: Counter[str] = Counter()
        self._window: tuple[float, tuple[int, int]] | None = None

    def _fault(self, form: object) -> tuple[int, int] | None:
        window = self._window
        if window is None or time.monotonic() > window[0]:
            return None
        return window[1]

    def run(self) -> None:
        faults = {"503": (503, 20503), "429": (429, 20429), "500": (500, 20500)}
        self.double.script = self._fault
        while not self.done.is_set():
            for name in self.KINDS:
                if self.done.wait(self.every):
                    break
                if name == "timeout":
                    self.double.delay_next(2, self.timeout_delay)
                elif name == "502-html":  # a proxy's error page instead of Twilio's JSON
                    self.double.fail_next(2, status=502, raw_body="<html><body>502 Bad Gateway</body></html>")
                else:
                    self._window = (time.monotonic() + self.length, faults[name])
                self.armed[name] += 1
        self._window = None
        self.double.script = None

    def stop(self) -> Counter[str]:
        self.done.set()
        self.join(10)
        return self.armed


#: Starts one crisis and returns a function giving its alert's delay in seconds once it reached Twilio.
CrisisProbe = Callable[[LineProcs, Line, int], Callable[[], float | None]]


def alert_probe(staff_phone: str) -> CrisisProbe:
    """A crisis alert put straight on the crisis queue (no web process): an ALERT text to staff.

    `crisis_text_probe` below runs the whole path instead, from a member's text to the webhook.
    """

    def start(procs: LineProcs, line: Line, n: int) -> Callable[[], float | None]:
        body = f"Crisis alert, case {n}: a member needs you now. Reply ACK {n}."
        began = time.time()
        outbound.send_text(line, staff_phone, body, kind=Kind.ALERT, queue=queues.CRISIS)

        def delay() -> float | None:
            times = [m.wall for m in procs.double.messages if m.to == staff_phone and m.body == body]
            return min(times) - began if times else None

        return delay

    return start


def crisis_text_probe(staff_phone: str, first_member: int = 8000) -> CrisisProbe:
    """A member texts a crisis message to the webhook (again, as Twilio would, while it is answered 503);
    the delay runs until on-call crisis staff get their first text. Needs the web process."""

    def start(procs: LineProcs, line: Line, n: int) -> Callable[[], float | None]:
        phone = member_number(first_member + n)
        sid = "SM" + uuid.uuid4().hex
        began = time.time()
        while time.time() < began + 20:
            try:
                if procs.sms(phone, "I want to kill myself tonight", sid=sid).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)

        def delay() -> float | None:
            times = [m.wall for m in procs.double.messages if m.to == staff_phone and m.wall >= began]
            return min(times) - began if times else None

        return delay

    return start


class Crises(threading.Thread):
    """Starts a crisis every `every` seconds until stopped; `delays()` waits for their alerts."""

    def __init__(self, procs: LineProcs, line: Line, probe: CrisisProbe, every: float = 3.0) -> None:
        super().__init__(daemon=True)
        self.procs, self.line, self.probe, self.every = procs, line, probe, every
        self.done = threading.Event()
        self.pending: list[Callable[[], float | None]] = []

    def run(self) -> None:
        n = 0
        while not self.done.wait(self.every):
            n += 1
            try:
                self.pending.append(self.probe(self.procs, self.line, n))
            except Exception:  # Redis is down this moment: the crisis arrives a moment later
                time.sleep(0.2)

    def delays(self, limit: float = 30.0) -> list[float]:
        """Each alert's delay; an alert still missing `limit` seconds after its crisis counts as infinite."""
        self.done.set()
        self.join(10)
        wait(lambda: all(d() is not None for d in self.pending), limit)
        return [d() if d() is not None else float("inf") for d in self.pending]  # type: ignore[misc]


def permanent_failures(line: Line, double: TwilioDouble, numbers: dict[str, int]) -> list[str]:
    """Problems with numbers Twilio refuses for good: the last request to each is the refusal (nothing is
    asked after it), and its record failed with the code. A refusal answered too late (a timeout burst)
    is not seen by the line, so an earlier refusal may be followed by one more attempt."""
    problems = []
    for phone, code in numbers.items():
        asked = [r for r in double.requests if r.to == phone]
        if not asked or asked[-1].error_code != code:
            problems.append(f"{phone[-4:]}: {[r.error_code for r in asked]} does not end with one refusal")
        mine = [r for r in records(line) if r.get("to") == phone]
        if [(r.get("status"), r.get("error")) for r in mine] != [("failed", str(code))]:
            problems.append(f"{phone[-4:]}: records {[(r.get('status'), r.get('error')) for r in mine]}")
    return problems


def twilio_faults(procs: LineProcs, traffic: Outbound, permanent: dict[str, int], *, workers: int = 2,
                  crisis: CrisisProbe | None = None, timeout: float = 90.0) -> Figures:
    """Send `traffic` while Twilio answers 5xx, 429 and timeouts in bursts; `permanent` numbers are refused."""
    figures = Figures("twilio_faults")
    started = time.monotonic()
    line = procs.line()
    for phone, code in permanent.items():
        procs.double.fail_for(phone, code=code)
    procs.start_workers(workers)
    procs.start_workers(1, queues="crisis")
    bursts = FaultBursts(procs.double)
    crises = Crises(procs, line, crisis, every=1.5) if crisis else None
    bursts.start()
    if crises:
        crises.start()
    expected = traffic(line)
    wait(lambda: sum(1 for m in procs.double.messages if m.to in expected) >= sum(expected.values()), timeout)
    wait(lambda: len(bursts.armed) == len(FaultBursts.KINDS), 30)  # every kind of fault at least once
    figures.notes["armed"] = dict(bursts.stop())
    if crises:
        figures.crisis_delays = crises.delays()
    figures.notes["settled"] = settle(line, timeout)
    figures.requests = len(procs.double.requests)
    figures.notes["refused"] = dict(Counter(r.status_code for r in procs.double.rejected))
    figures.notes["lookups"] = procs.double.lookups
    figures.notes["problems"] = permanent_failures(line, procs.double, permanent)
    figures.seconds = time.monotonic() - started
    return count_copies(figures, {**expected, **{p: 0 for p in permanent}},
                        (m.to for m in procs.double.messages if not m.body or not m.body.startswith("Crisis alert")))


def everything(procs: LineProcs, traffic: Outbound, crisis: CrisisProbe, *, workers: int = 3, kills: int = 4,
               inbound: Inbound | None = None, timeout: float = 120.0) -> Figures:
    """All at once: horses killed, Twilio faults in bursts, Redis killed and restarted, crises arriving.

    Each crisis alert must reach Twilio within 30 seconds; the traffic must arrive exactly once.
    """
    figures = Figures("everything")
    started = time.monotonic()
    line = procs.line()
    if inbound:
        procs.start_web(2)
    procs.start_workers(workers)
    procs.start_workers(1, queues="crisis")
    bursts, crises = FaultBursts(procs.double), Crises(procs, line, crisis, every=2.0)
    bursts.start()
    crises.start()
    expected = traffic(line)
    result: dict[str, object] = {}
    sender = None
    if inbound:
        def send() -> None:
            result["acked"], result["seen"] = converse(procs, inbound.conversations, threads=2)

        sender = threading.Thread(target=send)
        sender.start()
    for n in range(kills):
        if procs.kill_horse(timeout=5) is not None:
            figures.kills += 1
        time.sleep(0.5)
        if n == kills // 2:
            procs.redis.kill()
            time.sleep(1.5)
            procs.redis.start()
    if sender:
        sender.join()
    # Faults and crises go on until the traffic is through.
    wait(lambda: sum(1 for m in procs.double.messages if m.to in expected) >= sum(expected.values()), timeout)
    figures.notes["armed"] = dict(bursts.stop())
    figures.crisis_delays = crises.delays()
    figures.notes["delivered_after"] = time.monotonic() - started
    figures.notes["settled"] = settle(line, timeout)
    if inbound:
        seen: Counter[int] = result["seen"]  # type: ignore[assignment]
        acked: list[Sent] = result["acked"]  # type: ignore[assignment]
        figures.five_xx = sum(n for code, n in seen.items() if code >= 500 and code != 503)
        figures.acknowledged = len(acked)
        figures.notes["webhook"] = dict(seen)
        problems = inbound_problems(line, inbound, acked)
        figures.lost += len(problems)
        figures.notes["problems"] = problems[:20]
    figures.seconds = time.monotonic() - started
    return count_copies(figures, expected,
                        (m.to for m in procs.double.messages if not (m.body or "").startswith("Crisis alert")))


# -- many processes ------------------------------------------------------------------------------------------
def send_rate_problems(times: Sequence[float], rate: float, slack: int = 2) -> list[str]:
    """Windows of one second in which Twilio got more than `rate` (+ `slack`) messages."""
    times = sorted(times)
    problems = []
    j = 0
    for i, start in enumerate(times):
        while times[j] < start - 1.0:
            j += 1
        in_window = i - j + 1
        if in_window > rate + slack:
            problems.append(f"{in_window} messages in the second before +{start - times[0]:.2f}s")
    return problems


def many_processes(procs: LineProcs, traffic: Inbound, replays: int, sends: Outbound, *, web_workers: int = 3,
                   workers: int = 3, threads: int = 8) -> Figures:
    """`web_workers` gunicorn processes and `workers` workers against one Redis: the conversations from
    `threads` clients at once, then `replays` of their texts (same MessageSid, same signature) from other
    clients, while `sends` go out through the shared send limiter."""
    figures = Figures("many_processes")
    started = time.monotonic()
    procs.start_web(web_workers)
    procs.start_workers(workers)
    line = procs.line()
    expected = sends(line)
    acked, seen = converse(procs, traffic.conversations, threads=threads, patience=240)
    figures.notes["webhook_seconds"] = time.monotonic() - started
    again, seen_again = replay(procs, acked[:replays], threads=threads)
    seen.update(seen_again)
    figures.requests = sum(seen.values())
    figures.acknowledged = len(acked)
    figures.five_xx = sum(n for code, n in seen.items() if code >= 500)
    figures.notes["statuses"] = dict(seen)
    problems = inbound_problems(line, traffic, acked)
    problems += [f"{s.sid} answered differently when replayed" for s, answer in again if answer != s.answer]
    figures.lost = len(problems)
    figures.notes["problems"] = problems[:20]
    figures.notes["settled"] = settle(line, 120)
    figures.seconds = time.monotonic() - started
    return count_copies(figures, expected, (m.to for m in procs.double.messages))


def replay(procs: LineProcs, texts: Sequence[Sent], threads: int) -> tuple[list[tuple[Sent, str]], Counter[int]]:
    """Send acknowledged texts again, as Twilio's retries would: same MessageSid, from other clients."""
    answers: list[tuple[Sent, str]] = []
    seen: Counter[int] = Counter()
    lock = threading.Lock()

    def run(mine: Sequence[Sent]) -> None:
        for sent in mine:
            response = procs.sms(sent.phone, sent.body, sid=sent.sid)
            with lock:
                seen[response.status_code] += 1
                answers.append((sent, response.text))

    chunks = [texts[i::threads] for i in range(threads)]
    pool = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return answers, seen
