"""Deliver one outbound text or call, by its record's id.

Safe to run twice, concurrently or after a crash: a final status is never
sent again, a lock in Redis lets one delivery through at a time, and a watch
timer re-enqueues a delivery whose worker died mid-send. An attempt that got
no answer (a timeout, a killed process) is looked up at Twilio before the
next one, so it is not sent twice. Transient failures come back with backoff
through the timers; permanent ones end the record.
"""
from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta

from textline.core import jobs, queues, ratelimit, timers
from textline.core.errors import AmbiguousSendError, PermanentSendError, TransientSendError
from textline.core.line import Line
from textline.core.phones import mask
from textline.core.settings import Settings
from textline.models import hooks, members, metrics, outbound
from textline.models.outbound import Kind, Message, Status
from workers import runtime

log = logging.getLogger(__name__)

#: Kinds that never give up: a person in danger is behind them.
PERSISTENT = frozenset({Kind.CRISIS, Kind.ALERT})
#: Kinds that may wait for a send slot instead of yielding it.
PRIORITY_QUEUES = frozenset({queues.CRISIS, queues.REPLIES})
#: Records a broadcast made (see textline.models.broadcasts) carry a reference starting so.
BROADCAST_REF = "bc:"
#: The longest a bulk send holds its worker for a slot; at slower rates it comes back through a timer.
BULK_MAX_WAIT = 5.0
OPTED_OUT_CODES = frozenset({21610})
INVALID_CODES = frozenset({21211, 21614, 21217, 21401, 21407, 21408, 21612})
#: The longest a priority send waits for its slot in the limiter, in seconds.
MAX_SLOT_WAIT = 5.0
#: Names of the timers that bring a delivery back (each followed by the message id).
DELIVERY_TIMERS = ("watch:", "retry:", "slot:")


def lease(settings: Settings) -> float:
    """How long one delivery may hold its lock: longer than its slowest send (two HTTP timeouts, a slot wait)."""
    return max(settings.send_lease, 2 * settings.http_timeout + MAX_SLOT_WAIT + 1)


def deliver(msg_id: str) -> str:
    """The RQ job: deliver record `msg_id`; returns what happened (kept briefly as the job result)."""
    return Delivery(runtime.line(), msg_id).run()


def at_most_once(msg: Message) -> bool:
    """A broadcast's copies go out at most once (one copy per member per broadcast, never two): a send
    whose worker died mid-request is looked up at Twilio before anything else, even when the record does
    not say when that attempt began. Everything else is looked up when it does (every attempt since the
    lookup was added), and sent again otherwise: a duplicate costs less than a miss."""
    return msg.kind == Kind.BROADCAST or msg.ref.startswith(BROADCAST_REF)


class Delivery:
    """One delivery attempt. `paced`: the caller (a broadcast pump) keeps the record when no slot is free."""

    def __init__(self, line: Line, msg_id: str, *, paced: bool = False) -> None:
        self.line = line
        self.paced = paced
        self.r = line.r
        self.msg_id = msg_id
        self.lock = outbound.lock_key(msg_id)
        self.token = uuid.uuid4().hex
        self.rewatch: datetime | None = None

    def run(self) -> str:
        msg = outbound.get(self.r, self.msg_id)
        if msg is None:
            return "missing"
        if msg.status in outbound.FINAL:
            return "already " + str(msg.status)
        reason = self.blocked(msg)
        if reason:
            outbound.mark(self.line, msg.id, Status.SKIPPED, error=reason)
            log.info("message %s skipped: %s", msg.id, reason)
            hooks.status(self.line, msg, "failed", reason)
            return "skipped"
        lease = self.lease(msg)
        # The watch comes first: whenever this process dies from here on, the watch re-enqueues the
        # delivery after the lease. A busy lock leaves it set, in case the holder is the one that died.
        # (A broadcast pump watches its own deliveries: it comes back to the same record.)
        watch = outbound.watch_name(msg.id)
        if not self.paced:
            timers.schedule(self.r, watch, self.line.now() + timedelta(seconds=lease + 1), msg.queue,
                            jobs.DELIVER, msg.id)
        if not self.r.set(self.lock, self.token, nx=True, ex=max(1, int(lease + 0.999))):
            return "busy"
        try:
            current = outbound.get(self.r, msg.id)
            if current is None or current.status in outbound.FINAL:
                return "already " + str(current.status if current else "gone")
            if current.status == Status.SENDING and (current.attempt_at or at_most_once(current)):
                # The last attempt ended without a known answer (a timeout, a killed worker): Twilio may have it.
                earlier = self.earlier_attempt(current)
                if earlier is None:
                    self.retry_at(msg, self.backoff(msg, current.attempts), name="retry")
                    return "retry"
                if earlier:
                    return "sent"
            runtime.sender()  # built before the slot is taken, so the request leaves on time
            if not self.take_slot(msg):
                return "later"
            return self.send(msg)
        finally:
            if self.rewatch is not None:  # a watched kind comes back later: its next run is watched too
                timers.schedule(self.r, watch, self.rewatch, msg.queue, jobs.DELIVER, msg.id)
            elif not self.paced:
                timers.cancel(self.r, watch)
            self.release()

    def lease(self, msg: Message) -> float:
        """How long one delivery may hold the lock: longer than its slowest send (two HTTP timeouts, a slot wait).

        A crisis text or alert has the short `sending.crisis_lease` (its HTTP timeout is below it): if its
        worker dies, a second copy is better than an alert that arrives late.
        """
        if msg.kind in PERSISTENT:
            return self.line.settings.send_crisis_lease
        return lease(self.line.settings)

    def earlier_attempt(self, msg: Message) -> bool | None:
        """An earlier attempt ended without an answer (a timeout, a killed process): did it reach Twilio?

        None when Twilio cannot tell us now: the delivery comes back later rather than risk a second copy.
        """
        try:
            sids = runtime.sender().find(msg.channel, msg.to, msg.body, msg.attempt_at, urgent=msg.kind in PERSISTENT)
        except TransientSendError as exc:
            log.info("message %s: cannot check an earlier attempt (%s)", msg.id, exc)
            return None
        for sid in sids:
            if outbound.by_sid(self.r, sid) in (None, msg.id):
                outbound.mark(self.line, msg.id, Status.SENT, sid=sid)
                log.info("message %s: an earlier attempt reached Twilio; not sent again", msg.id)
                return True
        return False

    def blocked(self, msg: Message) -> str:
        """Why this record must not be sent, or ''."""
        if msg.channel == "sms" and members.is_opted_out(self.r, msg.to):
            return "opted_out"
        if members.is_invalid(self.r, msg.to):
            return "invalid"
        if msg.kind not in outbound.BEFORE_CONSENT:
            member = members.get(self.r, msg.to)
            if member is not None and not member.active:
                return "no_consent"
        return ""

    def take_slot(self, msg: Message) -> bool:
        """Wait for a send slot (priority work) or come back when one is free (bulk)."""
        if msg.channel != "sms":
            return True
        rate = self.line.settings.send_rate
        if msg.queue in PRIORITY_QUEUES:
            slot = ratelimit.take(self.r, rate, priority=True, max_wait=MAX_SLOT_WAIT)
        elif queues.waiting(self.line, PRIORITY_QUEUES):
            slot = ratelimit.take(self.r, rate, priority=False)
        else:  # nothing more urgent waits: wait up to one interval for a free slot without holding it (a
            # crisis alert or a reply arriving meanwhile takes it first), reserving it only `lead` ahead so
            # the slot after the last one is never lost to a late poll
            ahead = ratelimit.lead(rate)
            deadline = time.monotonic() + min(BULK_MAX_WAIT, ratelimit.interval(rate) * 1.01)
            slot = ratelimit.take(self.r, rate, priority=False, ahead=ahead)
            while not slot.granted and time.monotonic() + slot.wait - ahead <= deadline:
                time.sleep(max(slot.wait - ahead / 2, 0.0))
                if queues.waiting(self.line, PRIORITY_QUEUES):
                    break
                slot = ratelimit.take(self.r, rate, priority=False, ahead=ahead)
        if slot.granted:
            leaves = time.monotonic() + slot.wait
            if slot.wait > 0:
                time.sleep(slot.wait)
            self.absorb_lateness(slot, time.monotonic() - leaves)
            return True
        if not self.paced:
            self.retry_at(msg, max(slot.wait, 0.01), name="slot")
        return False

    def send(self, msg: Message) -> str:
        settings = self.line.settings
        attempt = outbound.start_attempt(self.line, msg.id)
        if not attempt:
            return "already final"
        sender = runtime.sender()
        try:
            urgent = msg.kind in PERSISTENT  # within its short lease
            if msg.channel == "call":
                sid = sender.place_call(msg.to, msg.body, urgent=urgent)
            else:
                sid = sender.send_sms(msg.to, msg.body, urgent=urgent)
        except TransientSendError as exc:
            metrics.count_twilio_error(self.r, exc.code)
            if attempt >= settings.retry_max and msg.kind not in PERSISTENT:
                error = str(exc.code or exc.status or "transient")
                outbound.mark(self.line, msg.id, Status.FAILED, error=error)
                log.warning("message %s failed after %d attempts (%s)", msg.id, attempt, exc)
                hooks.status(self.line, msg, "failed", error)
                return "failed"
            delay = self.backoff(msg, attempt)
            log.info("message %s attempt %d: %s; retry in %.2fs", msg.id, attempt, exc, delay)
            if not isinstance(exc, AmbiguousSendError):  # else it stays `sending`: the retry looks first
                outbound.mark(self.line, msg.id, Status.QUEUED)
            self.retry_at(msg, delay, name="retry")
            return "retry"
        except PermanentSendError as exc:
            self.permanent(msg, exc)
            return "failed"
        outbound.mark(self.line, msg.id, Status.SENT, sid=sid)
        log.info("message %s sent to %s (%s)", msg.id, mask(msg.to), msg.kind)
        return "sent"

    def absorb_lateness(self, slot: ratelimit.Slot, by: float) -> None:
        """Woke noticeably after the slot's start (a busy machine): the next slot keeps a whole interval."""
        if by > ratelimit.LATE:
            ratelimit.late(self.r, self.line.settings.send_rate, slot, by)

    def backoff(self, msg: Message, attempt: int) -> float:
        """Exponential, capped lower for crisis work."""
        cap = 5.0 if msg.kind in PERSISTENT else 60.0
        return min(self.line.settings.retry_backoff * 2 ** max(0, attempt - 1), cap)

    def permanent(self, msg: Message, exc: PermanentSendError) -> None:
        code = exc.code or 0
        metrics.count_twilio_error(self.r, code)
        if code in OPTED_OUT_CODES:
            members.opt_out(self.r, msg.to, self.line.now())
        elif code in INVALID_CODES:
            members.mark_invalid(self.r, msg.to, code)
        error = str(code or exc.status or "permanent")
        outbound.mark(self.line, msg.id, Status.FAILED, error=error)
        log.warning("message %s to %s failed for good: code %s", msg.id, mask(msg.to), code)
        hooks.status(self.line, msg, "failed", error)

    def retry_at(self, msg: Message, delay: float, *, name: str) -> None:
        at = self.line.now() + timedelta(seconds=delay)
        timers.schedule(self.r, f"{name}:{msg.id}", at, msg.queue, jobs.DELIVER, msg.id)
        if msg.kind in outbound.WATCHED:
            self.rewatch = at + timedelta(seconds=self.line.settings.send_crisis_lease + 1)

    def release(self) -> None:
        # Only our own lock: a lease that expired may belong to a newer delivery.
        if self.r.get(self.lock) == self.token:
            self.r.delete(self.lock)
