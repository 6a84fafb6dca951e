"""Broadcast fan-out and the pump that sends it at the line's rate. Jobs carry a broadcast id only.

Fan-out snapshots the roster in Redis (one command), then walks it in batches of
`BATCH`, each one Lua call (`broadcasts.batch`): opt-outs and invalid numbers
looked up for the whole batch at once, the members' status, language, zone and
discreet flag read in Redis, one message record per member who may get it, the
due set (when quiet hours end in each member's zone), the counts and the
cursor, atomically. Python supplies only the handful of texts (per language and
discreet flag) and quiet-hour ends (per zone) the batches ask for. No job is made
per recipient: a 100,000-member broadcast is 400 calls.

The pump delivers due messages one at a time through `workers.send.Delivery`,
taking a slot from the shared limiter. It yields its worker whenever crisis or
reply work is queued (re-enqueued behind it, so RQ's queue order serves that
first), hands over to a fresh job after `BUDGET` seconds, and sleeps on a timer
while every copy left is held by quiet hours. A lease plus a watch timer lets a
new worker take over from one that died.
"""
from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from textline.core import gsm, jobs, queues, quiet, timers
from textline.core.line import Line
from textline.models import broadcasts, groups, meetings, members, outbound, sessions
from textline.models.broadcasts import Broadcast, Status
from textline.models.outbound import Kind
from workers import runtime
from workers.send import BROADCAST_REF, PRIORITY_QUEUES, Delivery

log = logging.getLogger(__name__)

#: Recipients per fan-out batch: one Lua call each, about 3 ms of Redis's time on a quiet machine (a webhook
#: waits at most that long behind one). Larger batches are hardly faster and keep Redis busy longer at a time.
BATCH = 250
#: Seconds a job works before handing over to a fresh one (RQ's job timeout is 120 s).
BUDGET = 20.0
#: What a delivery's result adds to the broadcast's counters.
COUNTED = {"sent": "sent", "failed": "failed", "skipped": "skipped"}
#: After a reminder, 1 / 2 answer it until the meeting starts, within these bounds (then they mean the menu again).
RSVP_TTL = (600.0, 6 * 3600.0)


def fanout(bid: int) -> str:
    """The RQ job: make the broadcast's message records."""
    return Fanout(runtime.line(), int(bid)).run()


def pump(bid: int) -> str:
    """The RQ job: send the broadcast's due messages at the line's rate."""
    return Pump(runtime.line(), int(bid)).run()


def start(line: Line, bid: int) -> None:
    """Fan out now, on a worker (entry layers that must not wait for it)."""
    queues.enqueue(line, queues.BROADCAST, jobs.BROADCAST_FANOUT, bid, job_id=broadcasts.fanout_name(bid))


def kick(line: Line, bid: int) -> None:
    queues.enqueue(line, queues.BROADCAST, jobs.BROADCAST_PUMP, bid)


def priority_waiting(line: Line) -> bool:
    return queues.waiting(line, tuple(PRIORITY_QUEUES)) > 0


def outbound_kind(kind: broadcasts.Kind) -> Kind:
    return Kind.BROADCAST if kind == broadcasts.Kind.ANNOUNCEMENT else Kind.REMINDER


class Fanout:
    def __init__(self, line: Line, bid: int) -> None:
        self.line, self.r, self.bid = line, line.r, bid
        self.token = uuid.uuid4().hex
        self.lease = line.settings.send_lease
        self.watch = broadcasts.fanout_name(bid)
        self.bodies: dict[tuple[str, bool], str] = {}
        #: Seconds spent taking the snapshot and running the batches (bench/broadcast.py prints them).
        self.phases = {"snapshot": 0.0, "batches": 0.0}
        self.made: broadcasts.Copy | None = None

    def run(self, progress: Callable[[int], None] | None = None, budget: float | None = BUDGET) -> str:
        """Prepare every batch not prepared yet; `budget` None works to the end without yielding (CLI)."""
        b = broadcasts.get(self.r, self.bid)
        if b is None:
            return "missing"
        if b.status not in (Status.SCHEDULED, Status.PREPARING):
            return str(b.status)
        if not broadcasts.lease(self.r, self.bid, "fanout", self.token, self.lease):
            return "busy"
        try:
            return self._run(b, progress, budget)
        finally:
            broadcasts.release(self.r, self.bid, "fanout", self.token)

    def _run(self, b: Broadcast, progress: Callable[[int], None] | None, budget: float | None) -> str:
        self._watch()
        if b.status == Status.SCHEDULED:
            started = time.perf_counter()
            group = groups.get(self.r, b.group_id)
            broadcasts.begin(self.r, self.bid, group)
            self.phases["snapshot"] += time.perf_counter() - started
        b = broadcasts.get(self.r, self.bid)
        assert b is not None
        self.made = self.copy(b)
        started = renewed = time.monotonic()
        cursor, kicked = b.cursor, False
        while cursor < b.total:
            if budget is not None and (time.monotonic() - started > budget or priority_waiting(self.line)):
                # the watch timer stays as a backstop
                queues.enqueue(self.line, queues.BROADCAST, jobs.BROADCAST_FANOUT, self.bid)
                return "continues"
            done = self.batch(b, cursor)
            if done.taken < 0:
                broadcasts.forget_recipients(self.r, self.bid)
                timers.cancel(self.r, self.watch)
                return "cancelled"
            if done.taken == 0:  # our lease lapsed and another run carries on
                return "taken over"
            cursor += done.taken
            if time.monotonic() - renewed > self.lease / 3:
                broadcasts.renew(self.r, self.bid, "fanout", self.token, self.lease)
                self._watch()
                renewed = time.monotonic()
            if progress:
                progress(done.taken)
            if done.queued and not kicked:  # sending starts while the rest is prepared
                kick(self.line, self.bid)
                kicked = True
        broadcasts.fanned_out(self.r, self.bid)
        timers.cancel(self.r, self.watch)
        kick(self.line, self.bid)
        log.info("broadcast %s fanned out to %d recipients", self.bid, b.total)
        return "fanned out"

    def _watch(self) -> None:
        at = self.line.now() + timedelta(seconds=self.lease + 1)
        timers.schedule(self.r, self.watch, at, queues.BROADCAST, jobs.BROADCAST_FANOUT, self.bid)

    def copy(self, b: Broadcast) -> broadcasts.Copy:
        """How this run makes copies; texts and zones are filled in as batches meet them."""
        begin = max(self.line.now(), datetime.fromtimestamp(b.at, UTC))
        return broadcasts.Copy(begin=begin.timestamp(), ttl=int(self.line.settings.message_retention),
                               now=self.line.now().isoformat(), kind=str(outbound_kind(b.kind)),
                               queue=queues.BROADCAST, ref=f"{BROADCAST_REF}{self.bid}", texts={}, zones={})

    def batch(self, b: Broadcast, cursor: int) -> broadcasts.Batch:
        """One batch in Redis; first the texts and quiet-hour ends it asks for (a handful per broadcast)."""
        started = time.perf_counter()
        while True:
            copy = self.made
            assert copy is not None
            done = broadcasts.batch(self.r, self.bid, cursor, BATCH, copy)
            if not (done.need_texts or done.need_zones):
                self.phases["batches"] += time.perf_counter() - started
                return done
            settings = self.line.settings
            begin = datetime.fromtimestamp(copy.begin, UTC)
            texts = {**copy.texts}
            for key in done.need_texts:
                language, _, discreet = key.rpartition("|")
                texts[key] = gsm.fit(self.body(b, language or "en", discreet == "1"))
            zones = {**copy.zones}
            for zone in done.need_zones:
                zones[zone] = quiet.next_allowed(begin, zone_of(zone, settings.timezone),
                                                 settings.quiet_hours).timestamp()
            self.made = dataclasses.replace(copy, texts=texts, zones=zones)

    def body(self, b: Broadcast, language: str, discreet: bool) -> str:
        key = (language, discreet)
        if key not in self.bodies:
            self.bodies[key] = render(self.line, b, language, discreet)
        return self.bodies[key]


def zone_of(name: str, fallback: str) -> ZoneInfo:
    """A member's own zone; the line's when theirs is missing or unknown."""
    for candidate in (name, fallback):
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def render(line: Line, b: Broadcast, language: str, discreet: bool) -> str:
    """The text one member gets: the coordinator's (or its neutral form), or a meeting's catalog text."""
    if b.kind == broadcasts.Kind.ANNOUNCEMENT:
        return b.discreet if discreet and b.discreet else b.text
    meeting = meetings.get(line.r, b.meeting_id)
    group = groups.get(line.r, b.group_id)
    if meeting is None or group is None:
        return ""
    local = meeting.local_start(meetings.from_epoch(b.occ))
    where = meeting.where or line.text(language, "groups.where_default")
    key = "groups.reminder" if b.kind == broadcasts.Kind.REMINDER else "groups.cancelled"
    return line.text(language, key, discreet=discreet, group=group.name, where=where,
                     when=meetings.when_text(language, local))


class Pump:
    def __init__(self, line: Line, bid: int) -> None:
        self.line, self.r, self.bid = line, line.r, bid
        self.token = uuid.uuid4().hex
        self.lease = line.settings.send_lease
        self.watch = f"bc-pump:{bid}"

    def run(self, budget: float = BUDGET) -> str:
        b = broadcasts.get(self.r, self.bid)
        if b is None or b.status in (Status.SCHEDULED, Status.DONE, Status.CANCELLED):
            return "nothing to send"
        if not broadcasts.lease(self.r, self.bid, "pump", self.token, self.lease):
            return "busy"
        try:
            outcome = self._run(b, budget)
        finally:
            broadcasts.release(self.r, self.bid, "pump", self.token)
        if outcome in ("held", "waiting for fan-out") and self._work_arrived(outcome):
            kick(self.line, self.bid)  # the fan-out's kick may have met our lease: do not lose it
        return outcome

    def _work_arrived(self, outcome: str) -> bool:
        msg_id, _ = broadcasts.next_due(self.r, self.bid, self.line.now().timestamp())
        fanned_out = outcome == "waiting for fan-out" and broadcasts.status(self.r, self.bid) == Status.SENDING
        return msg_id is not None or fanned_out

    def _run(self, b: Broadcast, budget: float) -> str:
        started, renewed = time.monotonic(), 0.0
        while True:
            if time.monotonic() - renewed > self.lease / 3:  # a watch, should this worker die
                self._wake(self.line.now() + timedelta(seconds=self.lease + 1))
                broadcasts.renew(self.r, self.bid, "pump", self.token, self.lease)
                renewed = time.monotonic()
            if broadcasts.status(self.r, self.bid) == Status.CANCELLED:
                timers.cancel(self.r, self.watch)
                return "cancelled"
            if priority_waiting(self.line) or time.monotonic() - started > budget:
                kick(self.line, self.bid)  # behind crisis and reply work in RQ's queue order
                return "yields"
            now = self.line.now()
            msg_id, when = broadcasts.next_due(self.r, self.bid, now.timestamp())
            if msg_id is None:
                return self._idle(when, now)
            outcome = self.deliver(b, msg_id, now)
            if outcome == "later":  # no free slot: priority work first, or come back when one frees up
                if priority_waiting(self.line):
                    kick(self.line, self.bid)
                else:
                    self._wake(now + timedelta(seconds=max(1.0 / self.line.settings.send_rate, 0.5)))
                return "slowed"

    def _idle(self, when: float | None, now: datetime) -> str:
        if when is not None:  # every copy left is held by quiet hours
            self._wake(datetime.fromtimestamp(when, UTC))
            return "held"
        if broadcasts.finish(self.r, self.bid, now):
            timers.cancel(self.r, self.watch)
            log.info("broadcast %s done", self.bid)
            return "done"
        return "waiting for fan-out"  # the fan-out kicks the pump again; the watch timer is the backstop

    def _wake(self, at: datetime) -> None:
        timers.schedule(self.r, self.watch, at, queues.BROADCAST, jobs.BROADCAST_PUMP, self.bid)

    def deliver(self, b: Broadcast, msg_id: str, now: datetime) -> str:
        msg = outbound.get(self.r, msg_id)
        if msg is None:
            broadcasts.settle(self.r, self.bid, msg_id, None)
            return "missing"
        if b.expires and now.timestamp() >= b.expires:  # a reminder after the meeting began helps nobody
            if msg.status not in outbound.FINAL:
                outbound.mark(self.line, msg_id, outbound.Status.SKIPPED, error="late")
            broadcasts.settle(self.r, self.bid, msg_id, "skipped")
            return "late"
        member = members.get(self.r, msg.to)
        if member is not None:  # quiet hours may have begun while it waited its turn
            release = quiet.next_allowed(now, zone_of(member.timezone, self.line.settings.timezone),
                                         self.line.settings.quiet_hours)
            if release > now:
                broadcasts.hold(self.r, self.bid, msg_id, release.timestamp())
                return "held"
        outcome = Delivery(self.line, msg_id, paced=True).run()
        if outcome == "later":
            return outcome
        if outcome == "busy":  # another delivery holds it (maybe one whose worker died): back once its lock lapses
            wait = max(self.r.pttl(outbound.lock_key(msg_id)) / 1000, 0.5)
            broadcasts.hold(self.r, self.bid, msg_id, now.timestamp() + wait)
            return outcome
        broadcasts.settle(self.r, self.bid, msg_id, COUNTED.get(outcome))
        if outcome == "sent" and b.kind == broadcasts.Kind.REMINDER:
            self.reminded(b, msg.to, now)
        return outcome

    def reminded(self, b: Broadcast, phone: str, now: datetime) -> None:
        """Remember who heard of this meeting (to tell them if it is cancelled); 1 / 2 now answer it."""
        meetings.mark_reminded(self.r, b.meeting_id, b.occ, phone)
        if sessions.get(self.r, phone) is None:  # never cut into another conversation
            low, high = RSVP_TTL
            ttl = min(max(b.occ - now.timestamp(), low), high)
            sessions.start(self.r, phone, "rsvp", "answer", ttl, {"meeting": b.meeting_id, "occ": b.occ})
